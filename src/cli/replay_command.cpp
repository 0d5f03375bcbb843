// `eventwire replay`: what would have happened. Stored events are re-evaluated against a triggers
// file (a changed trigger, a new one) through a TriggerRegistry, as the service dispatches them,
// and every trigger that would fire is reported per event.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/query_options.hpp"
#include "cli/trigger_file.hpp"
#include "eventwire/error.hpp"
#include "eventwire/sqlite_store.hpp"
#include "eventwire/trigger.hpp"

namespace eventwire::cli {
namespace {

struct ReplayOptions {
  std::string db, triggers, format = "jsonl";
  QueryOptions filters;
};

// A progress bar on stderr, redrawn at most ten times a second; only on a terminal.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), shown_(isatty(STDERR_FILENO) == 1) {}
  ~Progress() {
    if (shown_ && drawn_) std::fputs("\r\033[K", stderr);
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::size_t done, std::size_t fired) {
    if (!shown_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && done != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    constexpr std::size_t width = 30;
    std::size_t filled = total_ ? std::min(width, done * width / total_) : width;
    std::fprintf(stderr, "\rreplay [%s%s] %zu/%zu events, %zu fired",
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(), done,
                 total_, fired);
    std::fflush(stderr);
  }

 private:
  std::size_t total_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

void run_replay(const ReplayOptions& options) {
  TriggerRegistry registry;
  std::map<std::string, std::string, std::less<>> shown;  // registered name -> name in the file
  for (const auto& entry : read_trigger_file(options.triggers)) {
    try {
      shown.emplace(registry.add(entry.definition())->name(), entry.name);
    } catch (const ValidationError& e) {
      throw ValidationError(
          fmt::format("{}: trigger '{}': {}", options.triggers, entry.name, e.field()), e.rule());
    }
  }
  SqliteEventStore store(options.db);
  EventQuery query = options.filters.to_query();
  query.order = EventOrder::ascending;  // replay in the order events happened
  query.limit = 500;
  query.include_total = false;
  Progress progress(store.count(query));

  struct Tally {
    std::size_t fired = 0;
    Timestamp first{}, last{};
  };
  std::map<std::string, Tally> by_trigger;  // registered name -> how often it fired
  std::size_t events = 0, firing_events = 0, fired = 0;
  for (;;) {
    EventPage page = store.query(query);
    for (const auto& event : page.events) {
      ++events;
      std::vector<std::string> names;
      for (const auto& trigger : registry.candidates(*event)) {
        if (!trigger->compiled().matches(*event)) continue;
        names.push_back(shown.find(trigger->name())->second);
        auto& tally = by_trigger[trigger->name()];
        if (tally.fired++ == 0) tally.first = event->occurred;
        tally.last = event->occurred;
      }
      fired += names.size();
      if (!names.empty()) {
        ++firing_events;
        if (options.format == "jsonl") {
          json line = {{"id", event->id.to_string()},
                       {"event", event->event},
                       {"occurred", format_timestamp(event->occurred)},
                       {"resource", event->resource.id()},
                       {"fired", names}};
          std::cout << line.dump() << "\n";
        }
      }
      progress.update(events, fired);
    }
    if (page.next_page.empty()) break;
    query.cursor = page.next_page;
  }
  if (options.format == "summary") {
    std::cout << fmt::format("{} events replayed, {} would fire a trigger ({} firings)\n", events,
                             firing_events, fired);
    for (const auto& trigger : registry.list()) {
      const std::string& name = shown.find(trigger->name())->second;
      auto it = by_trigger.find(trigger->name());
      if (it == by_trigger.end()) {
        std::cout << fmt::format("{}: would not fire\n", name);
      } else {
        std::cout << fmt::format("{}: would fire on {} event{}, {} .. {}\n", name, it->second.fired,
                                 it->second.fired == 1 ? "" : "s",
                                 format_timestamp(it->second.first),
                                 format_timestamp(it->second.last));
      }
    }
  }
}

}  // namespace

void add_replay_command(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand(
      "replay", "Which triggers of a file would have fired on stored events (what would happen)");
  cmd->add_option("--db", options->db, "The event store (a SQLite file)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--triggers", options->triggers, "JSON file: a trigger or a list of them")
      ->required()
      ->check(CLI::ExistingFile);
  add_query_options(*cmd, options->filters);
  cmd->add_option("--format", options->format,
                  "jsonl (one line per event that fires a trigger) or summary (per trigger)")
      ->check(CLI::IsMember({"jsonl", "summary"}));
  cmd->callback([options] { run_replay(*options); });
}

}  // namespace eventwire::cli
