// Internal: splits template source into tokens, applying Jinja's whitespace control, comments
// and raw blocks on the way, so the parser sees only data, tags and expression tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/json.hpp"

namespace eventwire::detail {

enum class Tok : std::uint8_t {
  data,         // literal text (value)
  var_begin,    // {{
  var_end,      // }}
  block_begin,  // {%
  block_end,    // %}
  name,         // identifier (text)
  string,       // string literal (value, unescaped)
  integer,      // number (number)
  floating,     // number (number)
  op,           // operator (text)
  eof,
};

// clang-tidy 14 sees an exception escaping the implicit move of a string member (LLVM #54956).
struct Token {  // NOLINT(bugprone-exception-escape)
  Tok kind = Tok::eof;
  std::uint32_t pos = 0;    // offset in the normalized source
  std::string_view text{};  // the token's characters in the source
  std::string value{};      // data and string tokens
  json number{};            // integer and floating tokens
};

/// Jinja's newline normalization: `\r\n` and `\r` become `\n`, and one trailing newline is
/// dropped (keep_trailing_newline=False).
std::string normalize_newlines(std::string_view source);

/// Tokenizes normalized source. Throws TemplateSyntaxError.
std::vector<Token> tokenize(std::string_view source);

/// Throws TemplateSyntaxError with the line and column of `pos` in `source`.
[[noreturn]] void throw_syntax_error(std::string_view source, std::size_t pos,
                                     const std::string& message);

}  // namespace eventwire::detail
