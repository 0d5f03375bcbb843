// Internal: appending to a JSON object whose keys are known to be distinct.
#pragma once

#include <string>
#include <utility>

#include "eventwire/json.hpp"

namespace eventwire::detail {

/// Appends `key: value` to `members`, which must not hold `key` yet. ordered_map is a vector of
/// pairs: this skips the linear search of emplace, which builders of known keys pay for nothing.
inline void append_member(json::object_t& members, std::string key, json value) {
  members.std::vector<json::object_t::value_type>::emplace_back(std::move(key), std::move(value));
}

}  // namespace eventwire::detail
