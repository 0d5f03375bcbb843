// `eventwire events`: what is in an event store, filtered as read_events filters, as JSON Lines,
// a table, or one event's family as a tree.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "eventwire/sqlite_store.hpp"

namespace eventwire::cli {
namespace {

struct EventsOptions {
  std::string db;
  std::string after, before, tree, order = "desc", format = "jsonl";
  EventQuery query;
};

void print_table_row(const Event& e, int depth = 0) {
  std::cout << fmt::format("{:<27}  {}{:<40}  {:<50}  {}\n", format_timestamp(e.occurred),
                           std::string(static_cast<std::size_t>(depth) * 2, ' '), e.event,
                           e.resource.id(), e.id.to_string());
}

void run_events(EventsOptions& options) {
  SqliteEventStore store(options.db);
  if (!options.tree.empty()) {
    auto family = store.family(Uuid::parse(options.tree));
    if (family.empty()) throw error("no stored event has id " + options.tree);
    for (const auto& [event, depth] : family) {
      if (options.format == "table") {
        print_table_row(*event, depth);
      } else {
        std::cout << std::string(static_cast<std::size_t>(depth) * 2, ' ') << event->event << "  "
                  << event->id.to_string() << "  " << format_timestamp(event->occurred) << "\n";
      }
    }
    return;
  }
  EventQuery& q = options.query;
  if (!options.after.empty()) q.occurred_after = parse_timestamp(options.after);
  if (!options.before.empty()) q.occurred_before = parse_timestamp(options.before);
  q.order = options.order == "asc" ? EventOrder::ascending : EventOrder::descending;
  q.include_total = false;
  for (const auto& event : store.query(q).events) {
    if (options.format == "table") {
      print_table_row(*event);
    } else {
      std::cout << event->dump() << "\n";
    }
  }
}

}  // namespace

void add_events_command(CLI::App& app) {
  auto options = std::make_shared<EventsOptions>();
  auto* cmd = app.add_subcommand("events", "Read events from a SQLite event store");
  cmd->add_option("--db", options->db, "The event store (a SQLite file)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--after", options->after, "Occurred at or after this ISO 8601 time");
  cmd->add_option("--before", options->before, "Occurred at or before this ISO 8601 time");
  cmd->add_option("--name", options->query.event_names, "Event name (repeatable: any of)");
  cmd->add_option("--prefix", options->query.event_prefixes, "Event name prefix (repeatable)");
  cmd->add_option("--exclude", options->query.exclude_names,
                  "Event name to leave out (repeatable)");
  cmd->add_option("--exclude-prefix", options->query.exclude_prefixes,
                  "Event name prefix to leave out");
  cmd->add_option("--resource", options->query.resource_ids, "Resource id (repeatable)");
  cmd->add_option("--resource-prefix", options->query.resource_id_prefixes, "Resource id prefix");
  cmd->add_option("--order", options->order, "asc or desc (by occurred)")
      ->check(CLI::IsMember({"asc", "desc"}));
  cmd->add_option("--limit", options->query.limit, "Events per page")->capture_default_str();
  cmd->add_option("--offset", options->query.offset, "Events to skip");
  cmd->add_option("--format", options->format, "jsonl (wire JSON, one per line) or table")
      ->check(CLI::IsMember({"jsonl", "table"}));
  cmd->add_option("--tree", options->tree, "Print the family of this event id as an indented tree");
  cmd->callback([options] { run_events(*options); });
}

}  // namespace eventwire::cli
