#include "detail/json_writer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <fmt/format.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define EVENTWIRE_JSON_SSE2 1
#endif

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
#if EVENTWIRE_JSON_SSE2
    // The bytes of plain_bytes' table that are not plain, besides < 0x20 and >= 0x80 (one
    // compare each; repeated to fill the array when the style has fewer).
    char special[special_count] = {'"', '\\', '"', '"', '"', '"', '"'};
    std::size_t k = 2;
    if (style.ensure_ascii) special[k++] = '\x7f';
    if (style.html_safe) {
      for (char c : {'<', '>', '&', '\''})
        special[k++] = c;
    }
    for (std::size_t i = 0; i < special_count; ++i)
      special_[i] = _mm_set1_epi8(special[i]);
#endif
  }

#if EVENTWIRE_JSON_SSE2
  /// Bit i set when byte i of the 16 at `p` is not plain (plain_bytes' table, 16 at once).
  unsigned special_bits(const char* p) const noexcept {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i m = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));  // < 0x20, and >= 0x80 (negative)
    for (const __m128i& c : special_)
      m = _mm_or_si128(m, _mm_cmpeq_epi8(x, c));
    return static_cast<unsigned>(_mm_movemask_epi8(m));
  }
  static void copy16(char* to, const char* from) noexcept {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(to),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(from)));
  }
#endif
  ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  /// Room for `n` more bytes at `cursor()` (n <= capacity).
  void reserve(std::size_t n) {
    if (n > capacity - used_) flush();
  }
  char* cursor() noexcept {
    return buffer_ + used_;
  }
  void advance_to(char* end) noexcept {
    used_ = static_cast<std::size_t>(end - buffer_);
  }

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
  void put_item_separator() {
    put(item_separator_);
  }
  void put_key_separator() {
    put(key_separator_);
  }

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
  [[gnu::always_inline]] void put(const Separator& s) {
    if (s.size > 8) [[unlikely]] {
      put(s.long_text);
      return;
    }
    reserve(8);
    std::memcpy(buffer_ + used_, s.bytes.data(), 8);
    used_ += s.size;
  }
  Separator item_separator_{}, key_separator_{};
#if EVENTWIRE_JSON_SSE2
  static constexpr std::size_t special_count = 7;
  __m128i special_[special_count];
#endif
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

#if defined(__GLIBCXX__)
constexpr bool std_string_padded = true;
#else
constexpr bool std_string_padded = false;
#endif

// A JSON string literal: its plain bytes copied, the others escaped (write_string_rest).
// `padded`: 16 bytes can be read from text.data() whatever the size (a std::string's data:
// libstdc++ keeps a capacity of at least 15 plus the terminator).
[[gnu::noinline]] void write_string(Sink& out, std::string_view text, const JsonStyle& style,
                                    bool padded = false) {
  // Plain text is copied in pieces that fit the buffer, with its quotes.
  constexpr std::size_t piece = 1024;
  const std::size_t n = text.size();
  if (n <= piece) {  // the usual short string: at most one piece
#if EVENTWIRE_JSON_SSE2
    // 16 bytes checked and copied at once; the copies may run past the string's end into the
    // room reserved here (what they write there is overwritten or never counted).
    out.reserve(n + 18);
    char* to = out.cursor();
    *to++ = '"';
    const char* p = text.data();
    std::size_t at = 0;
    if (n >= 16) {
      bool stopped = false;
      for (; at + 16 <= n; at += 16) {
        unsigned bits = out.special_bits(p + at);
        Sink::copy16(to, p + at);
        if (bits != 0) {
          const auto k = static_cast<std::size_t>(std::countr_zero(bits));
          to += k;
          at += k;
          stopped = true;
          break;
        }
        to += 16;
      }
      if (!stopped && at < n) {  // the last bytes: the string's last 16, the first again
        const std::size_t rest = n - at;
        unsigned bits = out.special_bits(p + n - 16) >> (16 - rest);
        Sink::copy16(to + rest - 16, p + n - 16);  // rewrites plain bytes just copied
        const auto k = bits != 0 ? static_cast<std::size_t>(std::countr_zero(bits)) : rest;
        to += k;
        at += k;
      }
    } else if (padded && std_string_padded) {
      const unsigned bits = out.special_bits(p) & ((1u << n) - 1);
      Sink::copy16(to, p);
      const auto k = bits != 0 ? static_cast<std::size_t>(std::countr_zero(bits)) : n;
      to += k;
      at = k;
    } else {
      at = copy_plain(out.plain, text, 0, to);
    }
#else
    out.reserve(n + 2);
    char* to = out.cursor();
    *to++ = '"';
    std::size_t at = copy_plain(out.plain, text, 0, to);
#endif
    if (at == n) [[likely]] {
      *to++ = '"';  // in the room reserved above
      out.advance_to(to);
      return;
    }
    out.advance_to(to);
    write_string_rest(out, text, at, style);
    return;
  }
  out.reserve(1);
  char* to = out.cursor();
  *to++ = '"';
  out.advance_to(to);
  write_string_rest(out, text, 0, style);
}

