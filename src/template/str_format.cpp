// Python's `str.format` and `str.format_map` as Jinja's sandbox runs them: SandboxedFormatter,
// which is Python's string.Formatter (Lib/string.py: the parse of _string.formatter_parser, at
// most one level of fields nested in a format spec, auto-numbering checked per field) with the
// field lookups `{0.attr}` / `{0[key]}` going through the sandbox's getattr / getitem, and each
// field formatted by `format(value, spec)` (Python/formatter_unicode.c for str, int, bool, float).
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/format_conversions.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

bool is_ascii_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_ascii_digit(c)) return false;
  }
  return true;
}

/// A parsed format spec (`[[fill]align][sign][z][#][0][width][grouping][.precision][type]`).
struct FormatSpec {
  std::string fill = " ";  // one character, UTF-8
  char32_t align = 0;      // '<', '>', '^', '=' (0 until the type's default is applied)
  char sign = 0;           // '+', '-', ' ' or 0
  bool no_neg_zero = false;
  bool alt = false;
  std::optional<std::size_t> width{};
  char grouping = 0;  // ',' or '_'
  std::optional<std::size_t> precision{};
  char32_t type = 0;
};

/// A number laid out as Python's calc_number_widths / fill_number do: sign, prefix (`0x`),
/// digits (grouped, zero-padded when the fill is '0' and the alignment '='), then the rest
/// (`.5e+07`, `%`, a `c` character).
struct NumberParts {
  bool negative = false;
  std::string prefix{};
  std::string digits{};
  std::string rest{};
  std::size_t group = 0;  // digits per group (0: no grouping)
};

class StrFormatter {
 public:
  StrFormatter(Runtime& rt, std::span<const Value> args, const Kwargs* kwargs, const Value* mapping)
      : rt_(rt), args_(args), kwargs_(kwargs), mapping_(mapping) {}

  std::string run(std::string_view format) {
    std::string out;
    vformat(out, format, 2);
    return out;
  }

 private:
  Runtime& rt_;
  std::span<const Value> args_;
  const Kwargs* kwargs_;                      // format(): the keyword arguments
  const Value* mapping_;                      // format_map(): the mapping
  std::optional<std::size_t> next_auto_ = 0;  // empty once a field was numbered by hand

  [[noreturn]] void value_error(const std::string& message) const {
    rt_.fail("ValueError", message);
  }

  struct Field {
    std::string_view name{};
    std::string_view spec{};
    std::string conversion{};  // one character, UTF-8; empty when none
  };

  // Formatter._vformat: literal text and fields, each field formatted as it is parsed (so an
  // error in a field comes before a syntax error further on, as Python's lazy parse has it).
  void vformat(std::string& out, std::string_view format, int depth) {
    if (depth < 0) value_error("Max string recursion exceeded");
    std::size_t i = 0;
    while (i < format.size()) {
      std::size_t brace = format.find_first_of("{}", i);
      if (brace == std::string_view::npos) {
        out.append(format.substr(i));
        break;
      }
      char c = format[brace];
      bool at_end = brace + 1 == format.size();
      if (c == '}' && (at_end || format[brace + 1] != '}')) {
        value_error("Single '}' encountered in format string");
      }
      if (c == '{' && at_end) value_error("Single '{' encountered in format string");
      if (format[brace + 1] == c) {  // `{{` or `}}`: one brace of literal text
        out.append(format.substr(i, brace + 1 - i));
        i = brace + 2;
        continue;
      }
      out.append(format.substr(i, brace - i));
      i = brace + 1;
      Field field = parse_field(format, i);
      format_field(out, field, depth);
      rt_.check_size(out.size());
    }
  }

