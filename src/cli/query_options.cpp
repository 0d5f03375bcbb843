#include "cli/query_options.hpp"

#include "eventwire/error.hpp"

namespace eventwire::cli {
namespace {

Timestamp option_time(const std::string& text, const char* option) {
  try {
    return parse_timestamp(text);
  } catch (const ParseError& e) {
    throw ValidationError(option, e.what());
  }
}

}  // namespace

EventQuery QueryOptions::to_query() const {
  EventQuery q{.event_names = names,
               .event_prefixes = prefixes,
               .exclude_names = exclude,
               .exclude_prefixes = exclude_prefixes,
               .resource_ids = resources,
               .resource_id_prefixes = resource_prefixes};
  if (!after.empty()) q.occurred_after = option_time(after, "--after");
  if (!before.empty()) q.occurred_before = option_time(before, "--before");
  // --label KEY=PATTERN, repeated: the patterns of one key are alternatives.
  for (const auto& label : labels) {
    auto equals = label.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw ValidationError("--label", "must be KEY=PATTERN, got '" + label + "'");
    }
    std::string key = label.substr(0, equals);
    std::vector<std::string> patterns;
    if (const LabelPatterns* existing = q.resource_labels.find(key))
      patterns = existing->patterns();
    patterns.push_back(label.substr(equals + 1));
    q.resource_labels.set(std::move(key), LabelPatterns(std::move(patterns)));
  }
  // Infrahub's branch and account filters (infrahub.md §5.2).
  InfrahubEventQuery infrahub{.branches = branches, .account_ids = accounts};
  auto related = infrahub.to_query().related;
  q.related.insert(q.related.end(), related.begin(), related.end());
  return q;
}

void add_query_options(CLI::App& cmd, QueryOptions& o) {
  cmd.add_option("--after", o.after, "Occurred at or after this ISO 8601 time");
  cmd.add_option("--before", o.before, "Occurred at or before this ISO 8601 time");
  cmd.add_option("--name", o.names, "Event name (repeatable: any of)");
  cmd.add_option("--prefix", o.prefixes, "Event name prefix (repeatable: any of)");
  cmd.add_option("--exclude", o.exclude, "Event name to leave out (repeatable)");
  cmd.add_option("--exclude-prefix", o.exclude_prefixes, "Event name prefix to leave out");
  cmd.add_option("--resource", o.resources, "Resource id (repeatable)");
  cmd.add_option("--resource-prefix", o.resource_prefixes, "Resource id prefix");
  cmd.add_option("--label", o.labels,
                 "Resource label KEY=PATTERN, trigger rules (glob, !negation); repeatable");
  cmd.add_option("--branch", o.branches, "Infrahub branch name (repeatable: any of)");
  cmd.add_option("--account", o.accounts, "Infrahub account id (repeatable: any of)");
}

}  // namespace eventwire::cli