// A std::string's literal: a short plain one (the usual key or value) checked and copied here,
// 16 bytes at once, without a call; any other in write_string.
[[gnu::always_inline]] inline void write_std_string(Sink& out, const std::string& text,
                                                    const JsonStyle& style) {
#if EVENTWIRE_JSON_SSE2
  const std::size_t n = text.size();
  if (std_string_padded && n < 16) {
    const unsigned bits = out.special_bits(text.data()) & ((1u << n) - 1);
    if (bits == 0) {
      out.reserve(18);
      char* to = out.cursor();
      *to = '"';
      Sink::copy16(to + 1, text.data());
      to[n + 1] = '"';
      out.advance_to(to + n + 2);
      return;
    }
  }
#endif
  write_string(out, text, style, true);
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

// The fixed notation of a finite float whose exponent both styles write in fixed notation
// (1e-4 <= |value| < 1e16 for Python, from 1e-5 for pydantic; and zero), at `to`: the shortest
// round-trip digits, as format_float writes them (`.0` for a whole number). Null, nothing
// written, for any other value. Below 1e16 a double's shortest digits padded with zeros are its
// exact value, so the shortest fixed form has the same digits as the shortest scientific one.
constexpr std::size_t fixed_float_room = 48;
char* write_fixed_float(char* to, double value, bool python_style) noexcept {
  const double magnitude = std::fabs(value);
  if (!(magnitude == 0.0 || (magnitude >= (python_style ? 1e-4 : 1e-5) && magnitude < 1e16)))
    return nullptr;
  // At most 1 sign, 16 integer digits, a point and 21 fraction digits (1e-5's 17 digits).
  auto result = std::to_chars(to, to + fixed_float_room - 2, value, std::chars_format::fixed);
  if (result.ec != std::errc()) return nullptr;
  char* end = result.ptr;
  if (std::find(to, end, '.') == end) {
    *end++ = '.';
    *end++ = '0';
  }
  return end;
}

using Member = const json::object_t::value_type*;

// A member and the first 8 bytes of its key as a number that orders as the bytes do (zero
// padded), so that sorting compares numbers and reads the keys only on a tie.
// No default member initializers: the array of them on write_object's stack is not cleared.
struct SortItem {
  std::uint64_t prefix;
  Member member;
};

std::uint64_t key_prefix(const std::string& key) noexcept {
  const char* p = key.data();
  const std::size_t n = key.size();
  std::uint64_t v = 0;
  if constexpr (std::endian::native != std::endian::little) {  // the loads below assume it
    for (std::size_t i = 0; i < 8; ++i)
      v = (v << 8) | (i < n ? static_cast<unsigned char>(p[i]) : 0u);
    return v;
  }
  if (n >= 8) {
    std::memcpy(&v, p, 8);
  } else if (n >= 4) {  // two overlapping loads: bytes 0-3 and n-4..n-1
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    v = lo | (std::uint64_t{hi} << (8 * (n - 4)));
  } else {
    for (std::size_t i = 0; i < n; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  }
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// Code point order of UTF-8 keys (byte order), as Python sorts str keys.
bool key_less(const SortItem& a, const SortItem& b) noexcept {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  const std::string &x = a.member->first, &y = b.member->first;
  if (x.size() <= 8 || y.size() <= 8) return x.size() < y.size();  // one is a prefix of the other
  return x < y;
}

void sort_members(SortItem* members, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    members[i].prefix = key_prefix(members[i].member->first);
  if (count > 16) {
    std::sort(members, members + count, key_less);
    return;
  }
  // Insertion sort: the few keys of most objects, without std::sort's set-up.
  for (std::size_t i = 1; i < count; ++i) {
    SortItem m = members[i];
    std::size_t j = i;
    for (; j > 0 && key_less(m, members[j - 1]); --j)
      members[j] = members[j - 1];
    members[j] = m;
  }
}

void write_value(Sink& out, const json& value, const JsonStyle& style, int depth);

// A member's or an item's value: strings written here, without a call per value.
[[gnu::always_inline]] inline void write_item(Sink& out, const json& value, const JsonStyle& style,
                                              int depth) {
  if (value.is_string()) {
    write_std_string(out, *value.get_ptr<const std::string*>(), style);
  } else {
    write_value(out, value, style, depth);
  }
}

// An object's members, in key order when the style sorts keys.
[[gnu::noinline]] void write_object(Sink& out, const json::object_t& object, const JsonStyle& style,
                                    int depth) {
  // Objects of up to 32 members need no allocation.
  std::array<SortItem, 32> small;
  std::vector<SortItem> large;
  SortItem* members = small.data();
  if (object.size() > small.size()) [[unlikely]] {
    large.resize(object.size());
    members = large.data();
  }
  std::size_t count = 0;
  for (const auto& member : object)
    members[count++].member = &member;
  if (style.sort_keys) sort_members(members, count);
  out.put('{');
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) out.put_item_separator();
    newline(out, style, depth + 1);
    write_std_string(out, members[i].member->first, style);
    out.put_key_separator();
    write_item(out, members[i].member->second, style, depth + 1);
  }
  if (count != 0) newline(out, style, depth);
  out.put('}');
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
        out.reserve(fixed_float_room);
        if (char* end = write_fixed_float(out.cursor(), d, style.python_floats)) {
          out.advance_to(end);
        } else {
          out.put(format_float(d, style.python_floats));
        }
      } else if (!style.python_floats) {
        out.put("null");  // pydantic's default for inf/nan (ser_json_inf_nan='null')
      } else {
        out.put(std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
      }
      return;
    }
    case json::value_t::string:
      write_string(out, value.get_ref<const std::string&>(), style, true);
      return;
    case json::value_t::array: {
      out.put('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out.put_item_separator();
        first = false;
        newline(out, style, depth + 1);
        write_item(out, item, style, depth + 1);
      }
      if (!first) newline(out, style, depth);
      out.put(']');
      return;
    }
    case json::value_t::object:
      write_object(out, value.get_ref<const json::object_t&>(), style, depth);
      return;
    default:
      out.put("null");
      return;  // binary values never come from JSON text
  }
}

}  // namespace

std::string format_float(double value, bool python_style) {
  char buffer[64];
  if (const char* end = write_fixed_float(buffer, value, python_style)) {
    return std::string(buffer, static_cast<std::size_t>(end - buffer));
  }
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