  // MarkupIterator's parse_field: `name[!conversion][:spec]}` from `i`, which ends past the `}`.
  Field parse_field(std::string_view format, std::size_t& i) const {
    Field field;
    std::size_t start = i;
    char c = 0;
    while (i < format.size()) {
      c = format[i++];
      if (c == '{') value_error("unexpected '{' in field name");
      if (c == '[') {
        while (i < format.size() && format[i] != ']')
          ++i;
        continue;
      }
      if (c == '}' || c == ':' || c == '!') break;
    }
    field.name = format.substr(start, i - 1 - start);
    if (c != '!' && c != ':') {
      if (c != '}') value_error("expected '}' before end of string");
      return field;
    }
    if (c == '!') {
      if (i >= format.size()) {
        value_error("end of string while looking for conversion specifier");
      }
      std::size_t at = i;
      next_code_point(format, i);
      field.conversion = std::string(format.substr(at, i - at));
      if (i < format.size()) {
        c = format[i++];
        if (c == '}') return field;
        if (c != ':') value_error("expected ':' after conversion specifier");
      }
    }
    std::size_t spec_start = i;
    int depth = 1;
    while (i < format.size()) {
      c = format[i++];
      if (c == '{') ++depth;
      if (c == '}' && --depth == 0) {
        field.spec = format.substr(spec_start, i - 1 - spec_start);
        return field;
      }
    }
    value_error("unmatched '{' in format spec");
  }

  void format_field(std::string& out, const Field& field, int depth) {
    std::string_view name = field.name;
    std::string numbered;
    if (name.empty()) {
      if (!next_auto_) {
        value_error("cannot switch from manual field specification to automatic field numbering");
      }
      numbered = std::to_string((*next_auto_)++);
      name = numbered;
    } else if (all_digits(name)) {
      if (next_auto_ && *next_auto_ > 0) {
        value_error("cannot switch from manual field specification to automatic field numbering");
      }
      next_auto_.reset();
    }
    Value value = get_field(name);
    if (!field.conversion.empty()) value = convert(value, field.conversion);
    std::string spec;
    vformat(spec, field.spec, depth - 1);
    format_value(out, value, spec);
  }

  // An index in a field name (all ASCII digits), or none for a name.
  std::optional<std::size_t> index_of(std::string_view text) const {
    if (!all_digits(text)) return std::nullopt;
    std::size_t n = 0;
    for (char c : text) {
      auto digit = static_cast<std::size_t>(c - '0');
      if (n > (static_cast<std::size_t>(INT64_MAX) - digit) / 10) {
        value_error("Too many decimal digits in format string");
      }
      n = n * 10 + digit;
    }
    return n;
  }

  // SandboxedFormatter.get_field: the first part from the arguments, then `.attr` through the
  // sandbox's getattr and `[key]` (an int when all digits) through its getitem.
  Value get_field(std::string_view name) {
    std::size_t k = std::min(name.find_first_of(".["), name.size());
    std::string_view first = name.substr(0, k);
    Value obj;
    if (auto index = index_of(first)) {
      if (*index >= args_.size()) rt_.fail("IndexError", "tuple index out of range");
      obj = args_[*index].alias();
    } else {
      obj = keyword(first);
    }
    while (k < name.size()) {
      char c = name[k++];
      Value next;
      if (c == '.') {
        std::size_t end = std::min(name.find_first_of(".[", k), name.size());
        std::string_view attr = name.substr(k, end - k);
        k = end;
        if (attr.empty()) value_error("Empty attribute in format string");
        next = rt_.getattr(obj, attr);
      } else if (c == '[') {
        std::size_t end = name.find(']', k);
        if (end == std::string_view::npos) value_error("Missing ']' in format string");
        std::string_view key = name.substr(k, end - k);
        k = end + 1;
        if (key.empty()) value_error("Empty attribute in format string");
        auto index = index_of(key);
        next = rt_.getitem(obj, index ? Value::of(static_cast<std::int64_t>(*index))
                                      : Value::of(std::string(key)));
      } else {
        value_error("Only '.' or '[' may follow ']' in format field specifier");
      }
      obj = stabilize(std::move(next), obj);
    }
    return obj;
  }

  [[noreturn]] void missing_key(std::string_view name) const {
    rt_.fail("KeyError", python_repr(json(std::string(name))));
  }

