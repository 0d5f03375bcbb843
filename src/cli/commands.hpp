// The `eventwire` command line tool: each subcommand registers itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace eventwire::cli {

/// `eventwire events --db FILE [filters...]`: reads stored events.
void add_events_command(CLI::App& app);

}  // namespace eventwire::cli
