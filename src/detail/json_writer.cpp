#include "detail/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "detail/utf8.hpp"
#include "eventwire/error.hpp"

namespace eventwire::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// The output, written through a buffer on the stack: a value's many small pieces (quotes,
// separators, short strings) cost a store each instead of a std::string append each. What is
// buffered reaches the string at flush() (not when an error unwinds).
class Sink {
 public:
  Sink(std::string& out, const bool* plain_table, const JsonStyle& style)
      : plain(plain_table), out_(out) {
    item_separator_.set(style.indent ? std::string_view(",") : style.item_separator);
    key_separator_.set(style.key_separator);
  }
  ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  /// Room for `n` more bytes at `cursor()` (n <= capacity).
  void reserve(std::size_t n) {
    if (n > capacity - used_) flush();
  }
  char* cursor() noexcept { return buffer_ + used_; }
  void advance_to(char* end) noexcept { used_ = static_cast<std::size_t>(end - buffer_); }

  void put(char c) {
    reserve(1);
    buffer_[used_++] = c;
  }
  void put(std::string_view text) {
    if (text.size() > capacity - used_) {
      flush();
      if (text.size() > capacity) {
        out_.append(text);
        return;
      }
    }
    if (text.size() <= 4) {  // separators and literals: no call to memcpy
      for (char c : text)
        buffer_[used_++] = c;
      return;
    }
    std::memcpy(buffer_ + used_, text.data(), text.size());
    used_ += text.size();
  }
  void flush() {
    out_.append(buffer_, used_);
    used_ = 0;
  }
  /// The style's separator between items, and between a key and its value.
  void put_item_separator() { put(item_separator_); }
  void put_key_separator() { put(key_separator_); }

  static constexpr std::size_t capacity = 4096;
  /// The bytes the style writes as they are (plain_bytes).
  const bool* const plain;

 private:
  // A separator padded to 8 bytes, copied with one fixed-size store.
  struct Separator {
    std::array<char, 8> bytes{};
    std::size_t size = 0;
    std::string_view long_text{};  // when longer than 8 bytes
    void set(std::string_view text) {
      size = text.size();
      if (size > bytes.size()) {
        long_text = text;
      } else {
        std::copy(text.begin(), text.end(), bytes.begin());
      }
    }
  };
  void put(const Separator& s) {
    if (s.size > 8) {
      put(s.long_text);
      return;
    }
    reserve(8);
    std::memcpy(buffer_ + used_, s.bytes.data(), 8);
    used_ += s.size;
  }
  Separator item_separator_{}, key_separator_{};
  std::string& out_;
  std::size_t used_ = 0;
  char buffer_[capacity];
};

void append_u_escape(Sink& out, unsigned unit) {
  const char escape[6] = {'\\',
                          'u',
                          hex_digits[(unit >> 12) & 0xF],
                          hex_digits[(unit >> 8) & 0xF],
                          hex_digits[(unit >> 4) & 0xF],
                          hex_digits[unit & 0xF]};
  out.put(std::string_view(escape, sizeof escape));
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

// Copies the plain bytes of text[i...] to `to` (which has room for them), up to the first byte
// that is not; returns where it stopped.
[[gnu::always_inline]] inline std::size_t copy_plain(const bool* plain, std::string_view text,
                                                     std::size_t i, char*& to) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size(), start = i;
  auto plain4 = [&](std::size_t at) {
    return plain[bytes[at]] & plain[bytes[at + 1]] & plain[bytes[at + 2]] & plain[bytes[at + 3]];
  };
  while (i + 8 <= n && (plain4(i) & plain4(i + 4))) {  // most text is plain ASCII
    std::memcpy(to, bytes + i, 8);
    to += 8;
    i += 8;
  }
  const std::size_t rest = n - i;
  if (rest > 0 && rest < 8 && n >= start + 8) {
    // The end of a long run: its last 8 bytes at once (the first ones copied again).
    if (plain4(n - 8) & plain4(n - 4)) {
      std::memcpy(to + rest - 8, bytes + n - 8, 8);
      to += rest;
      return n;
    }
  } else if (rest >= 4 && plain4(i)) {
    // A short string or the start of a block with a byte to escape: 4 bytes at once, and when
    // that is the whole rest but 3, the last 4 too.
    if (rest < 8 && plain4(n - 4)) {
      std::memcpy(to, bytes + i, 4);
      std::memcpy(to + rest - 4, bytes + n - 4, 4);
      to += rest;
      return n;
    }
    std::memcpy(to, bytes + i, 4);
    to += 4;
    i += 4;
  }
  while (i < n && plain[bytes[i]])
    *to++ = static_cast<char>(bytes[i++]);
  return i;
}

// The escape at text[i] (a byte that is not plain), then the rest of the string as
// write_string writes it: out of line, so that write_string's frame stays small.
[[gnu::noinline]] void write_string_rest(Sink& out, std::string_view text, std::size_t i,
                                         const JsonStyle& style);

// A JSON string literal: its plain bytes copied, the others escaped (write_string_rest).
void write_string(Sink& out, std::string_view text, const JsonStyle& style) {
  // Plain text is copied in pieces that fit the buffer, with its quotes.
  constexpr std::size_t piece = 1024;
  const std::size_t n = text.size();
  out.reserve(std::min(n, piece) + 2);
  char* to = out.cursor();
  *to++ = '"';
  if (n <= piece) {  // the usual short string: at most one piece
    std::size_t at = copy_plain(out.plain, text, 0, to);
    out.advance_to(to);
    if (at == n) {
      out.put('"');
      return;
    }
    write_string_rest(out, text, at, style);
    return;
  }
  out.advance_to(to);
  write_string_rest(out, text, 0, style);
}