  // `kwargs[name]`: a keyword argument of format(), or the mapping's item for format_map().
  Value keyword(std::string_view name) const {
    if (kwargs_) {
      for (const auto& [key, value] : *kwargs_) {
        if (key == name) return value.alias();
      }
      missing_key(name);
    }
    const Value& m = *mapping_;
    if (m.kind == Kind::undefined) {  // Undefined.__getitem__
      if (rt_.policy(m) != UndefinedPolicy::chainable) rt_.fail_undefined(m);
      return m.alias();
    }
    const json* j = m.kind == Kind::value ? &m.get() : nullptr;
    if (j && j->is_object()) {
      if (const json* member = find_member(*j, name))
        return Value::borrow(*member, m.shape.member(*j, member));
      missing_key(name);
    }
    if (j && j->is_array()) {
      rt_.type_error(
          fmt::format("{} indices must be integers or slices, not str", rt_.type_name(m)));
    }
    if (j && j->is_string()) rt_.type_error("string indices must be integers, not 'str'");
    rt_.type_error(fmt::format("'{}' object is not subscriptable", rt_.type_name(m)));
  }

  // Formatter.convert_field: `!s`, `!r`, `!a`.
  Value convert(const Value& value, const std::string& conversion) const {
    if (conversion == "s") return Value::of(rt_.str(value));
    if (conversion == "r" || conversion == "a") {
      std::string repr = value.kind == Kind::undefined ? "Undefined" : rt_.repr(value);
      return Value::of(conversion == "a" ? ascii_escape(repr) : std::move(repr));
    }
    value_error(fmt::format("Unknown conversion specifier {}", conversion));
  }

  // format(value, spec).
  void format_value(std::string& out, const Value& value, const std::string& spec) {
    if (spec.empty()) {  // str(value), whatever the type
      rt_.append_str(out, value);
      return;
    }
    const json* j = value.kind == Kind::value ? &value.get() : nullptr;
    if (j && j->is_string()) {
      format_string(out, string_of(*j), spec);
    } else if (j && (j->is_number_integer() || j->is_boolean())) {
      format_integer(out, *j, value, spec);
    } else if (j && j->is_number_float()) {
      FormatSpec s = parse_spec(spec, '>', 0, value);
      if (s.type && std::u32string_view(U"eEfFgGn%").find(s.type) == std::u32string_view::npos) {
        unknown_type(s.type, value);
      }
      format_float(out, j->get<double>(), s);
    } else {  // object.__format__
      rt_.type_error(
          fmt::format("unsupported format string passed to {}.__format__", rt_.type_name(value)));
    }
  }

  [[noreturn]] void unknown_type(char32_t type, const Value& value) const {
    value_error(fmt::format("Unknown format code '{}' for object of type '{}'", code_text(type),
                            rt_.type_name(value)));
  }

  static std::string code_text(char32_t c) {
    if (c > 32 && c < 128) return std::string(1, static_cast<char>(c));  // as CPython
    return fmt::format("\\x{:x}", static_cast<std::uint32_t>(c));
  }

