// Internal: the conversions of one value that Python's two string-formatting languages share,
// printf-style `format % args` (percent_format.cpp) and `str.format` (str_format.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "template/runtime.hpp"

namespace eventwire::detail {

/// An int or bool JSON value as sign and magnitude (JSON integers span int64 and uint64).
struct IntegerParts {
  bool negative = false;
  std::uint64_t magnitude = 0;
};
/// `j` must be an integer or a boolean (True is 1).
IntegerParts integer_parts(const json& j) noexcept;

/// The digits of `magnitude` in the base `type` names: `x`/`X` hex (lower/upper case), `o`
/// octal, `b` binary, anything else decimal. No sign, no prefix.
std::string integer_digits(std::uint64_t magnitude, char type);

/// Python's float() of a JSON number or bool.
double float_of(const json& j) noexcept;

/// C's `%.<precision><type>` (with `#` when `alt`) of a non-negative double, `type` one of
/// e E f F g G. glibc rounds the exact binary value half to even, as CPython does, so the
/// digits are Python's; infinity and NaN print `inf`/`nan` (`INF`/`NAN` for upper-case types).
/// The caller bounds `precision` (the text is about precision bytes long).
std::string float_digits(double magnitude, std::size_t precision, char type, bool alt);

/// Python's chr(code) as UTF-8: OverflowError outside range(0x110000), UnicodeEncodeError for a
/// surrogate (which the output cannot hold).
std::string python_chr(const Runtime& rt, std::int64_t code);

/// Python's ascii() of a repr: `repr` with non-ASCII characters as \xNN, \uNNNN or \UNNNNNNNN.
std::string ascii_escape(std::string_view repr);

}  // namespace eventwire::detail
