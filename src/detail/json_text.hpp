// Internal: reading untrusted JSON text with limits, shared by every parser in src/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "eventwire/json.hpp"

namespace eventwire::detail {

/// Parses `text` (what = "event JSON", "trigger JSON", ... for messages). Throws LimitError when
/// the text is longer than max_bytes or nests deeper than max_depth (checked while parsing, so
/// hostile input never reaches the stack), ParseError when it is not JSON. `enclosing_levels`
/// are allowed on top of max_depth, for a limit that applies to a member (an event's payload sits
/// one level inside the event), and the message still names max_depth.
json parse_json_text(std::string_view text, std::string_view what, std::size_t max_bytes,
                     std::size_t max_depth, std::size_t enclosing_levels = 0);

/// Python's `type(x).__name__` for a JSON value, for messages ("got int").
std::string_view json_type_name(const json& value);

/// Unicode code points in UTF-8 text (Python's `len` of the decoded string).
std::size_t utf8_length(std::string_view text) noexcept;

/// The member `key` of a JSON object, or nullptr when absent.
const json* json_member(const json& object, std::string_view key);

/// Throws ValidationError(field, "must be <expected>, got <Python type name>").
[[noreturn]] void wrong_json_type(std::string field, std::string_view expected, const json& got);

/// For an upstream field eventwire does not model: returns when `value` is absent (nullptr) or
/// equals `expected` (the upstream default), else throws ValidationError(field, "must be
/// <expected> (<why>), got <value>"). The value is quoted even when its strings are not UTF-8.
void require_default(const json* value, std::string field, const json& expected,
                     std::string_view why);

}  // namespace eventwire::detail