  // parse_internal_render_format_spec.
  FormatSpec parse_spec(std::string_view spec, char default_align, char default_type,
                        const Value& value) const {
    FormatSpec s;
    s.align = static_cast<char32_t>(default_align);
    s.type = static_cast<char32_t>(default_type);
    std::u32string text;
    for (std::size_t i = 0; i < spec.size();)
      text += next_code_point(spec, i);
    auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    std::size_t pos = 0, end = text.size();
    bool fill_given = false, align_given = false;
    if (end - pos >= 2 && is_align(text[pos + 1])) {
      s.fill.clear();
      utf8_append(s.fill, text[pos]);
      s.align = text[pos + 1];
      fill_given = align_given = true;
      pos += 2;
    } else if (end - pos >= 1 && is_align(text[pos])) {
      s.align = text[pos];
      align_given = true;
      ++pos;
    }
    if (pos < end && (text[pos] == '+' || text[pos] == '-' || text[pos] == ' ')) {
      s.sign = static_cast<char>(text[pos++]);
    }
    if (pos < end && text[pos] == 'z') {
      s.no_neg_zero = true;
      ++pos;
    }
    if (pos < end && text[pos] == '#') {
      s.alt = true;
      ++pos;
    }
    if (!fill_given && pos < end && text[pos] == '0') {
      s.fill.assign(1, '0');  // (char: GCC 12 -Wrestrict false positive on "0")
      if (!align_given && default_align == '>') s.align = '=';
      ++pos;
    }
    s.width = integer(text, pos);
    if (pos < end && text[pos] == ',') {
      s.grouping = ',';
      ++pos;
    }
    if (pos < end && text[pos] == '_') {
      if (s.grouping) value_error("Cannot specify both ',' and '_'.");
      s.grouping = '_';
      ++pos;
    }
    if (pos < end && text[pos] == ',' && s.grouping == '_') {
      value_error("Cannot specify both ',' and '_'.");
    }
    if (pos < end && text[pos] == '.') {
      ++pos;
      s.precision = integer(text, pos);
      if (!s.precision) value_error("Format specifier missing precision");
    }
    if (end - pos > 1) {
      value_error(fmt::format("Invalid format specifier '{}' for object of type '{}'", spec,
                              rt_.type_name(value)));
    }
    if (end - pos == 1) s.type = text[pos];
    if (s.grouping) {
      switch (s.type) {
        case 'd':
        case 'e':
        case 'f':
        case 'g':
        case 'E':
        case 'G':
        case '%':
        case 'F':
        case 0:
          break;
        case 'b':
        case 'o':
        case 'x':
        case 'X':
          if (s.grouping == '_') break;
          [[fallthrough]];
        default:
          value_error(fmt::format("Cannot specify '{}' with '{}'.", s.grouping, code_text(s.type)));
      }
    }
    return s;
  }

