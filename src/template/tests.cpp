// Jinja2's built-in tests (jinja2/tests.py), with Python's semantics.
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

bool is_int(const json& j) {
  return j.is_number_integer();
}

// value % divisor == 0 with Python's `%` (floats allowed), for odd/even/divisibleby.
bool divisible(Runtime& rt, const Value& v, const json& divisor, std::int64_t remainder) {
  const json& j = rt.operand(v);
  if (j.is_string()) rt.type_error("not all arguments converted during string formatting");
  if (!(j.is_number() || j.is_boolean()) || !(divisor.is_number() || divisor.is_boolean())) {
    rt.type_error(fmt::format("unsupported operand type(s) for %: '{}' and '{}'",
                              python_type_name(j), python_type_name(divisor)));
  }
  auto as_double = [](const json& x) {
    return x.is_boolean() ? (x.get<bool>() ? 1.0 : 0.0) : x.get<double>();
  };
  if (j.is_number_float() || divisor.is_number_float()) {
    double d = as_double(divisor);
    if (d == 0.0) rt.fail("ZeroDivisionError", "float modulo");
    double m = std::fmod(as_double(j), d);
    if (m != 0.0 && ((m < 0) != (d < 0))) m += d;
    return m == static_cast<double>(remainder);
  }
  auto wide = [](const json& x) -> long double {
    if (x.is_boolean()) return x.get<bool>();
    if (x.is_number_unsigned()) return static_cast<long double>(x.get<std::uint64_t>());
    return static_cast<long double>(x.get<std::int64_t>());
  };
  __extension__ typedef __int128 Int128;
  auto x = static_cast<Int128>(wide(j)), d = static_cast<Int128>(wide(divisor));
  if (d == 0) rt.fail("ZeroDivisionError", "integer division or modulo by zero");
  Int128 m = x % d;
  if (m != 0 && ((m < 0) != (d < 0))) m += d;
  return m == remainder;
}

// str.islower() / isupper(): some cased character, and none of the other case.
bool has_case(const std::string& s, bool lower) {
  std::string other = lower ? python_upper(s) : python_lower(s);
  std::string same = lower ? python_lower(s) : python_upper(s);
  return same == s && other != s;
}

}  // namespace

bool apply_test(Runtime& rt, std::uint32_t id, const Value& v, std::span<const Value> args) {
  // Every built-in test takes the value and at most one argument; these take exactly one.
  static constexpr TestId one_argument[] = {TestId::divisibleby, TestId::eq, TestId::equalto,
                                            TestId::ne,          TestId::lt, TestId::lessthan,
                                            TestId::le,          TestId::gt, TestId::greaterthan,
                                            TestId::ge,          TestId::in, TestId::sameas};
  std::size_t expected = std::find(std::begin(one_argument), std::end(one_argument),
                                   static_cast<TestId>(id)) != std::end(one_argument)
                             ? 1
                             : 0;
  if (args.size() != expected) {
    rt.type_error(fmt::format("test takes {} positional argument(s) but {} were given",
                              expected + 1, args.size() + 1));
  }
  auto arg = [&](std::size_t i) -> const Value& {
    if (i >= args.size()) rt.type_error("test is missing a required argument");
    return args[i];
  };
  auto compare = [&](CmpOp op) {
    const json& a = rt.operand(v);
    const json& b = rt.operand(arg(0));
    std::string error;
    bool r = python_order(a, v.shape, b, arg(0).shape, op, &error);
    if (!error.empty()) rt.type_error("comparison " + error);
    return r;
  };
  auto equal = [&] {
    const Value& other = arg(0);
    if (v.kind != Kind::value || other.kind != Kind::value) {
      rt.use(v);
      rt.use(other);
      return v.kind == other.kind;
    }
    return python_equal(v.get(), v.shape, other.get(), other.shape);
  };
  bool is_value = v.kind == Kind::value && !v.get().is_discarded();
  const json* j = is_value ? &v.get() : nullptr;
  switch (static_cast<TestId>(id)) {
    case TestId::defined:
      return v.kind != Kind::undefined && !(v.kind == Kind::value && v.get().is_discarded());
    case TestId::undefined:
      return v.kind == Kind::undefined || (v.kind == Kind::value && v.get().is_discarded());
    case TestId::none:
      return j && j->is_null();
    case TestId::boolean:
      return j && j->is_boolean();
    case TestId::false_:
      return j && j->is_boolean() && !j->get<bool>();
    case TestId::true_:
      return j && j->is_boolean() && j->get<bool>();
    case TestId::integer:
      return j && is_int(*j);
    case TestId::float_:
      return j && j->is_number_float();
    case TestId::number:
      return j && (j->is_number() || j->is_boolean());
    case TestId::string:
      return j && j->is_string();
    case TestId::mapping:
      return j && j->is_object() && v.shape.head() == SeqKind::list;
    case TestId::iterable:
      rt.use(v);
      return v.kind == Kind::undefined || v.kind == Kind::loop ||
             (j && (j->is_string() || j->is_structured()));
    case TestId::sequence:
      rt.use(v);
      return v.kind == Kind::undefined ||
             (j && (j->is_string() || j->is_structured()) && !v.shape.is_view());
    case TestId::callable:
      return v.kind == Kind::undefined || v.kind == Kind::method || v.kind == Kind::function ||
             v.kind == Kind::loop || v.kind == Kind::macro || v.kind == Kind::joiner;
    case TestId::odd:
      return divisible(rt, v, json(2), 1);
    case TestId::even:
      return divisible(rt, v, json(2), 0);
    case TestId::divisibleby:
      return divisible(rt, v, rt.operand(arg(0)), 0);
    case TestId::eq:
    case TestId::equalto:
      return equal();
    case TestId::ne:
      return !equal();
    case TestId::lt:
    case TestId::lessthan:
      return compare(CmpOp::lt);
    case TestId::le:
      return compare(CmpOp::le);
    case TestId::gt:
    case TestId::greaterthan:
      return compare(CmpOp::gt);
    case TestId::ge:
      return compare(CmpOp::ge);
    case TestId::in:
      return rt.contains(arg(0), v);
    case TestId::lower:
      return has_case(rt.str(v), true);
    case TestId::upper:
      return has_case(rt.str(v), false);
    case TestId::sameas: {
      const Value& other = arg(0);
      if (v.kind != other.kind) return false;
      if (v.kind != Kind::value) return v.object == other.object;
      const json& a = v.get();
      const json& b = other.get();
      if (&a == &b) return true;
      if (a.is_null() && b.is_null()) return true;
      if (a.is_boolean() && b.is_boolean()) return a == b;
      // CPython caches the small ints -5..256, so `1 is 1` holds.
      if (a.is_number_integer() && b.is_number_integer() && a == b) {
        auto x = a.get<std::int64_t>();
        return x >= -5 && x <= 256;
      }
      return false;
    }
    case TestId::escaped:
      return false;  // no Markup strings: autoescape is off
    case TestId::filter:
      return j && j->is_string() &&
             (find_builtin_filter(j->get_ref<const std::string&>()) != npos32 ||
              rt.env.filters.count(j->get_ref<const std::string&>()) != 0);
    case TestId::test:
      return j && j->is_string() && find_builtin_test(j->get_ref<const std::string&>()) != npos32;
  }
  return false;
}

}  // namespace eventwire::detail