void write_string_rest(Sink& out, std::string_view text, std::size_t i, const JsonStyle& style) {
  const bool* plain = out.plain;
  constexpr std::size_t piece = 1024;
  out.reserve(std::min(text.size() - i, piece) + 1);
  char* to = out.cursor();
  bool escape = i < text.size() && !plain[static_cast<unsigned char>(text[i])];
  while (true) {
    if (!escape) {
      const std::size_t stop = std::min(text.size(), i + piece);
      std::size_t at = copy_plain(plain, text.substr(0, stop), i, to);
      out.advance_to(to);
      i = at;
      if (i == text.size()) break;
      if (i == stop) {  // a long plain run: next piece
        out.reserve(std::min(text.size() - i, piece) + 1);
        to = out.cursor();
        continue;
      }
    }
    escape = false;
    char32_t cp = 0;
    std::size_t length = utf8_decode(text, i, cp);
    if (is_escaped_byte(cp)) {
      throw ValidationError("JSON string",
                            fmt::format("is not valid UTF-8 (byte {} of \"{}\")", i,
                                        text.substr(0, std::min<std::size_t>(i, 40))));
    }
    switch (cp) {
      case '"':
        out.put("\\\"");
        break;
      case '\\':
        out.put("\\\\");
        break;
      case '\b':
        out.put("\\b");
        break;
      case '\f':
        out.put("\\f");
        break;
      case '\n':
        out.put("\\n");
        break;
      case '\r':
        out.put("\\r");
        break;
      case '\t':
        out.put("\\t");
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
          out.put(text.substr(i, length));
        }
    }
    i += length;
    out.reserve(std::min(text.size() - i, piece) + 1);
    to = out.cursor();
  }
  out.put('"');
}

template <typename Int>
void append_integer(Sink& out, Int value) {
  out.reserve(24);
  char* to = out.cursor();
  out.advance_to(std::to_chars(to, to + 24, value).ptr);
}

void newline(Sink& out, const JsonStyle& style, int depth) {
  if (!style.indent) return;
  out.put('\n');
  for (int i = 0; i < depth; ++i)
    out.put(*style.indent);
}

using Member = const json::object_t::value_type*;

// Code point order of UTF-8 keys (byte order), as Python sorts str keys.
bool key_less(Member a, Member b) noexcept {
  // Most keys differ in their first byte: decide those without a call to memcmp.
  const std::string &x = a->first, &y = b->first;
  if (!x.empty() && !y.empty() && x[0] != y[0])
    return static_cast<unsigned char>(x[0]) < static_cast<unsigned char>(y[0]);
  return x < y;
}

void sort_members(Member* members, std::size_t count) {
  if (count > 16) {
    std::sort(members, members + count, key_less);
    return;
  }
  // Insertion sort: the few keys of most objects, without std::sort's set-up.
  for (std::size_t i = 1; i < count; ++i) {
    Member m = members[i];
    std::size_t j = i;
    for (; j > 0 && key_less(m, members[j - 1]); --j)
      members[j] = members[j - 1];
    members[j] = m;
  }
}

void write_value(Sink& out, const json& value, const JsonStyle& style, int depth) {
  switch (value.type()) {
    case json::value_t::null:
      out.put("null");
      return;
    case json::value_t::boolean:
      out.put(value.get<bool>() ? std::string_view("true") : std::string_view("false"));
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
        out.put(format_float(d, style.python_floats));
      } else if (!style.python_floats) {
        out.put("null");  // pydantic's default for inf/nan (ser_json_inf_nan='null')
      } else {
        out.put(std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
      }
      return;
    }
    case json::value_t::string:
      write_string(out, value.get_ref<const std::string&>(), style);
      return;
    case json::value_t::array: {
      out.put('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out.put_item_separator();
        first = false;
        newline(out, style, depth + 1);
        write_value(out, item, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out.put(']');
      return;
    }
    case json::value_t::object: {
      // Members in writing order; objects of up to 32 members need no allocation.
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
      if (style.sort_keys) sort_members(members, count);
      out.put('{');
      bool first = true;
      for (const Member member : std::span<const Member>(members, count)) {
        if (!first) out.put_item_separator();
        first = false;
        newline(out, style, depth + 1);
        write_string(out, member->first, style);
        out.put_key_separator();
        write_value(out, member->second, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out.put('}');
      return;
    }
    default:
      out.put("null");
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
  Sink sink(out, plain_bytes(style).plain, style);
  write_value(sink, value, style, 0);
  sink.flush();
}

void write_json_string(std::string& out, std::string_view text, const JsonStyle& style) {
  // Short plain text (a label, an event name: most of what the wire form writes) goes straight
  // into `out`; setting up the buffer would cost more than the copy.
  const bool* plain = plain_bytes(style).plain;
  if (text.size() <= 64 && std::all_of(text.begin(), text.end(), [plain](char c) {
        return plain[static_cast<unsigned char>(c)];
      })) {
    const std::size_t at = out.size();
    out.resize(at + text.size() + 2);
    out[at] = '"';
    std::memcpy(out.data() + at + 1, text.data(), text.size());
    out.back() = '"';
    return;
  }
  Sink sink(out, plain, style);
  write_string(sink, text, style);
  sink.flush();
}

std::string to_json_text(const json& value, const JsonStyle& style) {
  std::string out;
  write_json(out, value, style);
  return out;
}

}  // namespace eventwire::detail
