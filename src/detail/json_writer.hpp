// Internal: one JSON writer for the two dialects eventwire must reproduce byte for byte:
// pydantic's `model_dump_json` (Prefect's wire form) and Python's `json.dumps` (Jinja's `tojson`).
#pragma once

#include <string>

#include "eventwire/json.hpp"

namespace eventwire::detail {

struct JsonStyle {
  const char* item_separator = ",";
  const char* key_separator = ":";
  /// Negative: one line. Otherwise newline + indent spaces per level (json.dumps's indent=N).
  int indent = -1;
  bool sort_keys = false;
  /// Escape everything >= 0x7F as \uXXXX (UTF-16 surrogate pairs above the BMP).
  bool ensure_ascii = false;
  /// Also escape < > & ' as \u003c \u003e \u0026 \u0027 (Jinja's htmlsafe_json_dumps).
  bool html_safe = false;
  /// Python float repr (exponent from 1e16 and below 1e-4, two exponent digits) instead of
  /// pydantic's (exponent from 1e16 and below 1e-5, no zero padding: `1e-7`).
  bool python_floats = false;
};

/// pydantic's compact form: what Prefect writes on the wire.
inline constexpr JsonStyle pydantic_style{};
/// `json.dumps(v, sort_keys=True)` plus Jinja's HTML escaping: what `tojson` writes.
inline constexpr JsonStyle tojson_style{", ", ": ", -1, true, true, true, true};

/// Appends `value` to `out` in `style`. Throws ValidationError on invalid UTF-8 in a string.
void write_json(std::string& out, const json& value, const JsonStyle& style);
std::string to_json_text(const json& value, const JsonStyle& style);
/// Appends one JSON string literal (quotes included).
void write_json_string(std::string& out, std::string_view text, const JsonStyle& style);

/// Shortest round-trip digits of `value` written in pydantic's or Python's float style.
std::string format_float(double value, bool python_style);

}  // namespace eventwire::detail
