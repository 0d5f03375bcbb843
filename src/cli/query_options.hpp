// The filter options `eventwire events` and `eventwire replay` share, turned into an EventQuery.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "eventwire/store.hpp"

namespace eventwire::cli {

/// Filters as typed on the command line.
struct QueryOptions {
  std::string after{}, before{};
  std::vector<std::string> names{}, prefixes{}, exclude{}, exclude_prefixes{};
  std::vector<std::string> resources{}, resource_prefixes{}, labels{}, branches{}, accounts{};

  /// The query; throws ValidationError naming the option (`--after`, `--label`) for bad input.
  EventQuery to_query() const;
};

/// Adds `--after --before --name --prefix --exclude --exclude-prefix --resource
/// --resource-prefix --label --branch --account` to `command`.
void add_query_options(CLI::App& command, QueryOptions& options);

}  // namespace eventwire::cli
