// Internal: UTF-8 decoding and encoding, shared by Python formatting and the template engine.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventwire::detail {

/// Decodes one code point at text[i] and advances i. A byte that does not start a well-formed
/// sequence decodes as itself (so no input is lost and every loop advances).
char32_t next_code_point(std::string_view text, std::size_t& i) noexcept;

/// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace eventwire::detail
