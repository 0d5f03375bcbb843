// The `eventwire` command line tool: each subcommand registers itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace eventwire::cli {

/// `eventwire events --db FILE [filters...]`: reads stored events.
void add_events_command(CLI::App& app);
/// `eventwire match` (JSON Lines) and `eventwire explain --triggers FILE --event FILE`.
void add_match_commands(CLI::App& app);
/// `eventwire render` and `eventwire hydrate` (JSON Lines).
void add_template_commands(CLI::App& app);
/// `eventwire replay --db FILE --triggers FILE [filters...]`: which triggers would fire.
void add_replay_command(CLI::App& app);

}  // namespace eventwire::cli
