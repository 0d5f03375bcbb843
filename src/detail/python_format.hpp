// Internal: Python's str()/repr() of JSON values, where Python formatting leaks into output
// (Infrahub's attribute labels use str(value); Jinja prints str() of every rendered value).
#pragma once

#include <string>
#include <string_view>

#include "eventwire/json.hpp"

namespace eventwire::detail {

/// Python `repr(float)`: shortest round-trip digits, fixed notation iff -4 <= exponent <= 15,
/// `1.0`, `1e+16`, `1e-05`, `nan`, `inf`, `-0.0`.
std::string python_float_repr(double value);

/// Python `repr(str)`: single quotes unless the text has `'` and no `"`, with CPython's escapes.
std::string python_string_repr(std::string_view text);

/// Python `repr()` of a JSON value: `'text'`, `True`, `None`, `1.0`, `['a', 1]`, `{'k': 1}`.
std::string python_repr(const json& value);

/// Python `str()` of a JSON value: as repr, except a string is itself.
std::string python_str(const json& value);

}  // namespace eventwire::detail
