// Internal: UTF-8 decoding and encoding, shared by the glob matcher, Python formatting, the JSON
// writer and the template engine. A byte that does not start a valid UTF-8 sequence decodes as
// one character, U+DC80..U+DCFF, exactly as Python's `surrogateescape` decoding presents it;
// valid UTF-8 never decodes to those code points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace eventwire::detail {

inline bool is_escaped_byte(char32_t c) noexcept {
  return c >= 0xDC80 && c <= 0xDCFF;
}

/// Decodes the character at byte `at` (< text.size()) into `c`; returns its width in bytes.
inline std::size_t utf8_decode(std::string_view text, std::size_t at, char32_t& c) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(at);
  if (b0 < 0x80) {
    c = b0;
    return 1;
  }
  std::size_t width = 0;
  unsigned char lo = 0x80,
                hi = 0xBF;  // allowed range of the second byte (no overlongs, surrogates)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  }
  if (width == 0 || text.size() - at < width || byte(at + 1) < lo || byte(at + 1) > hi) {
    c = 0xDC00 + b0;
    return 1;
  }
  char32_t value = b0 & (0xFF >> (width + 1));
  for (std::size_t i = 1; i < width; ++i) {
    const unsigned char b = byte(at + i);
    if ((b & 0xC0) != 0x80) {
      c = 0xDC00 + b0;
      return 1;
    }
    value = (value << 6) | (b & 0x3F);
  }
  c = value;
  return width;
}

/// How many leading bytes of `text` are plain ASCII, checked eight at a time; a tail shorter than
/// a word is checked as the last eight bytes when the text has that many (labels and names are
/// mostly short, so the tail is most of the work).
inline std::size_t ascii_prefix_length(std::string_view text) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080u;
  const char* p = text.data();
  const std::size_t n = text.size();
  std::uint64_t word = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&word, p + i, 8);
    if (word & high_bits) return i;
  }
  if (n >= 8) {
    std::memcpy(&word, p + n - 8, 8);
    return (word & high_bits) ? i : n;
  }
  while (i < n && static_cast<unsigned char>(p[i]) < 0x80)
    ++i;
  return i;
}

/// Whether `text` is valid UTF-8 (ASCII runs are skipped a word at a time).
inline bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0;;) {
    i += ascii_prefix_length(text.substr(i));
    if (i == text.size()) return true;
    char32_t c = 0;
    i += utf8_decode(text, i, c);
    if (is_escaped_byte(c)) return false;
  }
}

/// Appends the UTF-8 form of `c` (a code point that is not a surrogate).
inline void utf8_append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

/// Characters in `text` (escaped bytes count one each).
inline std::size_t utf8_count(std::string_view text) noexcept {
  std::size_t count = 0;
  char32_t c = 0;
  for (std::size_t at = 0; at < text.size(); ++count)
    at += utf8_decode(text, at, c);
  return count;
}

/// The byte `characters` characters after byte `at`.
inline std::size_t utf8_advance(std::string_view text, std::size_t at,
                                std::size_t characters) noexcept {
  char32_t c = 0;
  for (; characters > 0 && at < text.size(); --characters)
    at += utf8_decode(text, at, c);
  return at;
}

/// Decodes the character at text[i] and advances i past it. A byte that does not start a valid
/// sequence decodes as the byte's own value (so no input is lost and every loop advances).
inline char32_t next_code_point(std::string_view text, std::size_t& i) noexcept {
  char32_t c = 0;
  i += utf8_decode(text, i, c);
  return is_escaped_byte(c) ? c - 0xDC00 : c;
}

}  // namespace eventwire::detail
