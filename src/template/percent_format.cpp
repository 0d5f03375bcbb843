// Python's printf-style string formatting, `format % args` (Objects/unicodeobject.c,
// PyUnicode_Format), as a template computes `"%s-%d" % (a, b)` or `"%(x)s" % d`.
#include <cmath>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/format_conversions.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

struct Spec {
  bool left = false, zero = false, alt = false, plus = false, space = false;
  std::size_t width = 0;
  std::optional<std::size_t> precision{};
};

// The sign a conversion writes: '-', or '+' / ' ' as the flags ask (one char at a time: GCC 12's
// -Wrestrict misreads assigning a literal here).
void set_sign(std::string& sign, bool negative, const Spec& spec) {
  sign.clear();
  if (negative) {
    sign.push_back('-');
  } else if (spec.plus) {
    sign.push_back('+');
  } else if (spec.space) {
    sign.push_back(' ');
  }
}

class Formatter {
 public:
  Formatter(Runtime& rt, std::string_view format, const Value& args)
      : rt_(rt), format_(format), args_(args) {
    const json* j = args.kind == Kind::value ? &args.get() : nullptr;
    if (j && j->is_array() && args.shape.is_tuple()) {
      tuple_ = j;
    } else if (j && (j->is_object() || j->is_array())) {
      mapping_ = true;  // Python: any non-tuple, non-str object with __getitem__
    }
  }

  std::string run() {
    std::string out;
    std::size_t i = 0;
    while (i < format_.size()) {
      auto percent = format_.find('%', i);
      if (percent == std::string_view::npos) {
        out.append(format_.substr(i));
        break;
      }
      out.append(format_.substr(i, percent - i));
      i = percent + 1;
      convert(out, i);
      rt_.check_size(out.size());
    }
    if (!mapping_ && (tuple_ ? next_ < tuple_->size() : !single_used_)) {
      rt_.type_error("not all arguments converted during string formatting");
    }
    return out;
  }

 private:
  Runtime& rt_;
  std::string_view format_;
  const Value& args_;
  const json* tuple_ = nullptr;
  bool mapping_ = false;
  std::size_t next_ = 0;
  bool single_used_ = false;
  Value keyed_{};  // the value of a `%(key)` conversion

  [[noreturn]] void value_error(const std::string& m) { rt_.fail("ValueError", m); }

  char at(std::size_t i) {
    if (i >= format_.size()) value_error("incomplete format");
    return format_[i];
  }

  // The next positional argument.
  Value next_arg() {
    if (tuple_) {
      if (next_ >= tuple_->size()) rt_.type_error("not enough arguments for format string");
      std::size_t i = next_++;
      return Value::borrow((*tuple_)[i], args_.shape.item(i));
    }
    if (single_used_) rt_.type_error("not enough arguments for format string");
    single_used_ = true;
    return args_.alias();
  }

  std::size_t star_arg() {
    Value v = next_arg();
    if (v.kind != Kind::value || !(v.get().is_number_integer() || v.get().is_boolean()))
      rt_.type_error("* wants int");
    std::int64_t n = v.get().is_boolean() ? v.get().get<bool>() : v.get().get<std::int64_t>();
    return static_cast<std::size_t>(n < 0 ? -n : n);
  }

  std::size_t number(std::size_t& i) {
    std::size_t n = 0;
    while (i < format_.size() && format_[i] >= '0' && format_[i] <= '9') {
      n = n * 10 + static_cast<std::size_t>(format_[i] - '0');
      if (n > rt_.env.limits.max_output_bytes) rt_.check_size(n);
      ++i;
    }
    return n;
  }

  void convert(std::string& out, std::size_t& i) {
    if (at(i) == '%') {  // only `%%` is a literal percent; `%5%` is an unsupported conversion
      out += '%';
      ++i;
      return;
    }
    bool keyed = false;
    if (at(i) == '(') {
      if (!mapping_) rt_.type_error("format requires a mapping");
      std::size_t depth = 1, start = ++i;
      while (i < format_.size() && depth > 0) {
        if (format_[i] == '(') ++depth;
        if (format_[i] == ')') --depth;
        ++i;
      }
      if (depth > 0) value_error("incomplete format key");
      std::string key(format_.substr(start, i - 1 - start));
      const json& mapping = args_.get();
      if (mapping.is_array()) rt_.type_error("list indices must be integers or slices, not str");
      auto it = mapping.find(key);
      if (it == mapping.end()) rt_.fail("KeyError", python_repr(json(key)));
      keyed_ = Value::borrow(*it, args_.shape.member(mapping, &*it));
      keyed = true;
    }
    Spec spec;
    for (bool more = true; more;) {
      switch (at(i)) {
        case '-':
          spec.left = true;
          break;
        case '+':
          spec.plus = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '#':
          spec.alt = true;
          break;
        case '0':
          spec.zero = true;
          break;
        default:
          more = false;
          continue;
      }
      ++i;
    }
    if (at(i) == '*') {
      spec.width = star_arg();
      ++i;
    } else {
      spec.width = number(i);
    }
    if (at(i) == '.') {
      ++i;
      if (at(i) == '*') {
        spec.precision = star_arg();
        ++i;
      } else {
        spec.precision = number(i);
      }
    }
    while (at(i) == 'h' || at(i) == 'l' || at(i) == 'L')
      ++i;
    char type = at(i);
    std::size_t type_index = i++;
    Value arg = keyed ? keyed_.alias() : next_arg();
    std::string body;
    std::string sign;
    bool numeric = false;
    switch (type) {
      case 's':
      case 'r':
      case 'a': {
        if (type == 's') {
          rt_.append_str(body, arg);
        } else if (arg.kind == Kind::undefined) {
          body = "Undefined";  // Undefined.__repr__, whatever the policy
        } else {
          rt_.append_repr(body, arg);
          if (type == 'a') body = ascii_escape(body);
        }
        if (spec.precision && utf8_count(body) > *spec.precision) {
          std::size_t cut = 0;
          for (std::size_t n = 0; n < *spec.precision; ++n)
            next_code_point(body, cut);
          body.resize(cut);
        }
        break;
      }
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o':
        numeric = true;
        integer(body, sign, arg, type, spec);
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        numeric = true;
        floating(body, sign, arg, type, spec);
        break;
      case 'c':
        character(body, arg);
        break;
      default: {
        std::size_t end = type_index;
        char32_t c = next_code_point(format_, end);
        value_error(fmt::format("unsupported format character '{}' (0x{:x}) at index {}",
                                c >= 0x20 && c < 0x7F ? std::string(1, type) : std::string("?"),
                                static_cast<unsigned>(c),
                                utf8_count(format_.substr(0, type_index))));
      }
    }
    pad(out, sign, body, spec, numeric);
  }

