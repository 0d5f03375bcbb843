// Jinja2's built-in filters (jinja2/filters.py) with Python's semantics, plus host filters.
#include <fenv.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <span>
#include <string>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/unicode_tables.hpp"
#include "detail/utf8.hpp"
#include "template/html_entities.hpp"
#include "template/regex_word_tables.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

__extension__ typedef __int128 Int128;

bool is_null(const Value* v) {
  return !v || (v->kind == Kind::value && v->get().is_null());
}

std::string str_arg(Runtime& rt, const Value* v, std::string_view fallback) {
  return v ? rt.str(*v) : std::string(fallback);
}

bool bool_arg(Runtime& rt, const Value* v, bool fallback) {
  return v ? rt.truthy(*v) : fallback;
}

long long int_arg(Runtime& rt, const Value* v, long long fallback) {
  if (!v) return fallback;
  const json& j = rt.operand(*v);
  if (j.is_boolean()) return j.get<bool>();
  if (!j.is_number_integer()) {
    rt.type_error(
        fmt::format("'{}' object cannot be interpreted as an integer", python_type_name(j)));
  }
  return j.is_number_unsigned() ? INT64_MAX : j.get<std::int64_t>();
}

std::size_t length_of(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of the n-th code point (or the size).
std::size_t offset_of(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  while (n > 0 && i < s.size()) {
    next_code_point(s, i);
    --n;
  }
  return i;
}

// Case-insensitive sort key (Jinja's ignore_case: lower() of strings only).
json fold(const json& j, bool case_sensitive) {
  if (!case_sensitive && j.is_string()) return python_lower(j.get_ref<const std::string&>());
  return j;
}

// Python's int(text, base): whitespace, sign, `_` between digits, 0x/0o/0b with base 16/8/2/0.
bool parse_python_int(std::string_view text, int base, Int128& out) {
  text = python_strip(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto prefixed = [&](char lower, int b) {
    if (text.size() > 2 && text[0] == '0' && (text[1] == lower || text[1] == lower - 32) &&
        (base == b || base == 0)) {
      text.remove_prefix(2);
      if (!text.empty() && text[0] == '_') text.remove_prefix(1);
      base = b;
      return true;
    }
    return false;
  };
  if (!prefixed('x', 16) && !prefixed('o', 8) && !prefixed('b', 2) && base == 0) {
    base = 10;
    if (text.size() > 1 && text[0] == '0' && text.find_first_not_of("0_") != std::string_view::npos)
      return false;
  }
  if (base < 2 || base > 36 || text.empty()) return false;
  Int128 value = 0;
  bool last_underscore = true;  // no leading underscore
  for (char c : text) {
    if (c == '_') {
      if (last_underscore) return false;
      last_underscore = true;
      continue;
    }
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return false;
    value = value * base + d;
    if (value > static_cast<Int128>(UINT64_MAX)) return false;
    last_underscore = false;
  }
  if (last_underscore) return false;
  out = negative ? -value : value;
  return true;
}

// Python's float(text): whitespace, `_` between digits, inf/nan spellings.
bool parse_python_float(std::string_view text, double& out) {
  text = python_strip(text);
  std::string clean;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      bool ok = i > 0 && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                std::isdigit(static_cast<unsigned char>(text[i + 1]));
      if (!ok) return false;
      continue;
    }
    clean.push_back(c);
  }
  std::string lower = python_lower(clean);
  std::string_view body = lower;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body == "inf" || body == "infinity" || body == "nan") {
    out = std::strtod(lower.c_str(), nullptr);
    return true;
  }
  if (body.empty() || body.find_first_not_of("0123456789.e+-") != std::string_view::npos ||
      body.find("0x") != std::string_view::npos) {
    return false;
  }
  char* end = nullptr;
  out = std::strtod(clean.c_str(), &end);
  return end == clean.c_str() + clean.size() && !clean.empty();
}

Value int_value(Runtime& rt, Int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return Value::of(static_cast<std::int64_t>(v));
  if (v > 0 && v <= static_cast<Int128>(UINT64_MAX))
    return Value::of(static_cast<std::uint64_t>(v));
  rt.fail("OverflowError", "integer does not fit in 64 bits (eventwire's integer range)");
}

// Python's round(x, n) on a double: correctly rounded ties-to-even on the exact binary value.
double round_float(double x, long long n) {
  if (!std::isfinite(x)) return x;
  if (n >= 0) {
    if (n > 320) return x;
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(n), x);
    return std::strtod(buffer, nullptr);
  }
  double p = std::pow(10.0, static_cast<double>(-n));
  int saved = fegetround();
  fesetround(FE_TONEAREST);
  double r = std::nearbyint(x / p) * p;
  fesetround(saved);
  return r;
}

Value do_round(Runtime& rt, const Value& input, BoundArgs& b) {
  long long precision = int_arg(rt, b.at(0), 0);
  std::string method = str_arg(rt, b.at(1), "common");
  if (method != "common" && method != "ceil" && method != "floor") {
    rt.fail("FilterArgumentError", "method must be common, ceil or floor");
  }
  const json& j = rt.operand(input);
  if (!j.is_number() && !j.is_boolean()) {
    if (method == "common") {
      rt.type_error(fmt::format("type {} doesn't define __round__ method", python_type_name(j)));
    }
    rt.type_error(fmt::format("can't multiply sequence by non-int of type 'int'"));
  }
  if (method == "common") {
    if (!j.is_number_float()) {
      Int128 v = j.is_boolean()           ? j.get<bool>()
                 : j.is_number_unsigned() ? static_cast<Int128>(j.get<std::uint64_t>())
                                          : j.get<std::int64_t>();
      if (precision >= 0) return int_value(rt, v);
      Int128 p = 1;
      for (long long i = 0; i < -precision && p < static_cast<Int128>(UINT64_MAX); ++i)
        p *= 10;
      Int128 q = v / p, r = v % p;
      if (r < 0) {
        r += p;
        --q;
      }
      if (2 * r > p || (2 * r == p && (q % 2 != 0))) ++q;
      return int_value(rt, q * p);
    }
    return Value::of(round_float(j.get<double>(), precision));
  }
  double x = j.is_number_float()
                 ? j.get<double>()
                 : static_cast<double>(j.is_boolean() ? j.get<bool>() : j.get<std::int64_t>());
  double p = std::pow(10.0, static_cast<double>(precision));
  double r = method == "ceil" ? std::ceil(x * p) : std::floor(x * p);
  return Value::of(r / p);
}

void html_escape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
}

