#include "detail/json_text.hpp"

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "eventwire/error.hpp"

namespace eventwire::detail {

json parse_json_text(std::string_view text, std::string_view what, std::size_t max_bytes,
                     std::size_t max_depth, std::size_t enclosing_levels) {
  if (text.size() > max_bytes) {
    throw LimitError(std::string(what),
                     fmt::format("is {} bytes; at most {} bytes are read", text.size(), max_bytes));
  }
  auto guard = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) >= max_depth + enclosing_levels) {
      throw LimitError(std::string(what),
                       fmt::format("nests deeper than {} levels (max_json_depth)", max_depth));
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), guard);
  } catch (const json::exception& e) {
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, ...";
    // a number too large for a double is out_of_range.406 ("number overflow parsing '1e999'").
    std::string message = e.what();
    for (std::string_view start : {"parse error", "number overflow"}) {
      if (auto found = message.find(start); found != std::string::npos) {
        message = message.substr(found);
        break;
      }
    }
    throw ParseError(fmt::format("{}: {}", what, message));
  }
}

std::string_view json_type_name(const json& value) {
  return value.is_null() ? "None"
                         : python_type_name(value);  // "got None" reads better than NoneType
}

std::size_t utf8_length(std::string_view text) noexcept {
  std::size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80;
  return n;
}

const json* json_member(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void wrong_json_type(std::string field, std::string_view expected, const json& got) {
  throw ValidationError(std::move(field),
                        fmt::format("must be {}, got {}", expected, json_type_name(got)));
}

void require_default(const json* value, std::string field, const json& expected,
                     std::string_view why) {
  if (value == nullptr || *value == expected) return;
  throw ValidationError(std::move(field),
                        fmt::format("must be {} ({}), got {}", expected.dump(), why,
                                    value->dump(-1, ' ', false, json::error_handler_t::replace)));
}

}  // namespace eventwire::detail
