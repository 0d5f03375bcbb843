// Internal: one JSON writer for the two dialects eventwire must reproduce byte for byte:
// pydantic's `model_dump_json` (Prefect's wire form) and Python's `json.dumps` as Jinja's
// `tojson` calls it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eventwire/error.hpp"
#include "eventwire/json.hpp"

namespace eventwire::detail {

struct JsonStyle {
  std::string_view item_separator = ",";
  std::string_view key_separator = ":";
  /// Unset: one line. Set: a newline, then this text once per level (json.dumps's indent), and
  /// "," between items.
  std::optional<std::string_view> indent = std::nullopt;
  bool sort_keys = false;
  /// Escape everything >= 0x7F as \uXXXX (UTF-16 surrogate pairs above the BMP).
  bool ensure_ascii = false;
  /// Also escape < > & ' as \u003c \u003e \u0026 \u0027 (Jinja's htmlsafe_json_dumps).
  bool html_safe = false;
  /// Python float repr (exponent from 1e16 and below 1e-4, two exponent digits; NaN, Infinity)
  /// instead of pydantic's (exponent from 1e16 and below 1e-5, `1e-7`; null for inf and nan).
  bool python_floats = false;
};

/// pydantic's compact form: what Prefect writes on the wire.
inline constexpr JsonStyle pydantic_style{};
/// `json.dumps(v, sort_keys=True)` plus Jinja's HTML escaping: what `tojson` writes.
inline constexpr JsonStyle tojson_style{", ", ": ", std::nullopt, true, true, true, true};

/// Appends `value` to `out` in `style`. Throws ValidationError on invalid UTF-8 in a string. A
/// discarded or binary value (neither comes from JSON text; templates reject Undefined before
/// writing) is written as `null`.
void write_json(std::string& out, const json& value, const JsonStyle& style);
std::string to_json_text(const json& value, const JsonStyle& style);
/// Appends one JSON string literal (quotes included).
void write_json_string(std::string& out, std::string_view text, const JsonStyle& style);

/// Shortest round-trip digits of a finite `value` in Python's repr or pydantic's float style.
std::string format_float(double value, bool python_style);

}  // namespace eventwire::detail