// Python's html.unescape: numeric references (with HTML5's replacements for invalid ones) and
// the HTML5 named references, the longest known prefix of an unknown name included.
std::string html_unescape(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  static constexpr std::array<char16_t, 32> windows_1252 = {
      0x20ac, 0x81,   0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8d,   0x017d, 0x8f,   0x90,   0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
      0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,   0x017e, 0x0178};
  auto find_entity = [](std::string_view name) -> const HtmlEntity* {
    auto it = std::lower_bound(std::begin(kHtmlEntities), std::end(kHtmlEntities), name,
                               [](const HtmlEntity& e, std::string_view n) { return e.name < n; });
    return it != std::end(kHtmlEntities) && it->name == name ? &*it : nullptr;
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_hex = [&](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto amp = s.find('&', i);
    if (amp == std::string_view::npos) break;
    out.append(s.substr(i, amp - i));
    i = amp + 1;
    if (i < s.size() && s[i] == '#') {  // &#123; or &#x7b; (`;` optional)
      bool hex = i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X');
      std::size_t d = i + (hex ? 2 : 1), e = d;
      while (e < s.size() && (hex ? is_hex(s[e]) : is_digit(s[e])))
        ++e;
      if (e == d) {
        out.push_back('&');
        continue;
      }
      std::uint64_t num = 0;
      for (std::size_t k = d; k < e; ++k) {
        int v = is_digit(s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
        num = std::min<std::uint64_t>(num * (hex ? 16 : 10) + static_cast<std::uint64_t>(v),
                                      0x7FFFFFFF);
      }
      i = e < s.size() && s[e] == ';' ? e + 1 : e;
      if (num == 0x0d) {
        out.push_back('\r');
      } else if (num >= 0x80 && num <= 0x9f) {
        utf8_append(out, windows_1252[num - 0x80]);
      } else if (num == 0 || (num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        utf8_append(out, 0xFFFD);
      } else if ((num >= 0x1 && num <= 0x8) || (num >= 0xe && num <= 0x1f) || num == 0x7f ||
                 num == 0xb || (num >= 0xfdd0 && num <= 0xfdef) || (num & 0xFFFE) == 0xFFFE) {
        // invalid code points vanish
      } else {
        utf8_append(out, static_cast<char32_t>(num));
      }
      continue;
    }
    // A name: 1 to 32 code points other than \t \n \f space < & # ;, then an optional `;`.
    std::size_t e = i, count = 0;
    while (e < s.size() && count < 32) {
      char c = s[e];
      if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' ||
          c == ';')
        break;
      next_code_point(s, e);
      ++count;
    }
    if (count == 0) {
      out.push_back('&');
      continue;
    }
    if (e < s.size() && s[e] == ';') ++e;
    std::string_view name = s.substr(i, e - i);
    i = e;
    if (const HtmlEntity* entity = find_entity(name)) {
      out.append(entity->text);
      continue;
    }
    // The longest known prefix of at least 2 code points (not the whole name).
    std::vector<std::size_t> cuts;  // byte offsets of code point boundaries
    for (std::size_t k = 0; k < name.size();) {
      next_code_point(name, k);
      cuts.push_back(k);
    }
    bool found = false;
    for (std::size_t x = cuts.size() - 1; x >= 2 && !found; --x) {
      if (const HtmlEntity* entity = find_entity(name.substr(0, cuts[x - 1]))) {
        out.append(entity->text);
        out.append(name.substr(cuts[x - 1]));
        found = true;
      }
    }
    if (!found) {
      out.push_back('&');
      out.append(name);
    }
  }
  out.append(s.substr(std::min(i, s.size())));
  return out;
}

// Markupsafe's Markup.striptags: comments, then tags removed, whitespace collapsed to single
// spaces, then html.unescape.
std::string strip_tags(std::string text) {
  std::size_t from = 0;
  while (true) {
    auto start = text.find("<!--", from);
    if (start == std::string::npos) break;
    auto end = text.find("-->", start);
    if (end == std::string::npos) break;
    text.erase(start, end + 3 - start);
    from = start >= 3 ? start - 3 : 0;  // a `<!--` may form across the cut
  }
  from = 0;
  while (true) {
    auto start = text.find('<', from);
    if (start == std::string::npos) break;
    auto end = text.find('>', start);
    if (end == std::string::npos) break;
    text.erase(start, end + 1 - start);
    from = start;
  }
  std::string joined;
  for (const auto& word : python_split(text, nullptr)) {
    if (!joined.empty()) joined.push_back(' ');
    joined += word;
  }
  return html_unescape(joined);
}

// ---- Python's textwrap.wrap as Jinja's wordwrap calls it (no tab expansion, whitespace kept,
// drop_whitespace, no indents).

bool in_ranges(char32_t cp, std::span<const CodePointRange> ranges) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                             [](char32_t c, const CodePointRange& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}
// A str pattern's \w and \d, and textwrap's `letter` ([^\d\W]).
bool re_word(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) || c == '_';
  return in_ranges(c, kRegexWordRanges);
}
bool re_letter(char32_t c) {
  if (c < 0x80) return std::isalpha(static_cast<int>(c)) || c == '_';
  return re_word(c) && !in_ranges(c, kRegexDigitRanges);
}
bool wrap_space(char32_t c) {
  return c == '\t' || c == '\n' || c == 0x0b || c == 0x0c || c == '\r' || c == ' ';
}
bool word_punct(char32_t c) {
  return re_word(c) || c == '!' || c == '"' || c == '\'' || c == '&' || c == '.' || c == ',' ||
         c == '?';
}
// Whether `t[at..]` starts with two or more `-` followed by a \w character.
bool em_dash_at(const std::u32string& t, std::size_t at) {
  std::size_t e = at;
  while (e < t.size() && t[e] == '-')
    ++e;
  return e - at >= 2 && e < t.size() && re_word(t[e]);
}

// The end of textwrap's wordsep_re match at `i` (it always matches): a whitespace run, an em-dash
// between words, or a word up to a breakable hyphen, whitespace, the end or an em-dash.
std::size_t wordsep_end(const std::u32string& t, std::size_t i) {
  const std::size_t n = t.size();
  if (wrap_space(t[i])) {
    while (i < n && wrap_space(t[i]))
      ++i;
    return i;
  }
  if (t[i] == '-' && i > 0 && word_punct(t[i - 1]) && em_dash_at(t, i)) {
    while (t[i] == '-')
      ++i;
    return i;
  }
  for (std::size_t k = i + 1; k <= n; ++k) {  // the word is t[i..k)
    if (k < n && t[k] == '-') {
      bool behind = (k >= 2 && re_letter(t[k - 2]) && re_letter(t[k - 1])) ||
                    (k >= 3 && re_letter(t[k - 3]) && t[k - 2] == '-' && re_letter(t[k - 1]));
      std::size_t p = k + 1;
      bool ahead = p < n && re_letter(t[p]) &&
                   ((p + 1 < n && re_letter(t[p + 1])) ||
                    (p + 2 < n && t[p + 1] == '-' && re_letter(t[p + 2])));
      if (behind && ahead) return k + 1;
    }
    if (k == n || wrap_space(t[k])) return k;
    if (word_punct(t[k - 1]) && em_dash_at(t, k)) return k;
  }
  return n;
}

bool all_python_space(const std::u32string& s) {
  return std::all_of(s.begin(), s.end(), [](char32_t c) { return is_python_space(c); });
}

struct WrapOptions {
  std::size_t width = 79;
  bool break_long_words = true;
  bool hyphen_regex = true;  // break_on_hyphens `is True`: textwrap's wordsep_re
  bool hyphen_long = true;   // break_on_hyphens truthy: long words break after a hyphen
};

std::vector<std::u32string> textwrap_wrap(const std::u32string& text, const WrapOptions& o) {
  std::vector<std::u32string> chunks;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    if (o.hyphen_regex) {
      end = wordsep_end(text, i);
    } else {
      bool space = wrap_space(text[i]);
      while (end < text.size() && wrap_space(text[end]) == space)
        ++end;
    }
    chunks.push_back(text.substr(i, end - i));
    i = end;
  }
  std::reverse(chunks.begin(), chunks.end());
  std::vector<std::u32string> lines;
  const std::size_t width = o.width;
  while (!chunks.empty()) {
    std::vector<std::u32string> line;
    std::size_t len = 0;
    if (all_python_space(chunks.back()) && !lines.empty()) chunks.pop_back();
    while (!chunks.empty() && len + chunks.back().size() <= width) {
      len += chunks.back().size();
      line.push_back(std::move(chunks.back()));
      chunks.pop_back();
    }
    if (!chunks.empty() && chunks.back().size() > width) {  // _handle_long_word
      std::size_t space_left = width - len;
      if (o.break_long_words) {
        std::u32string& chunk = chunks.back();
        std::size_t end = space_left;
        if (o.hyphen_long && chunk.size() > space_left) {
          auto hyphen = chunk.rfind(U'-', space_left == 0 ? 0 : space_left - 1);
          if (space_left > 0 && hyphen != std::u32string::npos && hyphen > 0 &&
              chunk.find_first_not_of(U'-') < hyphen)
            end = hyphen + 1;
        }
        line.push_back(chunk.substr(0, end));
        chunk.erase(0, end);
      } else if (line.empty()) {
        line.push_back(std::move(chunks.back()));
        chunks.pop_back();
      }
    }
    if (!line.empty() && all_python_space(line.back())) line.pop_back();
    if (!line.empty()) {
      std::u32string joined;
      for (const auto& c : line)
        joined += c;
      lines.push_back(std::move(joined));
    }
  }
  return lines;
}

