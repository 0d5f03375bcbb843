#include "cli/trigger_file.hpp"

#include "cli/json_lines.hpp"

namespace eventwire::cli {

std::vector<TriggerFileEntry> read_trigger_file(const std::string& path) {
  json triggers = read_json_file(path);
  if (!triggers.is_array()) triggers = json::array({triggers});
  std::vector<TriggerFileEntry> out;
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    json& entry = triggers[i];
    TriggerFileEntry item{.name = "#" + std::to_string(i + 1)};
    if (entry.is_object() && entry.contains("trigger")) {
      if (entry.contains("name") && entry["name"].is_string())
        item.name = entry["name"].get<std::string>();
      item.trigger = std::move(entry["trigger"]);
    } else {
      item.trigger = std::move(entry);
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace eventwire::cli
