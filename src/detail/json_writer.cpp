#include "detail/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "detail/utf8.hpp"
#include "eventwire/error.hpp"

namespace eventwire::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned unit) {
  const char escape[6] = {'\\',
                          'u',
                          hex_digits[(unit >> 12) & 0xF],
                          hex_digits[(unit >> 8) & 0xF],
                          hex_digits[(unit >> 4) & 0xF],
                          hex_digits[unit & 0xF]};
  out.append(escape, sizeof escape);
}

// Bytes written as they are (no escape, no UTF-8 check needed) in `style`: one table per
// combination of ensure_ascii and html_safe, built at compile time.
struct PlainBytes {
  bool plain[256] = {};
};

constexpr PlainBytes make_plain_bytes(bool ensure_ascii, bool html_safe) {
  PlainBytes t;
  for (unsigned c = 0; c < 256; ++c) {
    bool p = !(c < 0x20 || c == '"' || c == '\\' || c >= 0x80);
    if (c == 0x7F) p = !ensure_ascii;
    if (html_safe && (c == '<' || c == '>' || c == '&' || c == '\'')) p = false;
    t.plain[c] = p;
  }
  return t;
}

constexpr PlainBytes plain_tables[4] = {
    make_plain_bytes(false, false), make_plain_bytes(false, true), make_plain_bytes(true, false),
    make_plain_bytes(true, true)};

const PlainBytes& plain_bytes(const JsonStyle& style) {
  return plain_tables[(style.ensure_ascii ? 2 : 0) + (style.html_safe ? 1 : 0)];
}

void write_string(std::string& out, std::string_view text, const JsonStyle& style) {
  const bool* plain = plain_bytes(style).plain;
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    std::size_t run = i;  // copy runs of plain bytes at once: most text is plain ASCII
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    while (run + 8 <= text.size() &&
           (plain[bytes[run]] & plain[bytes[run + 1]] & plain[bytes[run + 2]] &
            plain[bytes[run + 3]] & plain[bytes[run + 4]] & plain[bytes[run + 5]] &
            plain[bytes[run + 6]] & plain[bytes[run + 7]]))
      run += 8;
    while (run < text.size() && plain[bytes[run]])
      ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    i = run;
    char32_t cp = 0;
    std::size_t length = utf8_decode(text, i, cp);
    if (is_escaped_byte(cp)) {
      throw ValidationError("JSON string",
                            fmt::format("is not valid UTF-8 (byte {} of \"{}\")", i,
                                        text.substr(0, std::min<std::size_t>(i, 40))));
    }
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (cp < 0x20 || (style.ensure_ascii && cp >= 0x7F) ||
            (style.html_safe && (cp == '<' || cp == '>' || cp == '&' || cp == '\''))) {
          if (cp >= 0x10000) {  // UTF-16 surrogate pair, as json.dumps writes astral characters
            append_u_escape(out, 0xD800 + ((cp - 0x10000) >> 10));
            append_u_escape(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
          } else {
            append_u_escape(out, static_cast<unsigned>(cp));
          }
        } else {
          out.append(text.substr(i, length));
        }
    }
    i += length;
  }
  out += '"';
}

template <typename Int>
void append_integer(std::string& out, Int value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void newline(std::string& out, const JsonStyle& style, int depth) {
  if (!style.indent) return;
  out += '\n';
  for (int i = 0; i < depth; ++i)
    out += *style.indent;
}

void write_value(std::string& out, const json& value, const JsonStyle& style, int depth) {
  switch (value.type()) {
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      append_integer(out, value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      append_integer(out, value.get<std::uint64_t>());
      return;
    case json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isfinite(d)) {
        out += format_float(d, style.python_floats);
      } else if (!style.python_floats) {
        out += "null";  // pydantic's default for inf/nan (ser_json_inf_nan='null')
      } else {
        out += std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity";
      }
      return;
    }
    case json::value_t::string:
      write_string(out, value.get_ref<const std::string&>(), style);
      return;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += style.indent ? std::string_view(",") : style.item_separator;
        first = false;
        newline(out, style, depth + 1);
        write_value(out, item, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out += ']';
      return;
    }
    case json::value_t::object: {
      // Members in writing order; objects of up to 32 members need no allocation.
      using Member = const json::object_t::value_type*;
      const auto& object = value.get_ref<const json::object_t&>();
      std::array<Member, 32> small;
      std::vector<Member> large;
      Member* members = small.data();
      if (object.size() > small.size()) {
        large.resize(object.size());
        members = large.data();
      }
      std::size_t count = 0;
      for (const auto& member : object)
        members[count++] = &member;
      if (style.sort_keys) {  // byte order of UTF-8 = code point order, as Python sorts str keys
        std::sort(members, members + count, [](Member a, Member b) {
          // Most keys differ in their first byte: decide those without a call to memcmp.
          const std::string &x = a->first, &y = b->first;
          if (!x.empty() && !y.empty() && x[0] != y[0])
            return static_cast<unsigned char>(x[0]) < static_cast<unsigned char>(y[0]);
          return x < y;
        });
      }
      out += '{';
      bool first = true;
      for (const Member member : std::span<const Member>(members, count)) {
        if (!first) out += style.indent ? std::string_view(",") : style.item_separator;
        first = false;
        newline(out, style, depth + 1);
        write_string(out, member->first, style);
        out += style.key_separator;
        write_value(out, member->second, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out += '}';
      return;
    }
    default:
      out += "null";
      return;  // binary values never come from JSON text
  }
}

}  // namespace

std::string format_float(double value, bool python_style) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));  // [-]d[.ddd]e±XX
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int lowest_fixed = python_style ? -4 : -5;
  if (exponent >= lowest_fixed && exponent <= 15) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else if (auto whole = static_cast<std::size_t>(exponent) + 1; digits.size() <= whole) {
      out += digits + std::string(whole - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, whole) + "." + digits.substr(whole);
    }
    return out;
  }
  out.append(digits, 0, 1);
  if (digits.size() > 1) {
    out += '.';
    out.append(digits, 1);
  }
  out += exponent < 0 ? "e-" : "e+";
  out +=
      python_style ? fmt::format("{:02}", std::abs(exponent)) : std::to_string(std::abs(exponent));
  return out;
}

void write_json(std::string& out, const json& value, const JsonStyle& style) {
  write_value(out, value, style, 0);
}

void write_json_string(std::string& out, std::string_view text, const JsonStyle& style) {
  write_string(out, text, style);
}

std::string to_json_text(const json& value, const JsonStyle& style) {
  std::string out;
  write_json(out, value, style);
  return out;
}

}  // namespace eventwire::detail
