#include "template/format_conversions.hpp"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "detail/utf8.hpp"

namespace eventwire::detail {

IntegerParts integer_parts(const json& j) noexcept {
  if (j.is_boolean()) return {false, j.get<bool>() ? 1u : 0u};
  if (j.is_number_unsigned()) return {false, j.get<std::uint64_t>()};
  std::int64_t v = j.get<std::int64_t>();
  bool negative = v < 0;
  return {negative, negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v)};
}

std::string integer_digits(std::uint64_t magnitude, char type) {
  switch (type) {
    case 'x':
      return fmt::format("{:x}", magnitude);
    case 'X':
      return fmt::format("{:X}", magnitude);
    case 'o':
      return fmt::format("{:o}", magnitude);
    case 'b':
      return fmt::format("{:b}", magnitude);
    default:
      return fmt::format("{}", magnitude);
  }
}

double float_of(const json& j) noexcept {
  if (j.is_boolean()) return j.get<bool>() ? 1.0 : 0.0;
  if (j.is_number_float()) return j.get<double>();
  if (j.is_number_unsigned()) return static_cast<double>(j.get<std::uint64_t>());
  return static_cast<double>(j.get<std::int64_t>());
}

std::string float_digits(double magnitude, std::size_t precision, char type, bool alt) {
  std::string conversion = fmt::format("%{}.{}{}", alt ? "#" : "", precision, type);
  int n = std::snprintf(nullptr, 0, conversion.c_str(), magnitude);
  std::string body(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(body.data(), body.size(), conversion.c_str(), magnitude);
  body.resize(static_cast<std::size_t>(n));
  return body;
}

std::string python_chr(const Runtime& rt, std::int64_t code) {
  if (code < 0 || code >= 0x110000) rt.fail("OverflowError", "%c arg not in range(0x110000)");
  if (code >= 0xD800 && code <= 0xDFFF) {
    rt.fail("UnicodeEncodeError", "a surrogate cannot be rendered as UTF-8");
  }
  std::string out;
  utf8_append(out, static_cast<char32_t>(code));
  return out;
}

std::string ascii_escape(std::string_view repr) {
  std::string out;
  for (std::size_t i = 0; i < repr.size();) {
    std::size_t at = i;
    char32_t cp = next_code_point(repr, i);
    if (cp < 0x80) {
      out.append(repr, at, i - at);
    } else if (cp < 0x100) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if (cp < 0x10000) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out += fmt::format("\\U{:08x}", static_cast<unsigned>(cp));
    }
  }
  return out;
}

}  // namespace eventwire::detail