// Python's str.splitlines() (no ends kept).
std::vector<std::u32string> split_lines(const std::u32string& s) {
  std::vector<std::u32string> lines;
  std::size_t start = 0, i = 0;
  while (i < s.size()) {
    char32_t c = s[i];
    bool brk = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d ||
               c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029;
    if (!brk) {
      ++i;
      continue;
    }
    lines.push_back(s.substr(start, i - start));
    i += c == '\r' && i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
    start = i;
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();)
    out.push_back(next_code_point(s, i));
  return out;
}

void append_u32(std::string& out, const std::u32string& s) {
  for (char32_t c : s)
    utf8_append(out, c);
}

// urllib.parse.quote_from_bytes with safe "/" (or nothing, and `+` for spaces, in a query).
std::string url_quote(std::string_view s, bool for_qs) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool safe =
        std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || (!for_qs && c == '/');
    if (c >= 0x80) safe = false;
    if (safe) {
      out.push_back(ch);
    } else if (for_qs && c == ' ') {
      out.push_back('+');
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// Jinja's title filter: capitalizes after runs of `-`, whitespace, `(`, `{`, `[`, `<`.
std::string jinja_title(std::string_view s) {
  std::string out;
  bool start = true, previous_delim = false;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t at = i;
    char32_t cp = next_code_point(s, i);
    bool delim =
        cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || is_python_space(cp);
    if (delim != previous_delim && at != 0) start = true;
    std::string_view one = s.substr(at, i - at);
    out += start ? python_upper(one) : python_lower(one);
    start = false;
    previous_delim = delim;
  }
  return out;
}

class Filters {
 public:
  Filters(Runtime& rt, std::vector<Value>& args, Kwargs& kwargs)
      : rt_(rt), args_(args), kwargs_(kwargs) {}

  BoundArgs bind(std::string_view name, std::initializer_list<std::string_view> params) {
    if (args_.empty() && kwargs_.empty() && params.size() <= BoundArgs::capacity) {
      BoundArgs none;  // nothing to bind (`x | upper`): every parameter absent
      none.count = params.size();
      return none;
    }
    return rt_.bind(name, args_, kwargs_, params);
  }

