// eventwire: tools for eventwire's events, triggers and templates from the shell.
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "eventwire/version.hpp"

int main(int argc, char** argv) {
  // Everything inside the try: building the commands can throw too (CLI::ConstructionError,
  // std::bad_alloc), and no exception may leave main.
  try {
    CLI::App app{"eventwire: Infrahub's event system, from the shell", "eventwire"};
    app.set_version_flag("--version", eventwire::version_string);
    app.require_subcommand(1);
    eventwire::cli::add_events_command(app);
    eventwire::cli::add_match_commands(app);
    eventwire::cli::add_template_commands(app);
    eventwire::cli::add_replay_command(app);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eventwire: %s\n", e.what());
    return 2;
  } catch (...) {
    std::fprintf(stderr, "eventwire: unknown error\n");
    return 2;
  }
  return 0;
}
