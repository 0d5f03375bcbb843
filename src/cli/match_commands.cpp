// `eventwire match` (JSON Lines: does this trigger fire on this event?) and `eventwire explain`
// (every trigger of a file against one event: fired, or why not).
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/json_lines.hpp"
#include "cli/trigger_file.hpp"
#include "eventwire/error.hpp"
#include "eventwire/match.hpp"

namespace eventwire::cli {
namespace {

const json& required(const json& line, const char* key) {
  if (!line.is_object() || !line.contains(key)) {
    throw ValidationError(key, "is required (each line is {\"trigger\": ..., \"event\": ...})");
  }
  return line[key];
}

json match_line(const json& line) {
  const json& trigger_json = required(line, "trigger");
  const json& event_json = required(line, "event");
  // A trigger and an event have fields of the same names (`events`, `resource[...]`): the
  // message must say whose.
  auto trigger =
      with_field_prefix("trigger", [&] { return EventTrigger::from_json(trigger_json).compile(); });
  auto event = with_field_prefix("event", [&] { return Event::from_json(event_json); });
  auto why = trigger.explain(event);
  return {{"matched", why.matched}, {"reason", why.matched ? json(nullptr) : json(why.reason)}};
}

void run_explain(const std::string& triggers_path, const std::string& event_path) {
  auto triggers = read_trigger_file(triggers_path);
  Event event = Event::from_json(read_json_file(event_path));
  for (const auto& entry : triggers) {
    try {
      auto why = entry.definition().trigger.compile().explain(event);
      std::cout << entry.name << ": " << (why.matched ? "fired" : "not fired: " + why.reason)
                << "\n";
    } catch (const error& e) {
      std::cout << entry.name << ": invalid trigger: " << e.what() << "\n";
    }
  }
}

}  // namespace

void add_match_commands(CLI::App& app) {
  auto* match = app.add_subcommand(
      "match",
      "JSON Lines on stdin, {\"trigger\": T, \"event\": E} each; writes {\"matched\", \"reason\"}");
  match->callback([] {
    if (int status = process_json_lines(std::cin, std::cout, match_line))
      throw CLI::RuntimeError(status);
  });

  auto paths = std::make_shared<std::pair<std::string, std::string>>();
  auto* explain =
      app.add_subcommand("explain", "For each trigger in a file: fired on the event, or why not");
  explain->add_option("--triggers", paths->first, "JSON file: a trigger or a list of them")
      ->required()
      ->check(CLI::ExistingFile);
  explain->add_option("--event", paths->second, "JSON file: one event in wire form")
      ->required()
      ->check(CLI::ExistingFile);
  explain->callback([paths] { run_explain(paths->first, paths->second); });
}

}  // namespace eventwire::cli
