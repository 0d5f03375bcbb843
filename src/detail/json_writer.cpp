#include "detail/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "detail/utf8.hpp"
#include "eventwire/error.hpp"

namespace eventwire::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out += hex_digits[(unit >> shift) & 0xF];
}

// Bytes written as they are (no escape, no UTF-8 check needed) in `style`.
bool plain_byte(unsigned char c, const JsonStyle& style) {
  if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return false;
  if (c == 0x7F) return !style.ensure_ascii;
  return !style.html_safe || (c != '<' && c != '>' && c != '&' && c != '\'');
}

void write_string(std::string& out, std::string_view text, const JsonStyle& style) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    std::size_t run = i;  // copy runs of plain bytes at once: most text is plain ASCII
    while (run < text.size() && plain_byte(static_cast<unsigned char>(text[run]), style))
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
      out += std::to_string(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
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
        if (!first) out += style.indent ? "," : style.item_separator;
        first = false;
        newline(out, style, depth + 1);
        write_value(out, item, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out += ']';
      return;
    }
    case json::value_t::object: {
      std::vector<const json::object_t::value_type*> members;
      members.reserve(value.size());
      for (const auto& member : value.get_ref<const json::object_t&>())
        members.push_back(&member);
      if (style.sort_keys) {  // byte order of UTF-8 = code point order, as Python sorts str keys
        std::sort(members.begin(), members.end(),
                  [](auto* a, auto* b) { return a->first < b->first; });
      }
      out += '{';
      bool first = true;
      for (const auto* member : members) {
        if (!first) out += style.indent ? "," : style.item_separator;
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
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
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
