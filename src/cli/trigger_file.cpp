#include "cli/trigger_file.hpp"

#include "cli/json_lines.hpp"

namespace eventwire::cli {
namespace {

bool is_definition(const json& entry) {
  return entry.is_object() && entry.contains("trigger");
}

}  // namespace

TriggerDefinition TriggerFileEntry::definition() const {
  if (!is_definition(source)) return {.name = name, .trigger = EventTrigger::from_json(source)};
  auto deployment = [](std::string_view id) -> std::optional<WorkflowDefinition> {
    return WorkflowDefinition{.name = "prefect.deployment." + std::string(id)};
  };
  if (source.contains("name")) return TriggerDefinition::from_json(source, deployment);
  json named = source;  // unnamed definitions are reported by position, as bare triggers are
  named["name"] = name;
  return TriggerDefinition::from_json(named, deployment);
}

std::vector<TriggerFileEntry> read_trigger_file(const std::string& path) {
  json triggers = read_json_file(path);
  if (!triggers.is_array()) triggers = json::array({triggers});
  std::vector<TriggerFileEntry> out;
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    json& entry = triggers[i];
    TriggerFileEntry item{.name = "#" + std::to_string(i + 1)};
    if (is_definition(entry) && entry.contains("name") && entry["name"].is_string())
      item.name = entry["name"].get<std::string>();
    item.source = std::move(entry);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace eventwire::cli
