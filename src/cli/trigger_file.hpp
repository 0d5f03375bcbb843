// Trigger files, as `eventwire explain` and `eventwire replay` read them.
#pragma once

#include <string>
#include <vector>

#include "eventwire/json.hpp"
#include "eventwire/trigger.hpp"

namespace eventwire::cli {

/// One trigger of a file: the name it is reported under and its JSON, read into a definition
/// only when asked, so that one broken trigger does not hide the others.
struct TriggerFileEntry {
  std::string name{};  ///< the entry's `name` as written, or `#<position>`
  json source{};

  /// The entry as a definition: a bare trigger (Infrahub's or Prefect's form, named `name`), or
  /// a whole definition (TriggerDefinition::from_json: Infrahub's form, or Prefect's automation,
  /// whose deployments become workflows named `prefect.deployment.<id>`: the tool only matches).
  /// Throws ValidationError naming the field.
  TriggerDefinition definition() const;
};

/// Reads a triggers file: a JSON array (or one object) of triggers or trigger definitions, each
/// a bare trigger (`{"events", ...}`) or a definition with a `trigger` (`{"name", "trigger",
/// "actions", ...}` or a Prefect automation). Throws eventwire::error naming the file when it is
/// not JSON.
std::vector<TriggerFileEntry> read_trigger_file(const std::string& path);

}  // namespace eventwire::cli
