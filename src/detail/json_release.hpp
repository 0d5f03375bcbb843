// Internal: freeing JSON trees cheaply. nlohmann::json's destructor first moves every
// container's items into a heap-allocated stack (so that any depth is safe); for the small trees
// of events and workflow parameters that costs more than the tree itself.
#pragma once

#include "eventwire/json.hpp"

namespace eventwire::detail {

/// Empties every container of `value` depth-first, children before parents, down to `levels`
/// levels, so that its destructor later meets only scalars and empty containers (for which it
/// allocates nothing). Containers deeper than `levels` are left to that destructor.
inline void release_json_tree(json& value, int levels = 128) noexcept {
  if (levels == 0) return;
  if (value.is_object()) {
    auto& members = value.get_ref<json::object_t&>();
    for (auto& member : members) {
      if (member.second.is_structured()) release_json_tree(member.second, levels - 1);
    }
    members.clear();
  } else if (value.is_array()) {
    auto& items = value.get_ref<json::array_t&>();
    for (auto& item : items) {
      if (item.is_structured()) release_json_tree(item, levels - 1);
    }
    items.clear();
  }
}

}  // namespace eventwire::detail
