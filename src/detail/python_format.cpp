#include "detail/python_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>

namespace eventwire::detail {
namespace {

// Decodes one UTF-8 code point at text[i], advancing i. Invalid bytes decode as themselves.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  std::size_t extra = c < 0x80           ? 0
                      : (c >> 5) == 0x6  ? 1
                      : (c >> 4) == 0xE  ? 2
                      : (c >> 3) == 0x1E ? 3
                                         : 0;
  if (extra == 0 || i + extra >= text.size()) {
    ++i;
    return c;
  }
  char32_t cp = c & (0x3Fu >> extra);
  for (std::size_t k = 1; k <= extra; ++k)
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  i += extra + 1;
  return cp;
}

// CPython's str.isprintable() is false for these non-ASCII code points. This is the short list of
// the ones text realistically contains (jinja.md 2.7); the full Unicode table is a known gap.
bool is_unprintable_non_ascii(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || (cp >= 0x2000 && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 ||
         cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xE000 && cp <= 0xF8FF);
}

}  // namespace

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  // sci = [-]d[.ddd]e[+-]XX
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  auto e = sci.find('e');
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent <= 15) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      auto integer_digits = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= integer_digits) {
        out += digits + std::string(integer_digits - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
      }
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  return out;
}

std::string python_string_repr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t start = i;
    char32_t cp = next_code_point(text, i);
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if (cp >= 0x80 && is_unprintable_non_ascii(cp)) {
      auto n = static_cast<unsigned>(cp);
      out += n <= 0xFF     ? fmt::format("\\x{:02x}", n)
             : n <= 0xFFFF ? fmt::format("\\u{:04x}", n)
                           : fmt::format("\\U{:08x}", n);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  out += quote;
  return out;
}

std::string python_repr(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "None";
    case json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return python_float_repr(value.get<double>());
    case json::value_t::string:
      return python_string_repr(value.get_ref<const std::string&>());
    case json::value_t::array: {
      std::string out = "[";
      for (const auto& item : value) {
        if (out.size() > 1) out += ", ";
        out += python_repr(item);
      }
      return out + "]";
    }
    case json::value_t::object: {
      std::string out = "{";
      for (const auto& [key, item] : value.items()) {
        if (out.size() > 1) out += ", ";
        out += python_string_repr(key) + ": " + python_repr(item);
      }
      return out + "}";
    }
    default:
      return "b''";
  }
}

std::string python_str(const json& value) {
  return value.is_string() ? value.get<std::string>() : python_repr(value);
}

}  // namespace eventwire::detail
