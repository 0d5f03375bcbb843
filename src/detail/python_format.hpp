// Internal: Python's str()/repr() of JSON values, where Python formatting leaks into output
// (Infrahub's attribute labels use str(value); Jinja prints str() of every rendered value).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventwire/json.hpp"

namespace eventwire::detail {

/// Python's `type(x).__name__` for a JSON value: `NoneType`, `bool`, `int`, `float`, `str`,
/// `list`, `dict`; `Undefined` for a discarded value (Jinja's Undefined), `bytes` for binary.
std::string_view python_type_name(const json& value) noexcept;

/// Python `repr(float)`: shortest round-trip digits, fixed notation iff -4 <= exponent <= 15,
/// `1.0`, `1e+16`, `1e-05`, `nan`, `inf`, `-0.0`.
std::string python_float_repr(double value);

/// Python `repr(str)`: single quotes unless the text has `'` and no `"`, with CPython's escapes.
std::string python_string_repr(std::string_view text);

/// Python `repr()` of a JSON value: `'text'`, `True`, `None`, `1.0`, `['a', 1]`, `{'k': 1}`.
std::string python_repr(const json& value);

/// As python_string_repr / python_repr, appending to `out` (no intermediate strings).
void append_python_string_repr(std::string& out, std::string_view text);
void append_python_repr(std::string& out, const json& value);

/// Python `str()` of a JSON value: as repr, except a string is itself. A discarded value stands
/// for Jinja's Undefined: `str()` is empty and `repr()` is `Undefined`.
std::string python_str(const json& value);

/// Python's `str.lower()` / `str.upper()`, full Unicode mapping (`'ß'.upper()` is `SS`).
std::string python_lower(std::string_view text);
std::string python_upper(std::string_view text);

/// Python's `str.strip()` / `lstrip()` / `rstrip()` with no argument (Unicode whitespace).
std::string_view python_strip(std::string_view text, bool left = true, bool right = true);
/// `str.strip(chars)`: strips the code points in `chars`.
std::string_view python_strip_chars(std::string_view text, std::string_view chars, bool left = true,
                                    bool right = true);

/// `str.replace(old, new, count)`; count < 0 replaces all. An empty `old` inserts `new` between
/// code points.
std::string python_replace(std::string_view text, std::string_view old, std::string_view with,
                           long long count = -1);

/// `str.split()` (runs of whitespace, no empty parts) when `sep` is null, else `str.split(sep)`;
/// at most `maxsplit` splits when maxsplit >= 0.
std::vector<std::string> python_split(std::string_view text, const std::string* sep,
                                      long long maxsplit = -1);

/// `str.title()` and `str.capitalize()`.
std::string python_title(std::string_view text);
std::string python_capitalize(std::string_view text);

}  // namespace eventwire::detail
