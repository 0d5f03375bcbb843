// Internal: the Unicode properties Python's str methods use, as CPython 3.11 (Unicode 14.0).
#pragma once

namespace eventwire::detail {

/// `chr(cp).isprintable()`: false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs but space.
bool is_python_printable(char32_t cp) noexcept;

/// `chr(cp).isspace()`: the 29 code points `str.split()`/`str.strip()` treat as whitespace.
bool is_python_space(char32_t cp) noexcept;

}  // namespace eventwire::detail

namespace eventwire::detail {

/// `chr(cp).lower()` / `.upper()` as UTF-8 when it differs from `cp`, else nullptr.
const char* python_lower_mapping(char32_t cp) noexcept;
const char* python_upper_mapping(char32_t cp) noexcept;

}  // namespace eventwire::detail