  // Appends `input | join(...)` to `out`.
  void join(std::string& out, const Value& input) {
    auto b = bind("join", {"d", "attribute"});
    const Value* d = b.at(0);
    if (is_null(b.at(1)) && (!d || (d->kind == Kind::value && d->get().is_string())) &&
        input.kind == Kind::value && input.get().is_array()) {
      // A list joined by a string (`fields | join(', ')`): its items in place.
      std::string_view sep = d ? std::string_view(string_of(d->get())) : std::string_view();
      const json& items = input.get();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        const json& item = items[i];
        if (item.is_string()) {
          out += string_of(item);
        } else {
          rt_.append_str(out, Value::borrow(item, input.shape.item(i)));
        }
        if (out.size() > rt_.env.limits.max_output_bytes) rt_.check_size(out.size());
      }
      return;
    }
    std::string sep = str_arg(rt_, d, "");
    bool first = true;
    for (const auto& item : items_of(input)) {
      if (!first) out += sep;
      first = false;
      Value v = attribute(item, b.at(1));
      rt_.append_str(out, v);
      rt_.check_size(out.size());
    }
  }

  // Appends the filter's result to `out`: straight into it for the filters that build a string
  // (no intermediate string); false for the others, which `out` is left untouched by.
  bool append_to(std::string& out, std::uint32_t id, const Value& input) {
    switch (static_cast<FilterId>(id)) {
      case FilterId::join:
        join(out, input);
        return true;
      case FilterId::lower:
      case FilterId::upper: {
        bool lower = id == static_cast<std::uint32_t>(FilterId::lower);
        if (!args_.empty() || !kwargs_.empty()) bind(lower ? "lower" : "upper", {});
        if (input.kind == Kind::value && input.get().is_string()) {
          append_case_mapped(out, string_of(input.get()), lower);
        } else {
          append_case_mapped(out, rt_.str(input), lower);
        }
        return true;
      }
      default:
        return false;
    }
  }

  std::vector<Value> items_of(const Value& v) {
    std::vector<Value> items;
    rt_.iterate(v, items);
    return items;
  }

  // Jinja's make_attrgetter: identity without an attribute, else a dotted path; `default`
  // replaces an undefined result.
  Value attribute(const Value& item, const Value* attr, const Value* fallback = nullptr) {
    if (is_null(attr)) return item.alias();
    const json& a = rt_.operand(*attr);
    Value r = a.is_string() ? rt_.get_path(item, a.get_ref<const std::string&>())
                            : rt_.getitem(item, *attr);
    if (fallback && !is_null(fallback) && r.kind == Kind::undefined) return fallback->alias();
    return r;
  }

  // Jinja's make_attrgetter key (min, max, unique): the item or its attribute, case-folded.
  // An undefined key is kept (as a discarded value) unless the policy is strict.
  json key_of(const Value& item, const Value* attr, bool case_sensitive, Shape* shape = nullptr) {
    Value v = attribute(item, attr);
    if (shape) *shape = v.shape;
    if (v.kind == Kind::undefined) {
      rt_.use(v);
      return json(json::value_t::discarded);
    }
    return fold(rt_.data(v), case_sensitive);
  }

  // Jinja's make_multi_attrgetter key (sort): always a list, one entry per comma-separated
  // attribute, so equal entries (None, undefined) are never ordered with `<`.
  json multi_key_of(const Value& item, const Value* attr, bool case_sensitive, Shape& shape) {
    json keys = json::array();
    ShapeBuilder shapes(SeqKind::list, keys, rt_.shapes);
    Shape key_shape;
    if (is_null(attr) || !rt_.operand(*attr).is_string()) {
      keys.push_back(key_of(item, attr, case_sensitive, &key_shape));
      shapes.add(key_shape, keys.back());
      shape = shapes.shape();
      return keys;
    }
    const std::string& spec = rt_.operand(*attr).get_ref<const std::string&>();
    std::size_t start = 0;
    while (true) {
      auto comma = spec.find(',', start);
      Value part = Value::of(
          spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      keys.push_back(key_of(item, &part, case_sensitive, &key_shape));
      shapes.add(key_shape, keys.back());
      if (comma == std::string::npos) {
        shape = shapes.shape();
        return keys;
      }
      start = comma + 1;
    }
  }

  /// Sorts `items` by `keys` (of the shapes `shapes`, plain when empty).
  void sort_by_keys(std::vector<Value>& items, std::vector<json>& keys,
                    const std::vector<Shape>& shapes, bool reverse) {
    auto shape = [&](std::size_t i) { return shapes.empty() ? Shape::plain : shapes[i]; };
    std::vector<std::size_t> order(items.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::string error;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (!error.empty()) return false;
      return reverse ? python_order(keys[b], shape(b), keys[a], shape(a), CmpOp::lt, &error)
                     : python_order(keys[a], shape(a), keys[b], shape(b), CmpOp::lt, &error);
    });
    if (!error.empty()) rt_.type_error("'<' " + error);
    std::vector<Value> sorted;
    sorted.reserve(items.size());
    for (auto i : order)
      sorted.push_back(std::move(items[i]));
    items.swap(sorted);
  }

  /// A list (or tuple) of `items`; tuples among them keep printing as tuples.
  Value list_of(const std::vector<Value>& items, SeqKind head = SeqKind::list) {
    json out = json::array();
    ShapeBuilder shape(head, out, rt_.shapes);
    for (const auto& v : items) {
      out.push_back(v.kind == Kind::undefined ? json(json::value_t::discarded) : rt_.data(v));
      shape.add(v.shape, out.back());
    }
    return Value::of(std::move(out), shape.shape());
  }

  /// The (key, value) tuples of the dict `input`'s entries at the positions `order` holds.
  Value pairs(const Value& input, const std::vector<Value>& order) {
    const auto& entries = input.get().get_ref<const json::object_t&>();
    json out = json::array();
    ShapeBuilder shape(SeqKind::list, out, rt_.shapes);
    for (const auto& position : order) {
      auto i = position.get().get<std::size_t>();
      const auto& entry = *(entries.begin() + static_cast<std::ptrdiff_t>(i));
      out.push_back(json::array({entry.first, entry.second}));
      ShapeBuilder pair(SeqKind::tuple, out.back(), rt_.shapes);
      pair.add(input.shape.item(i), out.back()[1]);  // the key is a string: no say
      shape.add(pair.shape(), out.back());
    }
    return Value::of(std::move(out), shape.shape());
  }

  Value select(const Value& input, bool attr_mode, bool keep) {
    std::size_t off = attr_mode ? 1 : 0;
    if (attr_mode && args_.empty())
      rt_.fail("FilterArgumentError", "Missing parameter for attribute name");
    std::vector<Value> out;
    if (!rt_.truthy(input)) return list_of(out);
    std::uint32_t test = npos32;
    if (args_.size() > off) {
      const json& name = rt_.operand(args_[off]);
      if (!name.is_string()) rt_.type_error("test name must be a string");
      test = test_id_by_name(rt_, name.get_ref<const std::string&>());
    }
    std::span<const Value> test_args;
    if (args_.size() > off + 1) test_args = std::span<const Value>(args_).subspan(off + 1);
    for (auto& item : items_of(input)) {
      Value subject = attr_mode ? attribute(item, &args_[0]) : item.alias();
      bool ok = test == npos32 ? rt_.truthy(subject) : apply_test(rt_, test, subject, test_args);
      if (ok == keep) out.push_back(std::move(item));
    }
    return list_of(out);
  }

  Value min_max(const Value& input, bool is_max) {
    auto b = bind(is_max ? "max" : "min", {"case_sensitive", "attribute"});
    auto items = items_of(input);
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    bool cs = bool_arg(rt_, b.at(0), false);
    // Undefined keys cannot be ordered: Jinja's Undefined raises on `<`.
    auto ordered_key = [&](const Value& item, Shape& shape) {
      Value v = attribute(item, b.at(1));
      if (v.kind == Kind::undefined && items.size() > 1) rt_.fail_undefined(v);
      return key_of(item, b.at(1), cs, &shape);
    };
    std::size_t best = 0;
    Shape best_shape, shape;
    json best_key = ordered_key(items[0], best_shape);
    std::string error;
    // Python's max() asks `key > best`, min() `key < best`.
    for (std::size_t i = 1; i < items.size(); ++i) {
      json k = ordered_key(items[i], shape);
      bool better =
          python_order(k, shape, best_key, best_shape, is_max ? CmpOp::gt : CmpOp::lt, &error);
      if (!error.empty()) rt_.type_error((is_max ? "'>' " : "'<' ") + error);
      if (better) {
        best = i;
        best_key = std::move(k);
        best_shape = shape;
      }
    }
    return Value::of(rt_.data(items[best]), items[best].shape);
  }

  [[noreturn]] void missing_argument(std::string_view function, std::string_view param) {
    rt_.type_error(
        fmt::format("{}() missing 1 required positional argument: '{}'", function, param));
  }

  // Jinja's do_batch: lists of `linecount` items (a batch is full when its length == linecount,
  // so 0 yields one empty batch first); the last one padded with `fill_with` unless None.
  Value batch(const Value& input) {
    auto b = bind("batch", {"linecount", "fill_with"});
    if (!b.at(0)) missing_argument("do_batch", "linecount");
    const json& linecount = rt_.operand(*b.at(0));
    json out = json::array();
    json current = json::array();
    ShapeBuilder shape(SeqKind::list, out, rt_.shapes);
    std::optional<ShapeBuilder> batch_shape;
    batch_shape.emplace(SeqKind::list, current, rt_.shapes);
    for (const auto& item : items_of(input)) {
      if (python_equal(json(static_cast<std::int64_t>(current.size())), linecount)) {
        Shape done = batch_shape->shape();
        out.push_back(std::move(current));
        shape.add(done, out.back());
        current = json::array();
        batch_shape.emplace(SeqKind::list, current, rt_.shapes);
      }
      current.push_back(item.kind == Kind::undefined ? json(json::value_t::discarded)
                                                     : rt_.data(item));
      batch_shape->add(item.shape, current.back());
    }
    if (!current.empty()) {
      const Value* fill = b.at(1);
      if (!is_null(fill)) {
        std::string error;
        json size = static_cast<std::int64_t>(current.size());
        if (python_less(size, linecount, &error)) {
          if (!linecount.is_number_integer() && !linecount.is_boolean()) {
            rt_.type_error(fmt::format("can't multiply sequence by non-int of type '{}'",
                                       python_type_name(linecount)));
          }
          long long n = linecount.is_boolean() ? linecount.get<bool>() : int_arg(rt_, b.at(0), 0);
          rt_.check_size(static_cast<std::size_t>(n));
          json fill_json =
              fill->kind == Kind::undefined ? json(json::value_t::discarded) : rt_.data(*fill);
          while (static_cast<long long>(current.size()) < n) {
            current.push_back(fill_json);
            batch_shape->add(fill->shape, current.back());
          }
        }
        if (!error.empty()) rt_.type_error("'<' " + error);
      }
      Shape done = batch_shape->shape();
      out.push_back(std::move(current));
      shape.add(done, out.back());
    }
    return Value::of(std::move(out), shape.shape());
  }

  // Jinja's sync_do_slice: `slices` lists of near-equal length, the first ones one longer; the
  // shorter ones padded with one `fill_with` unless None.
  Value slice(const Value& input) {
    auto b = bind("slice", {"slices", "fill_with"});
    if (!b.at(0)) missing_argument("sync_do_slice", "slices");
    const json& slices_json = rt_.operand(*b.at(0));
    auto items = items_of(input);
    if (slices_json.is_number_float()) {
      if (slices_json.get<double>() == 0.0)
        rt_.fail("ZeroDivisionError", "float floor division by zero");
      rt_.type_error("'float' object cannot be interpreted as an integer");
    }
    long long slices = int_arg(rt_, b.at(0), 0);
    if (slices == 0) rt_.fail("ZeroDivisionError", "integer division or modulo by zero");
    json out = json::array();
    if (slices < 0) return Value::of(std::move(out));
    auto length = static_cast<long long>(items.size());
    long long per_slice = length / slices, with_extra = length % slices, offset = 0;
    rt_.check_size(static_cast<std::size_t>(std::min(slices, 1LL << 40)));
    const Value* fill = b.at(1);
    ShapeBuilder shape(SeqKind::list, out, rt_.shapes);
    for (long long n = 0; n < slices; ++n) {
      long long start = offset + n * per_slice;
      if (n < with_extra) ++offset;
      long long end = offset + (n + 1) * per_slice;
      json part = json::array();
      ShapeBuilder slice_shape(SeqKind::list, part, rt_.shapes);
      for (long long i = start; i < end; ++i) {
        const Value& item = items[static_cast<std::size_t>(i)];
        part.push_back(item.kind == Kind::undefined ? json(json::value_t::discarded)
                                                    : rt_.data(item));
        slice_shape.add(item.shape, part.back());
      }
      if (!is_null(fill) && n >= with_extra) {
        part.push_back(fill->kind == Kind::undefined ? json(json::value_t::discarded)
                                                     : rt_.data(*fill));
        slice_shape.add(fill->shape, part.back());
      }
      Shape done = slice_shape.shape();
      out.push_back(std::move(part));
      shape.add(done, out.back());
    }
    return Value::of(std::move(out), shape.shape());
  }

  // Jinja's sync_do_groupby: items sorted (stably) by the attribute, then runs of equal keys as
  // (grouper, list) tuples; case-insensitive by default, the grouper then as the first item has
  // it.
  Value groupby(const Value& input) {
    auto b = bind("groupby", {"attribute", "default", "case_sensitive"});
    if (!b.at(0)) missing_argument("sync_do_groupby", "attribute");
    bool cs = bool_arg(rt_, b.at(2), false);
    auto items = items_of(input);
    std::vector<json> raw, keys;
    std::vector<Shape> key_shapes;
    std::vector<Value> order;
    for (std::size_t i = 0; i < items.size(); ++i) {
      Value v = attribute(items[i], b.at(0), b.at(1));
      if (v.kind == Kind::undefined) {
        // Jinja's Undefined cannot be ordered: sorting two or more items raises.
        if (items.size() > 1) rt_.fail_undefined(v);
        raw.emplace_back(json::value_t::discarded);
      } else {
        raw.push_back(rt_.data(v));
      }
      key_shapes.push_back(v.shape);
      keys.push_back(fold(raw.back(), cs));
      order.push_back(Value::of(static_cast<std::int64_t>(i)));
    }
    sort_by_keys(order, keys, key_shapes, false);
    // A group is a named tuple (grouper, list).
    json out = json::array();
    ShapeBuilder shape(SeqKind::list, out, rt_.shapes);
    std::optional<ShapeBuilder> list_shape;
    std::size_t group = npos32;  // the group being filled: its key's position
    auto close = [&] {
      if (group == npos32) return;
      json& g = out.back();
      ShapeBuilder pair(SeqKind::group, g, rt_.shapes);
      pair.add(key_shapes[group], g[0]);
      pair.add(list_shape->shape(), g[1]);
      shape.add(pair.shape(), g);
    };
    for (const auto& position : order) {
      auto i = position.get().get<std::size_t>();
      if (group == npos32 ||
          !python_equal(keys[group], key_shapes[group], keys[i], key_shapes[i])) {
        close();
        group = i;
        out.push_back(json::array({cs ? keys[i] : raw[i], json::array()}));
        list_shape.emplace(SeqKind::list, out.back()[1], rt_.shapes);
      }
      out.back()[1].push_back(items[i].kind == Kind::undefined ? json(json::value_t::discarded)
                                                               : rt_.data(items[i]));
      list_shape->add(items[i].shape, out.back()[1].back());
    }
    close();
    return Value::of(std::move(out), shape.shape());
  }

  // Jinja's do_filesizeformat: float(value) in decimal (kB) or binary (KiB) units.
  Value filesizeformat(const Value& input) {
    auto b = bind("filesizeformat", {"binary"});
    const json& j = rt_.operand(input);
    double bytes = 0;
    if (j.is_number_float()) {
      bytes = j.get<double>();
    } else if (j.is_number_unsigned()) {
      bytes = static_cast<double>(j.get<std::uint64_t>());
    } else if (j.is_number_integer()) {
      bytes = static_cast<double>(j.get<std::int64_t>());
    } else if (j.is_boolean()) {
      bytes = j.get<bool>();
    } else if (j.is_string()) {
      if (!parse_python_float(j.get_ref<const std::string&>(), bytes)) {
        rt_.fail("ValueError", "could not convert string to float: " + rt_.repr(Value::borrow(j)));
      }
    } else {
      rt_.type_error(fmt::format("float() argument must be a string or a real number, not '{}'",
                                 python_type_name(j)));
    }
    bool binary = bool_arg(rt_, b.at(0), false);
    double base = binary ? 1024 : 1000;
    static constexpr std::array<std::string_view, 8> decimal = {"kB", "MB", "GB", "TB",
                                                                "PB", "EB", "ZB", "YB"};
    static constexpr std::array<std::string_view, 8> binary_units = {"KiB", "MiB", "GiB", "TiB",
                                                                     "PiB", "EiB", "ZiB", "YiB"};
    if (bytes == 1) return Value::of(std::string("1 Byte"));
    if (bytes < base) {  // f"{int(bytes)} Bytes"
      if (std::isinf(bytes)) rt_.fail("OverflowError", "cannot convert float infinity to integer");
      double whole = std::trunc(bytes);
      return Value::of(whole == 0 ? std::string("0 Bytes") : fmt::format("{:.0f} Bytes", whole));
    }
    // unit = base ** (i + 2) as a Python int: exact in a long double (at most 5**27 * 2**27);
    // `bytes < unit` compares exactly, the division rounds the unit to a double first.
    long double unit = static_cast<long double>(base);
    std::size_t i = 0;
    for (;; ++i) {
      unit *= static_cast<long double>(base);
      if (static_cast<long double>(bytes) < unit || i + 1 == decimal.size()) break;
    }
    return Value::of(fmt::format("{:.1f} {}", base * bytes / static_cast<double>(unit),
                                 binary ? binary_units[i] : decimal[i]));
  }

  // Jinja's do_xmlattr: ` key="value"` for each entry whose value is neither None nor
  // undefined, in insertion order, escaped; keys with whitespace, `/`, `>` or `=` refused.
  Value xmlattr(const Value& input) {
    auto b = bind("xmlattr", {"autospace"});
    const json& j = rt_.operand(input);
    if (!j.is_object()) {
      rt_.fail("AttributeError",
               fmt::format("'{}' object has no attribute 'items'", python_type_name(j)));
    }
    std::string out;
    for (const auto& [key, value] : j.items()) {
      if (value.is_null() || value.is_discarded()) continue;
      if (key.find_first_of(" \t\n\r\f\v/>=") != std::string::npos) {
        rt_.fail("ValueError", "Invalid character in attribute name: " + rt_.repr(Value::of(key)));
      }
      if (!out.empty()) out += ' ';
      html_escape(out, key);
      out += "=\"";
      html_escape(out, python_str(value));
      out += '"';
      rt_.check_size(out.size());
    }
    if (bool_arg(rt_, b.at(0), true) && !out.empty()) out.insert(0, 1, ' ');  // (char: -Wrestrict)
    return Value::of(std::move(out));
  }

  Value run(std::uint32_t id, const Value& input) {
    switch (static_cast<FilterId>(id)) {
      case FilterId::abs: {
        bind("abs", {});
        const json& j = rt_.operand(input);
        if (j.is_number_float()) return Value::of(std::fabs(j.get<double>()));
        if (j.is_number_unsigned()) return input.alias();
        if (j.is_number_integer() || j.is_boolean()) {
          Int128 v = j.is_boolean() ? j.get<bool>() : j.get<std::int64_t>();
          return int_value(rt_, v < 0 ? -v : v);
        }
        rt_.type_error(fmt::format("bad operand type for abs(): '{}'", python_type_name(j)));
      }
      case FilterId::attr: {
        auto b = bind("attr", {"name"});
        std::string name = str_arg(rt_, b.at(0), "");
        if (input.kind == Kind::value && input.get().is_object()) {
          // Only real attributes (the dict's methods), never keys.
          Value r = rt_.getattr(input, name);
          if (r.kind == Kind::method || r.unsafe) return r;
          return Value::undefined(fmt::format("'dict object' has no attribute '{}'", name));
        }
        return rt_.getattr(input, name);
      }
      case FilterId::capitalize:
        bind("capitalize", {});
        return Value::of(python_capitalize(rt_.str(input)));
      case FilterId::center: {
        auto b = bind("center", {"width"});
        std::string s = rt_.str(input);
        auto width = static_cast<long long>(int_arg(rt_, b.at(0), 80));
        auto len = static_cast<long long>(length_of(s));
        if (width <= len) return Value::of(std::move(s));
        long long marg = width - len, left = marg / 2 + (marg & width & 1);
        return Value::of(std::string(static_cast<std::size_t>(left), ' ') + s +
                         std::string(static_cast<std::size_t>(marg - left), ' '));
      }
      case FilterId::count:
      case FilterId::length: {
        bind("length", {});
        if (input.kind == Kind::undefined) {
          rt_.use(input);
          return Value::of(0);
        }
        const json& j = rt_.operand(input);
        if (j.is_string())
          return Value::of(static_cast<std::int64_t>(length_of(j.get_ref<const std::string&>())));
        if (j.is_structured()) return Value::of(static_cast<std::int64_t>(j.size()));
        rt_.type_error(fmt::format("object of type '{}' has no len()", python_type_name(j)));
      }
      case FilterId::d:
      case FilterId::default_: {
        auto b = bind("default", {"default_value", "boolean"});
        bool replace = input.kind == Kind::undefined ||
                       (input.kind == Kind::value && input.get().is_discarded()) ||
                       (bool_arg(rt_, b.at(1), false) && !rt_.truthy(input));
        if (!replace) return input.alias();
        return b.at(0) ? b.at(0)->alias() : Value::of(std::string());
      }
      case FilterId::dictsort: {
        auto b = bind("dictsort", {"case_sensitive", "by", "reverse"});
        const json& j = rt_.operand(input);
        if (!j.is_object())
          rt_.type_error(fmt::format("'{}' object has no attribute 'items'", python_type_name(j)));
        std::string by = str_arg(rt_, b.at(1), "key");
        if (by != "key" && by != "value") {
          rt_.fail("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
        }
        bool cs = bool_arg(rt_, b.at(0), false);
        // Sort positions, then copy each (key, value) pair once.
        const auto& entries = j.get_ref<const json::object_t&>();
        std::vector<Value> order;
        std::vector<json> keys;
        std::vector<Shape> key_shapes;
        for (std::size_t i = 0; i < entries.size(); ++i) {
          order.push_back(Value::of(static_cast<std::int64_t>(i)));
          const auto& entry = *(entries.begin() + static_cast<std::ptrdiff_t>(i));
          keys.push_back(fold(by == "key" ? json(entry.first) : entry.second, cs));
          key_shapes.push_back(by == "key" ? Shape::plain : input.shape.item(i));
        }
        sort_by_keys(order, keys, key_shapes, bool_arg(rt_, b.at(2), false));
        return pairs(input, order);
      }
      case FilterId::e:
      case FilterId::escape:
      case FilterId::forceescape: {
        bind("escape", {});
        std::string out;
        html_escape(out, rt_.str(input));
        return Value::of(std::move(out));
      }
      case FilterId::first:
      case FilterId::last: {
        bind("first", {});
        auto items = items_of(input);
        bool first = static_cast<FilterId>(id) == FilterId::first;
        if (items.empty()) {
          return Value::undefined(first ? "No first item, sequence was empty."
                                        : "No last item, sequence was empty.");
        }
        return first ? std::move(items.front()) : std::move(items.back());
      }
      case FilterId::float_: {
        auto b = bind("float", {"default"});
        const json& j = rt_.operand(input);
        double d;
        if (j.is_number() || j.is_boolean()) {
          d = j.is_number_float()      ? j.get<double>()
              : j.is_boolean()         ? j.get<bool>()
              : j.is_number_unsigned() ? static_cast<double>(j.get<std::uint64_t>())
                                       : static_cast<double>(j.get<std::int64_t>());
        } else if (!(j.is_string() && parse_python_float(j.get_ref<const std::string&>(), d))) {
          return b.at(0) ? b.at(0)->alias() : Value::of(0.0);
        }
        return Value::of(d);
      }
      case FilterId::indent: {
        auto b = bind("indent", {"width", "first", "blank"});
        std::string indention =
            b.at(0) && b.at(0)->kind == Kind::value && b.at(0)->get().is_string()
                ? b.at(0)->get().get<std::string>()
                : std::string(static_cast<std::size_t>(std::max(0LL, int_arg(rt_, b.at(0), 4))),
                              ' ');
        std::string s = rt_.str(input) + "\n";
        std::vector<std::string> lines;
        std::size_t start = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '\n' || s[i] == '\r') {
            lines.push_back(s.substr(start, i - start));
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            start = i + 1;
          }
        }
        if (start < s.size()) lines.push_back(s.substr(start));
        std::string rv;
        bool blank = bool_arg(rt_, b.at(2), false);
        for (std::size_t i = 0; i < lines.size(); ++i) {
          if (i) rv += "\n";
          if (i && (blank || !lines[i].empty())) rv += indention;
          rv += lines[i];
        }
        if (bool_arg(rt_, b.at(1), false)) rv = indention + rv;
        return Value::of(std::move(rv));
      }
      case FilterId::int_: {
        auto b = bind("int", {"default", "base"});
        auto fallback = [&] { return b.at(0) ? b.at(0)->alias() : Value::of(0); };
        const json& j = rt_.operand(input);
        if (j.is_string()) {
          const std::string& s = j.get_ref<const std::string&>();
          Int128 v;
          if (parse_python_int(s, static_cast<int>(int_arg(rt_, b.at(1), 10)), v))
            return int_value(rt_, v);
          double d;
          if (parse_python_float(s, d) && std::isfinite(d) && std::fabs(d) < 1.8e19) {
            return int_value(rt_, static_cast<Int128>(d));
          }
          return fallback();
        }
        if (j.is_boolean()) return Value::of(static_cast<std::int64_t>(j.get<bool>()));
        if (j.is_number_integer()) return input.alias();
        if (j.is_number_float()) {
          double d = j.get<double>();
          if (!std::isfinite(d)) return fallback();
          if (std::fabs(d) >= 1.8e19)
            rt_.fail("OverflowError",
                     "integer does not fit in 64 bits (eventwire's integer range)");
          return int_value(rt_, static_cast<Int128>(d));
        }
        return fallback();
      }
      case FilterId::items: {
        bind("items", {});
        if (input.kind == Kind::undefined) return Value::of(json::array(), Shape::tuple_list);
        const json& j = rt_.operand(input);
        if (!j.is_object()) rt_.type_error("Can only get item pairs from a mapping.");
        std::vector<Value> order;
        for (std::size_t i = 0; i < j.size(); ++i)
          order.push_back(Value::of(static_cast<std::int64_t>(i)));
        return pairs(input, order);
      }
      case FilterId::join: {
        std::string out;
        append_to(out, id, input);
        return Value::of(std::move(out));
      }
      case FilterId::list:
        bind("list", {});
        return list_of(items_of(input));
      case FilterId::lower:
      case FilterId::upper: {
        std::string out;
        append_to(out, id, input);
        return Value::of(std::move(out));
      }
      case FilterId::map: {
        std::vector<Value> out;
        const Value* attr = nullptr;
        const Value* fallback = nullptr;
        if (args_.empty()) {
          for (const auto& [k, v] : kwargs_) {
            if (k == "attribute")
              attr = &v;
            else if (k == "default")
              fallback = &v;
            else
              rt_.fail("FilterArgumentError", fmt::format("Unexpected keyword argument '{}'", k));
          }
          if (!attr) rt_.fail("FilterArgumentError", "map requires a filter argument");
        }
        if (!rt_.truthy(input)) return list_of(out);
        auto items = items_of(input);
        if (attr) {
          for (const auto& item : items)
            out.push_back(attribute(item, attr, fallback));
          return list_of(out);
        }
        const json& name = rt_.operand(args_[0]);
        if (!name.is_string()) rt_.type_error("filter name must be a string");
        for (const auto& item : items) {
          std::vector<Value> sub(args_.begin() + 1, args_.end());
          for (auto& s : sub)
            s = s.alias();
          Kwargs kw;
          for (const auto& [k, v] : kwargs_)
            kw.emplace_back(k, v.alias());
          out.push_back(call_by_name(name.get_ref<const std::string&>(), item.alias(), sub, kw));
          out.back() = out.back().ref ? Value::of(rt_.data(out.back()), out.back().shape)
                                      : std::move(out.back());
        }
        return list_of(out);
      }
      case FilterId::max:
        return min_max(input, true);
      case FilterId::min:
        return min_max(input, false);
      case FilterId::reject:
        return select(input, false, false);
      case FilterId::rejectattr:
        return select(input, true, false);
      case FilterId::select:
        return select(input, false, true);
      case FilterId::selectattr:
        return select(input, true, true);
      case FilterId::replace: {
        auto b = bind("replace", {"old", "new", "count"});
        if (!b.at(0) || !b.at(1)) rt_.type_error("replace() missing required argument");
        auto r = python_replace(rt_.str(input), rt_.str(*b.at(0)), rt_.str(*b.at(1)),
                                is_null(b.at(2)) ? -1 : int_arg(rt_, b.at(2), -1));
        rt_.check_size(r.size());
        return Value::of(std::move(r));
      }
      case FilterId::reverse: {
        bind("reverse", {});
        if (input.kind == Kind::value && input.get().is_string()) {
          const std::string& s = input.get().get_ref<const std::string&>();
          std::vector<std::string_view> cps;
          for (std::size_t i = 0; i < s.size();) {
            std::size_t at = i;
            next_code_point(s, i);
            cps.push_back(std::string_view(s).substr(at, i - at));
          }
          std::string out;
          for (auto it = cps.rbegin(); it != cps.rend(); ++it)
            out += *it;
          return Value::of(std::move(out));
        }
        auto items = items_of(input);
        std::reverse(items.begin(), items.end());
        return list_of(items);
      }
      case FilterId::round: {
        auto b = bind("round", {"precision", "method"});
        return do_round(rt_, input, b);
      }
      case FilterId::safe:
        bind("safe", {});
        return Value::of(rt_.str(input));
      case FilterId::sort: {
        auto b = bind("sort", {"reverse", "case_sensitive", "attribute"});
        auto items = items_of(input);
        bool cs = bool_arg(rt_, b.at(1), false);
        std::vector<json> keys;
        std::vector<Shape> key_shapes(items.size());
        keys.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i)
          keys.push_back(multi_key_of(items[i], b.at(2), cs, key_shapes[i]));
        sort_by_keys(items, keys, key_shapes, bool_arg(rt_, b.at(0), false));
        return list_of(items);
      }
      case FilterId::string:
        bind("string", {});
        return Value::of(rt_.str(input));
      case FilterId::sum: {
        auto b = bind("sum", {"attribute", "start"});
        bool is_float = false;
        Int128 total = 0;
        double ftotal = 0;
        auto add = [&](const json& j) {
          if (j.is_number_float()) {
            if (!is_float) ftotal = static_cast<double>(total);
            is_float = true;
            ftotal += j.get<double>();
          } else if (j.is_number() || j.is_boolean()) {
            Int128 v = j.is_boolean()           ? j.get<bool>()
                       : j.is_number_unsigned() ? static_cast<Int128>(j.get<std::uint64_t>())
                                                : j.get<std::int64_t>();
            if (is_float)
              ftotal += static_cast<double>(v);
            else
              total += v;
          } else {
            rt_.type_error(fmt::format("unsupported operand type(s) for +: '{}' and '{}'",
                                       is_float ? "float" : "int", python_type_name(j)));
          }
        };
        if (b.at(1)) {
          const json& start = rt_.operand(*b.at(1));
          if (start.is_string())
            rt_.type_error("sum() can't sum strings [use ''.join(seq) instead]");
          if (start.is_array()) {
            // sum(lists, start=[]) concatenates lists, sum(tuples, start=()) tuples; the items
            // keep their own shapes.
            const Shape start_shape = b.at(1)->shape;
            const bool tuple = start_shape.is_tuple();
            json out = json::array();
            ShapeBuilder shape(tuple ? SeqKind::tuple : SeqKind::list, out, rt_.shapes);
            for (std::size_t i = 0; i < start.size(); ++i) {
              out.push_back(start[i]);
              shape.add(start_shape.item(i), out.back());
            }
            for (const auto& item : items_of(input)) {
              Value part_value = attribute(item, b.at(0));
              const json& part = rt_.operand(part_value);
              if (!part.is_array() || part_value.shape.is_tuple() != tuple ||
                  part_value.shape.is_view()) {
                std::string_view type = tuple ? "tuple" : "list";
                rt_.type_error(fmt::format("can only concatenate {} (not \"{}\") to {}", type,
                                           python_type_name(part, part_value.shape), type));
              }
              for (std::size_t i = 0; i < part.size(); ++i) {
                out.push_back(part[i]);
                shape.add(part_value.shape.item(i), out.back());
              }
            }
            rt_.check_size(out.size());
            Shape result = shape.shape();
            return Value::of(std::move(out), result);
          }
          add(start);
        }
        for (const auto& item : items_of(input)) {
          Value v = attribute(item, b.at(0));
          add(rt_.operand(v));
        }
        return is_float ? Value::of(ftotal) : int_value(rt_, total);
      }
      case FilterId::title:
        bind("title", {});
        return Value::of(jinja_title(rt_.str(input)));
      case FilterId::tojson: {
        auto b = bind("tojson", {"indent"});
        std::string unit;  // Python: an int n indents by ' ' * n, a str by itself
        if (!is_null(b.at(0))) {
          const json& j = rt_.operand(*b.at(0));
          unit = j.is_string() ? j.get<std::string>()
                               : std::string(static_cast<std::size_t>(
                                                 std::clamp(int_arg(rt_, b.at(0), 0), 0LL, 64LL)),
                                             ' ');
        }
        std::string out;
        write_tojson(out, rt_.data(input), is_null(b.at(0)) ? nullptr : &unit);
        rt_.check_size(out.size());
        return Value::of(std::move(out));
      }
      case FilterId::trim: {
        auto b = bind("trim", {"chars"});
        std::string s = rt_.str(input);
        if (is_null(b.at(0))) return Value::of(std::string(python_strip(s)));
        return Value::of(std::string(python_strip_chars(s, rt_.str(*b.at(0)))));
      }
      case FilterId::truncate: {
        auto b = bind("truncate", {"length", "killwords", "end", "leeway"});
        std::string s = rt_.str(input);
        long long length = int_arg(rt_, b.at(0), 255);
        std::string end = str_arg(rt_, b.at(2), "...");
        long long leeway = is_null(b.at(3)) ? 5 : int_arg(rt_, b.at(3), 5);
        auto end_len = static_cast<long long>(length_of(end));
        if (length < end_len)
          rt_.fail("AssertionError", fmt::format("expected length >= {}, got {}", end_len, length));
        if (leeway < 0)
          rt_.fail("AssertionError", fmt::format("expected leeway >= 0, got {}", leeway));
        if (static_cast<long long>(length_of(s)) <= length + leeway) return Value::of(std::move(s));
        std::string head = s.substr(0, offset_of(s, static_cast<std::size_t>(length - end_len)));
        if (!bool_arg(rt_, b.at(1), false)) {
          auto space = head.rfind(' ');
          if (space != std::string::npos) head.resize(space);
        }
        return Value::of(head + end);
      }
      case FilterId::unique: {
        auto b = bind("unique", {"case_sensitive", "attribute"});
        bool cs = bool_arg(rt_, b.at(0), false);
        std::vector<Value> out;
        std::vector<std::pair<json, Shape>> seen;
        for (auto& item : items_of(input)) {
          Shape shape;
          json key = key_of(item, b.at(1), cs, &shape);
          // A tuple of hashables is hashable (`[(1, 2), (1, 2)] | unique`); lists and dicts are
          // not.
          if (auto t = unhashable_type(key, shape); !t.empty())
            rt_.type_error(fmt::format("unhashable type: '{}'", t));
          bool found = std::any_of(seen.begin(), seen.end(), [&](const auto& s) {
            return python_equal(s.first, s.second, key, shape);
          });
          if (!found) {
            seen.emplace_back(std::move(key), shape);
            out.push_back(std::move(item));
          }
        }
        return list_of(out);
      }
      case FilterId::urlencode: {
        bind("urlencode", {});
        const json& j = rt_.operand(input);
        if (j.is_string() || !j.is_structured()) return Value::of(url_quote(rt_.str(input), false));
        std::string out;
        auto pair = [&](const std::string& k, const std::string& v) {
          if (!out.empty()) out += "&";
          out += url_quote(k, true) + "=" + url_quote(v, true);
        };
        if (j.is_object()) {
          for (const auto& [k, v] : j.items())
            pair(k, python_str(v));
        } else {
          for (const auto& e : j) {
            if (!e.is_array() || e.size() != 2)
              rt_.fail("ValueError", "urlencode expects (key, value) pairs");
            pair(python_str(e[0]), python_str(e[1]));
          }
        }
        return Value::of(std::move(out));
      }
      case FilterId::wordcount: {
        bind("wordcount", {});
        std::string s = rt_.str(input);
        std::int64_t words = 0;
        bool in_word = false;
        for (std::size_t i = 0; i < s.size();) {
          char32_t cp = next_code_point(s, i);
          bool word = cp < 0x80 ? (std::isalnum(static_cast<int>(cp)) || cp == '_')
                                : (!is_python_space(cp) && is_python_printable(cp));
          if (word && !in_word) ++words;
          in_word = word;
        }
        return Value::of(words);
      }
      case FilterId::format: {
        // Jinja's do_format: `soft_str(value) % (kwargs or args)`.
        if (!args_.empty() && !kwargs_.empty()) {
          rt_.fail("FilterArgumentError",
                   "can't handle positional and keyword arguments at the same time");
        }
        std::string text = rt_.str(input);
        if (!kwargs_.empty()) {
          json mapping = json::object();
          for (const auto& [k, v] : kwargs_)
            mapping[std::string(k)] =
                v.kind == Kind::undefined ? json(json::value_t::discarded) : rt_.data(v);
          return percent_format(rt_, text, Value::of(std::move(mapping)));
        }
        return percent_format(rt_, text, list_of(args_, SeqKind::tuple));
      }
      case FilterId::batch:
        return batch(input);
      case FilterId::slice:
        return slice(input);
      case FilterId::groupby:
        return groupby(input);
      case FilterId::filesizeformat:
        return filesizeformat(input);
      case FilterId::xmlattr:
        return xmlattr(input);
      case FilterId::striptags:
        bind("striptags", {});
        return Value::of(strip_tags(rt_.str(input)));
      case FilterId::wordwrap: {
        auto b = bind("wordwrap", {"width", "break_long_words", "wrapstring", "break_on_hyphens"});
        if (input.kind == Kind::undefined) rt_.fail_undefined(input);
        const json& j = rt_.operand(input);
        if (!j.is_string()) {
          rt_.fail("AttributeError",
                   fmt::format("'{}' object has no attribute 'splitlines'", python_type_name(j)));
        }
        long long width = int_arg(rt_, b.at(0), 79);
        std::string wrapstring = "\n";
        if (!is_null(b.at(2))) {
          const json& w = rt_.operand(*b.at(2));
          if (!w.is_string()) {
            rt_.fail("AttributeError",
                     fmt::format("'{}' object has no attribute 'join'", python_type_name(w)));
          }
          wrapstring = w.get<std::string>();
        }
        WrapOptions o;
        o.break_long_words = bool_arg(rt_, b.at(1), true);
        o.hyphen_long = bool_arg(rt_, b.at(3), true);
        o.hyphen_regex = !b.at(3) || (rt_.operand(*b.at(3)).is_boolean() && o.hyphen_long);
        auto paragraphs = split_lines(to_u32(j.get_ref<const std::string&>()));
        if (!paragraphs.empty() && width <= 0)
          rt_.fail("ValueError", fmt::format("invalid width {} (must be > 0)", width));
        o.width = static_cast<std::size_t>(std::max(width, 1LL));
        std::string out;
        for (std::size_t p = 0; p < paragraphs.size(); ++p) {
          if (p) out += wrapstring;
          auto lines = textwrap_wrap(paragraphs[p], o);
          for (std::size_t l = 0; l < lines.size(); ++l) {
            if (l) out += wrapstring;
            append_u32(out, lines[l]);
          }
          rt_.check_size(out.size());
        }
        return Value::of(std::move(out));
      }
      case FilterId::host:
        break;
    }
    return call_host(id - static_cast<std::uint32_t>(FilterId::host), input);
  }

  Value call_host_function(const TemplateFilter& filter, const Value& input) {
    if (!kwargs_.empty()) rt_.type_error("host filters take positional arguments only");
    json in = input.kind == Kind::undefined ? (rt_.use(input), json(json::value_t::discarded))
                                            : json(rt_.data(input));
    std::vector<json> args;
    for (const auto& a : args_)
      args.push_back(a.kind == Kind::undefined ? json(json::value_t::discarded) : rt_.data(a));
    try {
      return Value::of(filter(in, args));
    } catch (const TemplateError&) {
      throw;
    } catch (const std::exception& e) {
      rt_.fail("Exception", e.what());
    }
  }

  Value call_host(std::uint32_t index, const Value& input) {
    return call_host_function(*rt_.program.host_filters[index], input);
  }

  Value call_by_name(const std::string& name, const Value& input, std::vector<Value>& args,
                     Kwargs& kwargs) {
    if (auto it = rt_.env.filters.find(name); it != rt_.env.filters.end()) {
      Filters inner(rt_, args, kwargs);
      return inner.call_host_function(it->second, input);
    }
    auto id = find_builtin_filter(name);
    if (id == npos32)
      rt_.fail("TemplateRuntimeError", fmt::format("No filter named '{}' found.", name));
    return apply_filter(rt_, id, input, args, kwargs);
  }

 private:
  Runtime& rt_;
  std::vector<Value>& args_;
  Kwargs& kwargs_;
};

}  // namespace

