#include "detail/python_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>

#include "detail/json_writer.hpp"
#include "detail/unicode_tables.hpp"
#include "detail/utf8.hpp"

namespace eventwire::detail {
namespace {}  // namespace

std::string_view python_type_name(const json& j) noexcept {
  switch (j.type()) {
    case json::value_t::null:
      return "NoneType";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "int";
    case json::value_t::number_float:
      return "float";
    case json::value_t::string:
      return "str";
    case json::value_t::array:
      return "list";
    case json::value_t::object:
      return "dict";
    case json::value_t::discarded:
      return "Undefined";
    default:
      return "bytes";
  }
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  return format_float(value, true);
}

void append_python_string_repr(std::string& out, std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  for (std::size_t i = 0; i < text.size();) {
    // Runs of printable ASCII other than the quote and backslash are copied as they are.
    std::size_t run = i;
    while (run < text.size()) {
      auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c >= 0x7F || c == '\\' || c == static_cast<unsigned char>(quote)) break;
      ++run;
    }
    out.append(text, i, run - i);
    if (run == text.size()) break;
    i = run;
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
    } else if (cp >= 0x80 && !is_python_printable(cp)) {
      auto n = static_cast<unsigned>(cp);
      out += n <= 0xFF     ? fmt::format("\\x{:02x}", n)
             : n <= 0xFFFF ? fmt::format("\\u{:04x}", n)
                           : fmt::format("\\U{:08x}", n);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  out += quote;
}

std::string python_string_repr(std::string_view text) {
  std::string out;
  append_python_string_repr(out, text);
  return out;
}

void append_python_repr(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      out += "None";
      return;
    case json::value_t::boolean:
      out += value.get<bool>() ? "True" : "False";
      return;
    case json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      out += python_float_repr(value.get<double>());
      return;
    case json::value_t::string:
      append_python_string_repr(out, value.get_ref<const std::string&>());
      return;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        append_python_repr(out, item);
      }
      out += ']';
      return;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        append_python_string_repr(out, key);
        out += ": ";
        append_python_repr(out, item);
      }
      out += '}';
      return;
    }
    case json::value_t::discarded:
      out += "Undefined";
      return;  // Jinja's Undefined in a container
    default:
      out += "b''";
      return;
  }
}

std::string python_repr(const json& value) {
  std::string out;
  append_python_repr(out, value);
  return out;
}

std::string python_str(const json& value) {
  if (value.is_discarded()) return {};
  return value.is_string() ? value.get<std::string>() : python_repr(value);
}

namespace {

bool is_cased(char32_t cp) noexcept {
  return python_lower_mapping(cp) != nullptr || python_upper_mapping(cp) != nullptr;
}

std::string map_case(std::string_view text, bool lower) {
  std::string out;
  out.reserve(text.size());
  char32_t previous = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII without decoding
      char c = text[i++];
      if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      out.push_back(c);
      previous = static_cast<char32_t>(c);
      continue;
    }
    std::size_t start = i;
    char32_t cp = next_code_point(text, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      out.push_back(c);
    } else if (lower && cp == 0x3A3) {
      // CPython's final sigma: after a cased letter and not before one, capital sigma lowers to
      // U+03C2 (simplified: case-ignorable characters in between are not skipped).
      std::size_t k = i;
      bool cased_after = i < text.size() && is_cased(next_code_point(text, k));
      out += is_cased(previous) && !cased_after ? "\xCF\x82" : "\xCF\x83";
    } else if (const char* mapped = lower ? python_lower_mapping(cp) : python_upper_mapping(cp)) {
      out += mapped;
    } else {
      out.append(text.substr(start, i - start));
    }
    previous = cp;
  }
  return out;
}

}  // namespace

std::string python_lower(std::string_view text) {
  return map_case(text, true);
}

std::string python_upper(std::string_view text) {
  return map_case(text, false);
}

namespace {

// Strips code points matching `drop(code_point_text, code_point)` from either end.
template <typename Drop>
std::string_view strip_code_points(std::string_view text, bool left, bool right, Drop drop) {
  std::size_t begin = 0, end = text.size();
  if (left) {
    while (begin < end) {
      std::size_t i = begin;
      char32_t cp = next_code_point(text, i);
      if (!drop(text.substr(begin, i - begin), cp)) break;
      begin = i;
    }
  }
  if (right) {
    while (end > begin) {
      std::size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
      std::size_t i = start;
      char32_t cp = next_code_point(text, i);
      if (i != end || !drop(text.substr(start, end - start), cp)) break;
      end = start;
    }
  }
  return text.substr(begin, end - begin);
}

}  // namespace

std::string_view python_strip(std::string_view text, bool left, bool right) {
  return strip_code_points(text, left, right,
                           [](std::string_view, char32_t cp) { return is_python_space(cp); });
}

std::string_view python_strip_chars(std::string_view text, std::string_view chars, bool left,
                                    bool right) {
  return strip_code_points(text, left, right, [&](std::string_view one, char32_t) {
    return chars.find(one) != std::string_view::npos;
  });
}

std::string python_replace(std::string_view text, std::string_view old, std::string_view with,
                           long long count) {
  std::string out;
  if (old.empty()) {
    // Python inserts `with` before every code point and at the end.
    long long done = 0;
    std::size_t i = 0;
    while (i < text.size()) {
      if (count < 0 || done < count) {
        out += with;
        ++done;
      }
      std::size_t start = i;
      next_code_point(text, i);
      out.append(text.substr(start, i - start));
    }
    if (count < 0 || done < count) out += with;
    return out;
  }
  std::size_t pos = 0;
  long long done = 0;
  while (count < 0 || done < count) {
    auto hit = text.find(old, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out += with;
    pos = hit + old.size();
    ++done;
  }
  out.append(text.substr(pos));
  return out;
}

std::vector<std::string> python_split(std::string_view text, const std::string* sep,
                                      long long maxsplit) {
  std::vector<std::string> parts;
  if (sep) {
    std::size_t pos = 0;
    while (maxsplit < 0 || static_cast<long long>(parts.size()) < maxsplit) {
      auto hit = text.find(*sep, pos);
      if (hit == std::string_view::npos) break;
      parts.emplace_back(text.substr(pos, hit - pos));
      pos = hit + sep->size();
    }
    parts.emplace_back(text.substr(pos));
    return parts;
  }
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size()) {
      std::size_t k = i;
      if (!is_python_space(next_code_point(text, k))) break;
      i = k;
    }
  };
  skip_space();
  while (i < text.size()) {
    if (maxsplit >= 0 && static_cast<long long>(parts.size()) >= maxsplit) {
      parts.emplace_back(python_strip(text.substr(i), false, true));
      return parts;
    }
    std::size_t start = i;
    while (i < text.size()) {
      std::size_t k = i;
      if (is_python_space(next_code_point(text, k))) break;
      i = k;
    }
    parts.emplace_back(text.substr(start, i - start));
    skip_space();
  }
  return parts;
}

std::string python_title(std::string_view text) {
  std::string out;
  bool previous_cased = false;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t start = i;
    char32_t cp = next_code_point(text, i);
    std::string_view one = text.substr(start, i - start);
    out += previous_cased ? python_lower(one) : python_upper(one);
    previous_cased = is_cased(cp);
  }
  return out;
}

std::string python_capitalize(std::string_view text) {
  if (text.empty()) return {};
  std::size_t i = 0;
  next_code_point(text, i);
  return python_upper(text.substr(0, i)) + python_lower(text.substr(i));
}

}  // namespace eventwire::detail