  // The JSON of a numeric conversion's argument: an undefined one raises where Python calls its
  // __int__ / __float__ (d, i, u, e, f, g), and is a type error elsewhere.
  const json& number_arg(const Value& arg, char type) {
    if (arg.kind == Kind::undefined &&
        std::string_view("diueEfFgG").find(type) != std::string_view::npos) {
      rt_.fail_undefined(arg);
    }
    static const json none;
    return arg.kind == Kind::value ? arg.get() : none;
  }

  void integer(std::string& body, std::string& sign, const Value& arg, char type,
               const Spec& spec) {
    const json& j = number_arg(arg, type);
    bool is_int = arg.kind == Kind::value && (j.is_number_integer() || j.is_boolean());
    bool is_float = arg.kind == Kind::value && j.is_number_float();
    if (!is_int && !(is_float && (type == 'd' || type == 'i' || type == 'u'))) {
      if (type == 'd' || type == 'i' || type == 'u') {
        rt_.type_error(
            fmt::format("%{} format: a real number is required, not {}", type, rt_.type_name(arg)));
      }
      rt_.type_error(
          fmt::format("%{} format: an integer is required, not {}", type, rt_.type_name(arg)));
    }
    bool negative = false;
    std::uint64_t magnitude = 0;
    if (is_float) {
      double d = j.get<double>();
      if (std::isnan(d)) value_error("cannot convert float NaN to integer");
      if (std::isinf(d)) rt_.fail("OverflowError", "cannot convert float infinity to integer");
      d = std::trunc(d);
      if (std::fabs(d) >= 18446744073709551616.0) {
        rt_.fail("OverflowError", "integer does not fit in 64 bits (eventwire's integer range)");
      }
      negative = d < 0;
      magnitude = static_cast<std::uint64_t>(std::fabs(d));
    } else {
      auto parts = integer_parts(j);
      negative = parts.negative;
      magnitude = parts.magnitude;
    }
    body = integer_digits(magnitude, type);
    if (spec.precision && body.size() < *spec.precision) {
      rt_.check_size(*spec.precision);
      body.insert(0, *spec.precision - body.size(), '0');
    }
    set_sign(sign, negative, spec);
    if (spec.alt && (type == 'x' || type == 'X' || type == 'o')) {
      sign += type == 'o' ? "0o" : type == 'x' ? "0x" : "0X";
    }
  }

  void floating(std::string& body, std::string& sign, const Value& arg, char type,
                const Spec& spec) {
    const json& j = number_arg(arg, type);
    if (arg.kind != Kind::value || !(j.is_number() || j.is_boolean())) {
      rt_.type_error(fmt::format("must be real number, not {}", rt_.type_name(arg)));
    }
    double d = float_of(j);
    std::size_t precision = spec.precision.value_or(6);
    if (precision > 1000) value_error("precision too big");  // glibc buffers; Python allows more
    bool negative = std::signbit(d) && !std::isnan(d);
    body = float_digits(std::fabs(d), precision, type, spec.alt);
    set_sign(sign, negative, spec);
  }

  void character(std::string& body, const Value& arg) {
    const json& j = number_arg(arg, 'c');
    if (arg.kind == Kind::value && j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      if (utf8_count(s) != 1) rt_.type_error("%c requires int or char");
      body = s;
      return;
    }
    if (arg.kind != Kind::value || !(j.is_number_integer() || j.is_boolean())) {
      rt_.type_error("%c requires int or char");
    }
    std::int64_t v = j.is_boolean()           ? j.get<bool>()
                     : j.is_number_unsigned() ? INT64_MAX
                                              : j.get<std::int64_t>();
    body = python_chr(rt_, v);
  }

  void pad(std::string& out, const std::string& sign, const std::string& body, const Spec& spec,
           bool numeric) {
    std::size_t length = utf8_count(sign) + utf8_count(body);
    std::size_t fill = spec.width > length ? spec.width - length : 0;
    rt_.check_size(out.size() + fill + sign.size() + body.size());
    if (spec.left) {
      out += sign;
      out += body;
      out.append(fill, ' ');
    } else if (spec.zero && numeric) {
      out += sign;
      out.append(fill, '0');
      out += body;
    } else {
      out.append(fill, ' ');
      out += sign;
      out += body;
    }
  }
};

}  // namespace

Value percent_format(Runtime& rt, std::string_view format, const Value& args) {
  return Value::of(Formatter(rt, format, args).run());
}

}  // namespace eventwire::detail