  // get_integer: the digits at `pos`, none when there are none.
  std::optional<std::size_t> integer(const std::u32string& text, std::size_t& pos) const {
    std::optional<std::size_t> n;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      std::size_t digit = text[pos++] - U'0';
      std::size_t v = n.value_or(0);
      if (v > (static_cast<std::size_t>(INT64_MAX) - digit) / 10) {
        value_error("Too many decimal digits in format string");
      }
      n = v * 10 + digit;
    }
    return n;
  }

  // format_string_internal.
  void format_string(std::string& out, std::string_view text, std::string_view spec) {
    Value as_str = Value::of(std::string());  // for the messages' type name
    FormatSpec s = parse_spec(spec, '<', 's', as_str);
    if (s.width) rt_.check_size(*s.width);
    if (s.type != 's') unknown_type(s.type, as_str);
    if (s.sign == ' ') value_error("Space not allowed in string format specifier");
    if (s.sign) value_error("Sign not allowed in string format specifier");
    if (s.no_neg_zero) {
      value_error("Negative zero coercion (z) not allowed in string format specifier");
    }
    if (s.alt) value_error("Alternate form (#) not allowed in string format specifier");
    if (s.align == '=') value_error("'=' alignment not allowed in string format specifier");
    std::size_t length = utf8_count(text);
    if (s.precision && length > *s.precision) {
      text = text.substr(0, utf8_advance(text, 0, *s.precision));
      length = *s.precision;
    }
    std::size_t padding = s.width && *s.width > length ? *s.width - length : 0;
    std::size_t left = s.align == '>' ? padding : s.align == '^' ? padding / 2 : 0;
    rt_.check_size(out.size() + text.size() + padding * s.fill.size());
    append_fill(out, s.fill, left);
    out += text;
    append_fill(out, s.fill, padding - left);
  }

  // long__format__ and format_long_internal (bool too: True is 1 once there is a spec).
  void format_integer(std::string& out, const json& j, const Value& value, std::string_view spec) {
    FormatSpec s = parse_spec(spec, '>', 'd', value);
    switch (s.type) {
      case 'b':
      case 'c':
      case 'd':
      case 'o':
      case 'x':
      case 'X':
      case 'n':
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case '%':
        format_float(out, float_of(j), s);
        return;
      default:
        unknown_type(s.type, value);
    }
    if (s.precision) value_error("Precision not allowed in integer format specifier");
    if (s.no_neg_zero) {
      value_error("Negative zero coercion (z) not allowed in integer format specifier");
    }
    IntegerParts parts = integer_parts(j);
    NumberParts n;
    if (s.type == 'c') {
      if (s.sign) value_error("Sign not allowed with integer format specifier 'c'");
      if (s.alt) value_error("Alternate form (#) not allowed with integer format specifier 'c'");
      std::int64_t code = parts.magnitude > static_cast<std::uint64_t>(INT64_MAX)
                              ? INT64_MAX
                              : static_cast<std::int64_t>(parts.magnitude);
      n.rest = python_chr(rt_, parts.negative ? -code : code);
    } else {
      char type = static_cast<char>(s.type);
      n.negative = parts.negative;
      n.digits = integer_digits(parts.magnitude, type);
      if (s.alt && type != 'd' && type != 'n') n.prefix = std::string("0") + type;  // 0x, 0X
      n.group = !s.grouping ? 0 : (type == 'd') ? 3 : 4;
    }
    layout(out, n, s);
  }

  // format_float_internal, with PyOS_double_to_string's digits.
  void format_float(std::string& out, double value, FormatSpec s) {
    if (s.precision && *s.precision > static_cast<std::size_t>(INT32_MAX)) {
      value_error("precision too big");
    }
    char type = static_cast<char>(s.type);
    bool add_dot_0 = false, percent = false;
    std::size_t precision = 6;
    if (type == 0) {  // repr(), or 'g' with at least one digit after the point
      add_dot_0 = true;
      type = 'r';
      precision = 0;
    }
    if (type == 'n') type = 'g';
    if (type == '%') {
      type = 'f';
      value *= 100;
      percent = true;
    }
    if (s.precision) {
      precision = *s.precision;
      if (type == 'r') type = 'g';
    }
    rt_.check_size(out.size() + precision);
    NumberParts n;
    n.negative = std::signbit(value) && !std::isnan(value);
    std::string text = float_text(std::fabs(value), type, precision, s.alt, add_dot_0);
    if (n.negative && s.no_neg_zero && std::isfinite(value)) {
      bool zero = true;
      for (char c : text) {
        if (c == 'e' || c == 'E') break;
        if (c >= '1' && c <= '9') zero = false;
      }
      if (zero) n.negative = false;
    }
    if (percent) text += '%';
    std::size_t digits = 0;
    while (digits < text.size() && is_ascii_digit(text[digits]))
      ++digits;
    n.digits = text.substr(0, digits);
    n.rest = text.substr(digits);
    n.group = s.grouping && s.type != 'n' ? 3 : 0;
    layout(out, n, s);
  }

  // PyOS_double_to_string of a non-negative double: `r` (repr) or e f g (either case).
  static std::string float_text(double magnitude, char type, std::size_t precision, bool alt,
                                bool add_dot_0) {
    if (type == 'r') {
      std::string repr = python_float_repr(magnitude);
      if (alt && repr.find('.') == std::string::npos) {  // `1e+16` with `#`: `1.e+16`
        auto e = repr.find('e');
        if (e != std::string::npos) repr.insert(e, 1, '.');  // (char: GCC 12 -Wrestrict)
      }
      return repr;
    }
    if (type != 'g' || !add_dot_0 || !std::isfinite(magnitude)) {
      return float_digits(magnitude, precision, type, alt);
    }
    // 'g' with at least one digit after the point: exponent notation from one digit earlier
    // (from exponent precision - 1 up, where %g switches at precision).
    std::size_t p = std::max<std::size_t>(precision, 1);
    std::string e_form = float_digits(magnitude, p - 1, 'e', alt);
    auto e = e_form.find('e');
    long exponent = std::strtol(e_form.c_str() + e + 1, nullptr, 10);
    auto strip = [&](std::string t, std::size_t end) {
      if (alt || t.find('.') == std::string::npos) return t;
      std::size_t last = end;
      while (last > 0 && t[last - 1] == '0')
        --last;
      if (last > 0 && t[last - 1] == '.') --last;
      return t.erase(last, end - last);
    };
    if (exponent < -4 || exponent >= static_cast<long>(p) - 1) return strip(e_form, e);
    std::string fixed = float_digits(
        magnitude, static_cast<std::size_t>(static_cast<long>(p) - 1 - exponent), 'f', alt);
    fixed = strip(fixed, fixed.size());
    if (fixed.find('.') == std::string::npos) fixed += ".0";
    return fixed;
  }

  // calc_number_widths and fill_number.
  void layout(std::string& out, const NumberParts& n, const FormatSpec& s) {
    if (s.width) rt_.check_size(*s.width);
    std::string sign = n.negative                         ? "-"
                       : (s.sign == '+' || s.sign == ' ') ? std::string(1, s.sign)
                                                          : std::string();
    auto width = static_cast<std::int64_t>(s.width.value_or(0));
    auto other = static_cast<std::int64_t>(sign.size() + n.prefix.size() + utf8_count(n.rest));
    std::int64_t min_width = s.fill == "0" && s.align == '=' && s.width ? width - other : 0;
    std::string grouped =
        n.digits.empty() ? std::string() : group(n.digits, n.group, s.grouping, min_width);
    std::int64_t padding = width - other - static_cast<std::int64_t>(grouped.size());
    auto pad = static_cast<std::size_t>(std::max<std::int64_t>(padding, 0));
    std::size_t left = 0, middle = 0, right = 0;
    switch (s.align) {
      case '<':
        right = pad;
        break;
      case '^':
        left = pad / 2;
        right = pad - left;
        break;
      case '=':
        middle = pad;
        break;
      default:
        left = pad;
    }
    rt_.check_size(out.size() + pad * s.fill.size() + sign.size() + n.prefix.size() +
                   grouped.size() + n.rest.size());
    append_fill(out, s.fill, left);
    out += sign;
    out += n.prefix;
    append_fill(out, s.fill, middle);
    out += grouped;
    out += n.rest;
    append_fill(out, s.fill, right);
  }

  // _PyUnicode_InsertThousandsGrouping: `digits` in groups of `size` from the right, padded
  // with zeros (and separators between them) to `min_width` characters.
  static std::string group(std::string_view digits, std::size_t size, char separator,
                           std::int64_t min_width) {
    min_width = std::max<std::int64_t>(min_width, 0);
    auto remaining = static_cast<std::int64_t>(digits.size());
    std::string reversed;
    auto take = [&](std::int64_t len) {
      std::int64_t zeros = std::max<std::int64_t>(0, len - remaining);
      std::int64_t chars = std::max<std::int64_t>(0, std::min(remaining, len));
      for (std::int64_t i = 0; i < chars; ++i)
        reversed += digits[static_cast<std::size_t>(remaining - 1 - i)];
      reversed.append(static_cast<std::size_t>(zeros), '0');
      remaining -= chars;
      min_width -= len;
    };
    if (size == 0) {
      take(std::max<std::int64_t>({remaining, min_width, 1}));
    } else {
      for (bool first = true;; first = false) {
        if (!first) reversed += separator;
        take(std::min<std::int64_t>(static_cast<std::int64_t>(size),
                                    std::max<std::int64_t>({remaining, min_width, 1})));
        if (remaining <= 0 && min_width <= 0) break;
        min_width -= 1;  // the separator
      }
    }
    return {reversed.rbegin(), reversed.rend()};
  }

  static void append_fill(std::string& out, const std::string& fill, std::size_t count) {
    if (fill.size() == 1) {
      out.append(count, fill[0]);
      return;
    }
    for (std::size_t i = 0; i < count; ++i)
      out += fill;
  }
};

}  // namespace

Value str_format(Runtime& rt, std::string_view format, std::span<const Value> args,
                 const Kwargs& kwargs) {
  return Value::of(StrFormatter(rt, args, &kwargs, nullptr).run(format));
}

Value str_format_map(Runtime& rt, std::string_view format, const Value& mapping) {
  return Value::of(StrFormatter(rt, {}, nullptr, &mapping).run(format));
}

}  // namespace eventwire::detail