bool case_map_ascii(char* __restrict to, std::string_view text, bool lower) noexcept {
  // A loop the compiler vectorizes: `to` aliases nothing.
  const auto* from = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const unsigned char first = lower ? 'A' : 'a';
  unsigned char seen = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = from[i];
    seen |= c;
    to[i] = static_cast<char>(static_cast<unsigned char>(c - first) < 26 ? c ^ 0x20 : c);
  }
  return (seen & 0x80) == 0;
}

void append_case_mapped(std::string& out, std::string_view text, bool lower) {
  // ASCII (most keys, ids and labels) maps byte by byte; anything else takes Python's tables.
  const std::size_t at = out.size();
  out.resize(at + text.size());
  if (!case_map_ascii(out.data() + at, text, lower)) {
    out.resize(at);
    out += lower ? python_lower(text) : python_upper(text);
  }
}

Value apply_filter(Runtime& rt, std::uint32_t id, const Value& input, std::vector<Value>& args,
                   Kwargs& kwargs) {
  Value result = Filters(rt, args, kwargs).run(id, input);
  // The result may borrow from the input or an argument (`first`, `default`); those may be
  // temporaries of the caller.
  result = stabilize(std::move(result), input);
  for (const auto& a : args)
    result = stabilize(std::move(result), a);
  for (const auto& [name, a] : kwargs)
    result = stabilize(std::move(result), a);
  return result;
}

void append_filter(Runtime& rt, std::uint32_t id, const Value& input, std::vector<Value>& args,
                   Kwargs& kwargs, std::string& out) {
  if (Filters(rt, args, kwargs).append_to(out, id, input)) return;
  rt.append_str(out, apply_filter(rt, id, input, args, kwargs));
}

std::uint32_t test_id_by_name(Runtime& rt, std::string_view name) {
  auto id = find_builtin_test(name);
  if (id == npos32) rt.fail("TemplateRuntimeError", fmt::format("No test named '{}' found.", name));
  return id;
}

}  // namespace eventwire::detail
