// Trigger files, as `eventwire explain` and `eventwire replay` read them.
#pragma once

#include <string>
#include <vector>

#include "eventwire/json.hpp"

namespace eventwire::cli {

/// One trigger of a file: its name (given, or `#<position>`) and its JSON.
struct TriggerFileEntry {
  std::string name{};
  json trigger{};
};

/// Reads a triggers file: a JSON array (or one object) of triggers in Infrahub's or Prefect's
/// form, each optionally wrapped as {"name": ..., "trigger": ...} (a trigger definition or an
/// automation). Throws eventwire::error naming the file when it is not JSON.
std::vector<TriggerFileEntry> read_trigger_file(const std::string& path);

}  // namespace eventwire::cli
