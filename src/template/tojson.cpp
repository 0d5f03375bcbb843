// Jinja's `tojson` as Prefect runs it: json.dumps(value, sort_keys=True[, indent=N]) with
// ensure_ascii, then `<`, `>`, `&`, `'` replaced by \u003c, \u003e, \u0026, \u0027.
// nlohmann's dump() differs in separators and float digits, so this writer is our own.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

void write_hex4(std::string& out, unsigned v) {
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out.push_back(digits[(v >> shift) & 0xF]);
}

// Bytes that json.dumps(ensure_ascii=True) plus Jinja's HTML-safe pass write unchanged.
constexpr bool plain_byte(unsigned char c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' &&
         c != '\'';
}

void write_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    // Copy runs of plain bytes at once: most text is plain ASCII.
    std::size_t run = i;
    while (run < s.size() && plain_byte(static_cast<unsigned char>(s[run])))
      ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    i = run;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '<':
          out += "\\u003c";
          break;
        case '>':
          out += "\\u003e";
          break;
        case '&':
          out += "\\u0026";
          break;
        default:
          out += "\\u0027";
          break;  // '
      }
      continue;
    }
    char32_t cp = next_code_point(s, i);
    switch (cp) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (cp >= 0x10000) {
          char32_t v = cp - 0x10000;
          write_hex4(out, 0xD800 + static_cast<unsigned>(v >> 10));
          write_hex4(out, 0xDC00 + static_cast<unsigned>(v & 0x3FF));
        } else {
          write_hex4(out, static_cast<unsigned>(cp));
        }
    }
  }
  out.push_back('"');
}

void newline(std::string& out, const std::string& indent, int level) {
  out.push_back('\n');
  for (int i = 0; i < level; ++i)
    out += indent;
}

void write_value(std::string& out, const json& v, const std::string* indent, int level) {
  switch (v.type()) {
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      return;
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d < 0 ? "-Infinity" : "Infinity";
      else
        out += python_float_repr(d);
      return;
    }
    case json::value_t::string:
      write_string(out, v.get_ref<const std::string&>());
      return;
    case json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += indent ? "," : ", ";
        first = false;
        if (indent) newline(out, *indent, level + 1);
        write_value(out, e, indent, level + 1);
      }
      if (indent) newline(out, *indent, level);
      out.push_back(']');
      return;
    }
    case json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      // Keys by code point: on UTF-8 that is byte order.
      std::vector<const std::pair<const std::string, json>*> entries;
      entries.reserve(v.size());
      for (const auto& entry : v.get_ref<const json::object_t&>())
        entries.push_back(&entry);
      std::sort(entries.begin(), entries.end(),
                [](auto* a, auto* b) { return a->first < b->first; });
      out.push_back('{');
      bool first = true;
      for (const auto* entry : entries) {
        if (!first) out += indent ? "," : ", ";
        first = false;
        if (indent) newline(out, *indent, level + 1);
        write_string(out, entry->first);
        out += ": ";
        write_value(out, entry->second, indent, level + 1);
      }
      if (indent) newline(out, *indent, level);
      out.push_back('}');
      return;
    }
    case json::value_t::discarded:
      throw TemplateRuntimeError("Object of type Undefined is not JSON serializable", "TypeError");
    default:
      throw TemplateRuntimeError("Object of type bytes is not JSON serializable", "TypeError");
  }
}

}  // namespace

void write_tojson(std::string& out, const json& value, const std::string* indent) {
  write_value(out, value, indent, 0);
}

}  // namespace eventwire::detail
