// `eventwire events`: what is in an event store, filtered as read_events filters, as JSON Lines,
// a table, or one event's family as a tree.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/query_options.hpp"
#include "eventwire/error.hpp"
#include "eventwire/sqlite_store.hpp"

namespace eventwire::cli {
namespace {

struct EventsOptions {
  std::string db;
  std::string tree, order = "desc", format, cursor;  // format: empty for the command's default
  std::size_t limit = 50, offset = 0;
  QueryOptions filters;
};

bool is_json_lines(const std::string& format) {
  return format == "jsonl" || format == "json";
}

void print_table_row(const Event& e, int depth = 0) {
  std::cout << fmt::format("{:<27}  {}{:<40}  {:<50}  {}\n", format_timestamp(e.occurred),
                           std::string(static_cast<std::size_t>(depth) * 2, ' '), e.event,
                           e.resource.id(), e.id.to_string());
}

// The family in tree order, one line per event. As JSON Lines, each line is the event's wire
// JSON (what `events` prints, read back by Event::parse, which ignores the extra keys) with its
// `depth` (0 for the root) and `tree_parent`, the id of the event it hangs under here (null for
// the root): its parent, or its nearest ancestor still stored when the parent is gone.
void print_tree(const std::vector<std::pair<EventPtr, int>>& family, const std::string& format) {
  std::vector<const Event*> path;  // path[d]: the last event printed at depth d
  for (const auto& [event, depth] : family) {
    const auto level = static_cast<std::size_t>(depth);
    path.resize(std::min(level, path.size()));  // family() lists parents first: never grows
    if (is_json_lines(format)) {
      json line = event->to_json();
      line["depth"] = depth;
      line["tree_parent"] = path.empty() ? json(nullptr) : json(path.back()->id.to_string());
      std::cout << line.dump() << "\n";
    } else if (format == "table") {
      print_table_row(*event, depth);
    } else {
      std::cout << std::string(level * 2, ' ') << event->event << "  " << event->id.to_string()
                << "  " << format_timestamp(event->occurred) << "\n";
    }
    path.push_back(event.get());
  }
}

void run_events(EventsOptions& options) {
  SqliteEventStore store(options.db);
  if (!options.tree.empty()) {
    auto family = store.family(Uuid::parse(options.tree));
    if (family.empty()) throw error("no stored event has id " + options.tree);
    print_tree(family, options.format);
    return;
  }
  if (options.format == "text") {
    throw ValidationError("--format", "text is the indented tree of --tree; use jsonl or table");
  }
  EventQuery q = options.filters.to_query();
  q.order = options.order == "asc" ? EventOrder::ascending : EventOrder::descending;
  q.limit = options.limit;
  q.offset = options.offset;
  q.cursor = options.cursor;
  q.include_total = false;
  EventPage page = store.query(q);
  for (const auto& event : page.events) {
    if (options.format == "table") {
      print_table_row(*event);
    } else {
      std::cout << event->dump() << "\n";
    }
  }
  if (!page.next_page.empty()) std::cerr << "next page: --cursor " << page.next_page << "\n";
}

}  // namespace

void add_events_command(CLI::App& app) {
  auto options = std::make_shared<EventsOptions>();
  auto* cmd = app.add_subcommand("events", "Read events from a SQLite event store");
  cmd->add_option("--db", options->db, "The event store (a SQLite file)")
      ->required()
      ->check(CLI::ExistingFile);
  add_query_options(*cmd, options->filters);
  cmd->add_option("--order", options->order, "asc or desc (by occurred)")
      ->check(CLI::IsMember({"asc", "desc"}));
  cmd->add_option("--limit", options->limit, "Events per page")->capture_default_str();
  cmd->add_option("--offset", options->offset, "Events to skip");
  cmd->add_option("--cursor", options->cursor,
                  "Page token printed on stderr after a full page (instead of --offset)");
  cmd->add_option("--format", options->format,
                  "jsonl or json (wire JSON, one event per line; with --tree also its depth and "
                  "tree_parent), table, or text (--tree only). Default: jsonl, text with --tree")
      ->check(CLI::IsMember({"jsonl", "json", "table", "text"}));
  cmd->add_option("--tree", options->tree,
                  "Print the family of this event id in tree order (indented, or as --format)");
  cmd->callback([options] { run_events(*options); });
}

}  // namespace eventwire::cli
