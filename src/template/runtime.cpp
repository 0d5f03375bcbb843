// Python semantics of JSON values, and Jinja's sandboxed lookups, for one render.
#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

bool is_number(const json& j) {
  return j.is_number() || j.is_boolean();
}

double as_double(const json& j) {
  if (j.is_boolean()) return j.get<bool>() ? 1.0 : 0.0;
  if (j.is_number_unsigned()) return static_cast<double>(j.get<std::uint64_t>());
  if (j.is_number_integer()) return static_cast<double>(j.get<std::int64_t>());
  return j.get<double>();
}

// Exact comparison of two numbers: -1, 0, 1 (and 2 when unordered: NaN).
int compare_numbers(const json& a, const json& b) {
  bool af = a.is_number_float(), bf = b.is_number_float();
  if (!af && !bf) {
    auto wide = [](const json& j) -> long double {
      if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
      if (j.is_number_unsigned()) return static_cast<long double>(j.get<std::uint64_t>());
      return static_cast<long double>(j.get<std::int64_t>());
    };
    long double x = wide(a), y = wide(b);  // exact for 64-bit integers (64-bit mantissa)
    return x < y ? -1 : x > y ? 1 : 0;
  }
  long double x = af ? a.get<double>() : static_cast<long double>(as_double(a));
  long double y = bf ? b.get<double>() : static_cast<long double>(as_double(b));
  if (!af && a.is_number_unsigned()) x = static_cast<long double>(a.get<std::uint64_t>());
  if (!af && a.is_number_integer() && !a.is_number_unsigned())
    x = static_cast<long double>(a.get<std::int64_t>());
  if (!bf && b.is_number_unsigned()) y = static_cast<long double>(b.get<std::uint64_t>());
  if (!bf && b.is_number_integer() && !b.is_number_unsigned())
    y = static_cast<long double>(b.get<std::int64_t>());
  if (std::isnan(x) || std::isnan(y)) return 2;
  return x < y ? -1 : x > y ? 1 : 0;
}

std::string object_type_repr(const json& j) {
  if (j.is_null()) return "None";
  return fmt::format("{} object", python_type_name(j));
}

constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values", "copy"};
constexpr std::string_view kDictUnsafe[] = {"pop",    "popitem", "setdefault",
                                            "update", "clear",   "fromkeys"};
constexpr std::string_view kListUnsafe[] = {"append",  "extend", "insert", "pop", "remove",
                                            "reverse", "sort",   "clear",  "copy"};

bool is_one_of(std::span<const std::string_view> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

Method str_method(std::string_view n) {
  static constexpr std::pair<std::string_view, Method> table[] = {
      {"upper", Method::str_upper},
      {"lower", Method::str_lower},
      {"strip", Method::str_strip},
      {"lstrip", Method::str_lstrip},
      {"rstrip", Method::str_rstrip},
      {"split", Method::str_split},
      {"replace", Method::str_replace},
      {"startswith", Method::str_startswith},
      {"endswith", Method::str_endswith},
      {"title", Method::str_title},
      {"capitalize", Method::str_capitalize},
      {"count", Method::str_count},
      {"find", Method::str_find},
      {"join", Method::str_join}};
  for (auto [name, m] : table) {
    if (name == n) return m;
  }
  return Method::none;
}

Value method_of(const Value& receiver, Method m) {
  Value v = receiver.alias();
  v.kind = Kind::method;
  v.method = m;
  v.shape = Shape::plain;
  return v;
}

Value unsafe_attribute(const json& obj, std::string_view name) {
  Value v = Value::undefined(fmt::format("access to attribute '{}' of '{}' object is unsafe.", name,
                                         python_type_name(obj)));
  v.unsafe = true;
  return v;
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): see the declaration
bool python_equal(const json& a, const json& b) noexcept {
  if (is_number(a) && is_number(b)) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::string:
      return string_of(a) == string_of(b);
    case json::value_t::array:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!python_equal(a[i], b[i])) return false;
      }
      return true;
    case json::value_t::object:
      if (a.size() != b.size()) return false;
      // The object itself, not items(): its proxies may build strings, and this is noexcept.
      for (const auto& [k, v] : a.get_ref<const json::object_t&>()) {
        auto it = b.find(k);
        if (it == b.end() || !python_equal(v, *it)) return false;
      }
      return true;
    default:
      return true;  // null, discarded
  }
}

bool python_order(const json& a, const json& b, CmpOp op, std::string* error) {
  auto decide = [op](int c) {  // c: -1, 0, 1, or 2 for unordered (NaN)
    if (c == 2) return false;
    switch (op) {
      case CmpOp::lt:
        return c < 0;
      case CmpOp::le:
        return c <= 0;
      case CmpOp::gt:
        return c > 0;
      default:
        return c >= 0;
    }
  };
  if (is_number(a) && is_number(b)) return decide(compare_numbers(a, b));
  if (a.is_string() && b.is_string()) {
    return decide(a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>()) < 0 ? -1
                  : a.get_ref<const std::string&>() == b.get_ref<const std::string&>()         ? 0
                                                                                               : 1);
  }
  if (a.is_array() && b.is_array()) {
    std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (!python_equal(a[i], b[i])) return python_order(a[i], b[i], op, error);
    }
    return decide(a.size() < b.size() ? -1 : a.size() == b.size() ? 0 : 1);
  }
  if (error) {
    *error = fmt::format("not supported between instances of '{}' and '{}'", python_type_name(a),
                         python_type_name(b));
  }
  return false;
}

bool python_less(const json& a, const json& b, std::string* error) {
  return python_order(a, b, CmpOp::lt, error);
}

bool is_dict_attribute(std::string_view name) noexcept {
  return is_one_of(kDictMethods, name) || is_one_of(kDictUnsafe, name);
}

// ---- errors ---------------------------------------------------------------------------------

void Runtime::fail(const std::string& python_type, const std::string& message) const {
  throw TemplateRuntimeError(message, python_type, program.line_of(pos));
}

void Runtime::fail_undefined(const Value& v) const {
  if (v.unsafe) fail("SecurityError", v.hint.str());
  throw UndefinedError(v.hint.empty() ? "undefined value" : v.hint.str(), program.line_of(pos));
}

void Runtime::check_size(std::size_t bytes) const {
  if (bytes > env.limits.max_output_bytes) {
    fail("OverflowError",
         fmt::format("output exceeds {} bytes (max_output_bytes)", env.limits.max_output_bytes));
  }
}

BoundArgs Runtime::bind(std::string_view function, std::span<const Value> args,
                        const Kwargs& kwargs,
                        std::initializer_list<std::string_view> params) const {
  BoundArgs bound;
  if (params.size() > BoundArgs::capacity) fail("RuntimeError", "internal: too many parameters");
  bound.count = params.size();
  if (args.size() > params.size()) {
    type_error(fmt::format("{}() takes at most {} arguments ({} given)", function,
                           params.size() + 1, args.size() + 1));
  }
  for (std::size_t i = 0; i < args.size(); ++i)
    bound.slots[i] = &args[i];
  for (const auto& [name, value] : kwargs) {
    auto it = std::find(params.begin(), params.end(), name);
    if (it == params.end()) {
      type_error(fmt::format("{}() got an unexpected keyword argument '{}'", function, name));
    }
    auto index = static_cast<std::size_t>(it - params.begin());
    if (bound.slots[index]) {
      type_error(fmt::format("{}() got multiple values for argument '{}'", function, name));
    }
    bound.slots[index] = &value;
  }
  return bound;
}

// ---- Python semantics -------------------------------------------------------------------------

bool Runtime::truthy(const Value& v) const {
  switch (v.kind) {
    case Kind::undefined:
      use(v);
      return false;
    case Kind::value: {
      const json& j = v.get();
      switch (j.type()) {
        case json::value_t::null:
        case json::value_t::discarded:
          return false;
        case json::value_t::boolean:
          return *j.get_ptr<const bool*>();
        case json::value_t::number_integer:
          return *j.get_ptr<const std::int64_t*>() != 0;
        case json::value_t::number_unsigned:
          return *j.get_ptr<const std::uint64_t*>() != 0;
        case json::value_t::number_float:
          return *j.get_ptr<const double*>() != 0.0;
        case json::value_t::string:
          return !string_of(j).empty();
        default:
          return !j.empty();
      }
    }
    default:
      return true;
  }
}

std::string Runtime::repr(const Value& v) const {
  std::string out;
  append_repr(out, v);
  return out;
}

namespace {

/// Python's repr of `j` as the type `shape` says (tuples, dict views), lists below.
void append_shaped_repr(std::string& out, const json& j, Shape shape) {
  if (shape.is_plain()) {
    append_python_repr(out, j);
    return;
  }
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) out += ", ";
      first = false;
      append_python_string_repr(out, key);
      out += ": ";
      append_shaped_repr(out, value, shape.item());
    }
    out += '}';
    return;
  }
  if (!j.is_array()) {
    append_python_repr(out, j);
    return;
  }
  auto items = [&](char open, char close) {
    out += open;
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (i) out += ", ";
      append_shaped_repr(out, j[i], shape.item());
    }
    if (close == ')' && j.size() == 1) out += ',';
    out += close;
  };
  switch (shape.head()) {
    case SeqKind::list:
      items('[', ']');
      return;
    case SeqKind::tuple:
    case SeqKind::group:
      items('(', ')');
      return;
    case SeqKind::dict_items:
      out += "dict_items(";
      break;
    case SeqKind::dict_keys:
      out += "dict_keys(";
      break;
    case SeqKind::dict_values:
      out += "dict_values(";
      break;
  }
  items('[', ']');
  out += ')';
}

}  // namespace

void ShapeBuilder::add(Shape item, const json& j) noexcept {
  if (!j.is_structured()) return;  // a scalar has no items to agree on
  // The levels this item has a say in: its head (a dict's head is no sequence), and the levels
  // down to its deepest non-list one (deeper, it may hold no arrays at all).
  std::uint32_t bits = item.bits_;
  std::uint32_t mask = 0xFu;
  for (int level = 1; level < Shape::levels; ++level) {
    if (bits >> (4 * level)) mask |= 0xFu << (4 * level);
  }
  if (j.is_object()) mask &= ~0xFu;
  std::uint32_t differ = (bits_ ^ bits) & known_ & mask;
  for (int level = 0; level < Shape::levels; ++level) {
    if ((differ >> (4 * level)) & 0xFu) conflict_ |= 0xFu << (4 * level);
  }
  bits_ |= bits & mask & ~known_;
  known_ |= mask;
}

Shape ShapeBuilder::shape() const noexcept {
  return Shape::of(head_, Shape(bits_ & ~conflict_));
}

void Runtime::append_repr(std::string& out, const Value& v) const {
  if (v.kind != Kind::value) {
    append_str(out, v);
    return;
  }
  append_shaped_repr(out, v.get(), v.shape);
}

std::string Runtime::str(const Value& v) const {
  std::string out;
  append_str(out, v);
  return out;
}

void Runtime::append_str(std::string& out, const Value& v) const {
  switch (v.kind) {
    case Kind::undefined:
      use(v);
      return;
    case Kind::value: {
      const json& j = v.get();
      if (j.is_string()) {
        out += string_of(j);
      } else if (j.is_number_integer()) {  // signed or unsigned: digits as Python prints them
        char digits[24];
        auto end = j.is_number_unsigned()
                       ? std::to_chars(digits, digits + sizeof digits, j.get<std::uint64_t>()).ptr
                       : std::to_chars(digits, digits + sizeof digits, j.get<std::int64_t>()).ptr;
        out.append(digits, end);
      } else if (j.is_discarded()) {
        use(Value::undefined({}));
      } else {
        append_repr(out, v);
      }
      return;
    }
    case Kind::loop: {
      auto* loop = static_cast<const LoopState*>(v.object);
      out += fmt::format("<LoopContext {}/{}>", loop->index0 + 1, loop->length);
      return;
    }
    case Kind::namespace_:
      out += "<Namespace " + python_repr(*static_cast<const json*>(v.object)) + ">";
      return;
    case Kind::macro:
      out += "<Macro ";
      append_python_repr(out, json(static_cast<const MacroRef*>(v.object)->name(program)));
      out += '>';
      return;
    default:
      type_error("a function or method cannot be rendered (Jinja prints its address)");
  }
}

const json& Runtime::data(const Value& v) const {
  if (v.kind == Kind::value) return v.get();
  if (v.kind == Kind::namespace_) type_error("Object of type Namespace is not JSON serializable");
  if (v.kind == Kind::macro) type_error("Object of type Macro is not JSON serializable");
  if (v.kind == Kind::undefined) {
    static constexpr std::string_view names[] = {"Undefined", "ChainableUndefined",
                                                 "StrictUndefined"};
    type_error(fmt::format("Object of type {} is not JSON serializable",
                           names[static_cast<std::size_t>(policy(v))]));
  }
  type_error("Object of type builtin_function_or_method is not JSON serializable");
}

// ---- lookups --------------------------------------------------------------------------------

LoopAttr loop_attr_of(std::string_view name) noexcept {
  static constexpr std::pair<std::string_view, LoopAttr> table[] = {
      {"index", LoopAttr::index},       {"index0", LoopAttr::index0},
      {"revindex", LoopAttr::revindex}, {"revindex0", LoopAttr::revindex0},
      {"first", LoopAttr::first},       {"last", LoopAttr::last},
      {"length", LoopAttr::length},     {"depth", LoopAttr::depth},
      {"depth0", LoopAttr::depth0},     {"previtem", LoopAttr::previtem},
      {"nextitem", LoopAttr::nextitem}, {"cycle", LoopAttr::cycle},
      {"changed", LoopAttr::changed}};
  for (auto [n, a] : table) {
    if (n == name) return a;
  }
  return LoopAttr::none;
}

Value Runtime::loop_attribute(const Value& obj, LoopAttr attr, std::string_view name) const {
  auto* loop = static_cast<const LoopState*>(obj.object);
  auto n = static_cast<std::int64_t>(loop->length);
  auto i = static_cast<std::int64_t>(loop->index0);
  switch (attr) {
    case LoopAttr::index:
      return Value::of(i + 1);
    case LoopAttr::index0:
      return Value::of(i);
    case LoopAttr::revindex:
      return Value::of(n - i);
    case LoopAttr::revindex0:
      return Value::of(n - i - 1);
    case LoopAttr::first:
      return Value::of(i == 0);
    case LoopAttr::last:
      return Value::of(i == n - 1);
    case LoopAttr::length:
      return Value::of(n);
    case LoopAttr::depth:
      return Value::of(static_cast<std::int64_t>(loop->depth));
    case LoopAttr::depth0:
      return Value::of(static_cast<std::int64_t>(loop->depth) - 1);
    case LoopAttr::previtem:
      if (i == 0) return Value::undefined("there is no previous item");
      return loop->item(static_cast<std::size_t>(i - 1));
    case LoopAttr::nextitem:
      if (i + 1 >= n) return Value::undefined("there is no next item");
      return loop->item(static_cast<std::size_t>(i + 1));
    case LoopAttr::cycle:
      return method_of(obj, Method::loop_cycle);
    case LoopAttr::changed:
      return method_of(obj, Method::loop_changed);
    case LoopAttr::none:
      break;
  }
  return Value::undefined(fmt::format("'LoopContext object' has no attribute '{}'", name));
}

Value Runtime::getattr(const Value& obj, std::string_view name) const {
  switch (obj.kind) {
    case Kind::undefined:
      if (policy(obj) != UndefinedPolicy::chainable) fail_undefined(obj);
      return obj.alias();
    case Kind::loop:
      return loop_attribute(obj, loop_attr_of(name), name);
    case Kind::namespace_: {
      const auto* attrs = static_cast<const json*>(obj.object);
      if (auto it = attrs->find(name); it != attrs->end()) return Value::borrow(*it);
      return Value::undefined(fmt::format("'Namespace object' has no attribute '{}'", name));
    }
    case Kind::value:
      break;
    case Kind::macro: {
      const auto* macro = static_cast<const MacroRef*>(obj.object);
      const Stmt& s = *macro->stmt;
      if (name == "name") return Value::of(macro->name(program));
      if (name == "arguments") {
        json names = json::array();
        for (const Arg& a : std::span<const Arg>(program.args).subspan(s.args, s.nargs))
          names.push_back(program.names[a.name]);
        return Value::of(std::move(names), Shape::tuple);
      }
      if (name == "catch_kwargs") return Value::of((s.c & uses_kwargs) != 0);
      if (name == "catch_varargs") return Value::of((s.c & uses_varargs) != 0);
      if (name == "caller") return Value::of((s.c & uses_caller) != 0);
      return Value::undefined(
          fmt::format("'jinja2.runtime.Macro object' has no attribute '{}'", name));
    }
    default:
      return Value::undefined(
          fmt::format("'builtin_function_or_method object' has no attribute '{}'", name));
  }
  const json& j = obj.get();
  if (j.is_object() && obj.shape.head() == SeqKind::list) {
    for (auto m : kDictMethods) {
      if (m == name) {
        Method id = m == "get"      ? Method::dict_get
                    : m == "items"  ? Method::dict_items
                    : m == "keys"   ? Method::dict_keys
                    : m == "values" ? Method::dict_values
                                    : Method::dict_copy;
        return method_of(obj, id);
      }
    }
    if (is_one_of(kDictUnsafe, name)) return unsafe_attribute(j, name);
    if (const json* member = find_member(j, name)) return Value::borrow(*member, obj.shape.item());
  } else if (j.is_array()) {
    // groupby's items are named tuples (grouper, list).
    if (obj.shape.head() == SeqKind::group && j.size() == 2) {
      if (name == "grouper") return Value::borrow(j[0], obj.shape.item());
      if (name == "list") return Value::borrow(j[1], obj.shape.item());
    }
    if (name == "count") return method_of(obj, Method::list_count);
    if (name == "index") return method_of(obj, Method::list_index);
    if (obj.shape.head() == SeqKind::list && is_one_of(kListUnsafe, name))
      return unsafe_attribute(j, name);
  } else if (j.is_string()) {
    if (auto m = str_method(name); m != Method::none) return method_of(obj, m);
  }
  return Value::undefined(fmt::format("'{}' has no attribute '{}'", object_type_repr(j), name));
}

Value Runtime::getitem(const Value& obj, const Value& key) const {
  if (obj.kind == Kind::undefined) {
    if (policy(obj) != UndefinedPolicy::chainable) fail_undefined(obj);
    return obj.alias();
  }
  if (key.kind == Kind::undefined) use(key);
  const json* k = key.kind == Kind::value ? &key.get() : nullptr;
  if (obj.kind == Kind::value && k) {
    const json& j = obj.get();
    if (j.is_object() && k->is_string()) {
      if (auto it = j.find(k->get_ref<const std::string&>()); it != j.end())
        return Value::borrow(*it, obj.shape.item());
    } else if ((j.is_array() || j.is_string()) && (k->is_number_integer() || k->is_boolean())) {
      std::int64_t index = k->is_boolean()           ? (k->get<bool>() ? 1 : 0)
                           : k->is_number_unsigned() ? INT64_MAX
                                                     : k->get<std::int64_t>();
      if (j.is_array()) {
        auto n = static_cast<std::int64_t>(j.size());
        if (index < 0) index += n;
        if (index >= 0 && index < n) {
          return Value::borrow(j[static_cast<std::size_t>(index)], obj.shape.item());
        }
      } else {
        const std::string& s = j.get_ref<const std::string&>();
        std::vector<std::pair<std::size_t, std::size_t>> chars;
        for (std::size_t i = 0; i < s.size();) {
          std::size_t start = i;
          next_code_point(s, i);
          chars.emplace_back(start, i - start);
        }
        auto n = static_cast<std::int64_t>(chars.size());
        if (index < 0) index += n;
        if (index >= 0 && index < n) {
          auto [at, len] = chars[static_cast<std::size_t>(index)];
          return Value::of(s.substr(at, len));
        }
      }
    }
  }
  // Jinja's getitem falls back to getattr for a string key: `d['items']` is the method.
  if (k && k->is_string()) return getattr(obj, k->get_ref<const std::string&>());
  std::string key_repr = k ? python_repr(*k) : str(key);
  if (obj.kind != Kind::value)
    return Value::undefined(fmt::format("object has no element {}", key_repr));
  const json& j = obj.get();
  return Value::undefined(fmt::format("'{}' has no element {}", object_type_repr(j), key_repr));
}

Value Runtime::get_path(const Value& obj, std::string_view path) const {
  Value current = obj.alias();
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    auto part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
    Value key = digits ? Value::of(std::stoll(std::string(part))) : Value::of(std::string(part));
    current = getitem(current, key);
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
}

void Runtime::iterate(const Value& v, std::vector<Value>& out) const {
  switch (v.kind) {
    case Kind::undefined:
      use(v);
      return;
    case Kind::value:
      break;
    case Kind::namespace_:
      type_error("'Namespace' object is not iterable");
    case Kind::loop:
      type_error("'LoopContext' object is not iterable");
    default:
      type_error("'builtin_function_or_method' object is not iterable");
  }
  const json& j = v.get();
  switch (j.type()) {
    case json::value_t::array: {
      Shape item = v.shape.item();
      out.reserve(out.size() + j.size());
      for (const auto& e : j)
        out.push_back(Value::borrow(e, item));
      return;
    }
    case json::value_t::object:
      out.reserve(out.size() + j.size());
      for (const auto& [key, _] : j.items())
        out.push_back(Value::of(key));
      return;
    case json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      for (std::size_t i = 0; i < s.size();) {
        std::size_t start = i;
        next_code_point(s, i);
        out.push_back(Value::of(s.substr(start, i - start)));
      }
      return;
    }
    case json::value_t::discarded:
      use(Value::undefined({}));
      return;
    default:
      type_error(fmt::format("'{}' object is not iterable", python_type_name(j)));
  }
}

const json& Runtime::operand(const Value& v) const {
  if (v.kind == Kind::undefined) fail_undefined(v);
  if (v.kind != Kind::value) type_error("unsupported operand type: function");
  if (v.get().is_discarded()) fail_undefined(Value::undefined({}));
  return v.get();
}

bool Runtime::contains(const Value& container, const Value& item) const {
  if (container.kind == Kind::undefined) {
    use(container);
    return false;
  }
  use(item);
  if (container.kind == Kind::namespace_) {
    type_error("argument of type 'Namespace' is not iterable");
  }
  const json& c = operand(container);
  if (c.is_string()) {
    if (item.kind != Kind::value || !item.get().is_string()) {
      type_error(
          fmt::format("'in <string>' requires string as left operand, not {}",
                      item.kind == Kind::value ? python_type_name(item.get()) : "Undefined"));
    }
    return c.get_ref<const std::string&>().find(item.get().get_ref<const std::string&>()) !=
           std::string::npos;
  }
  if (item.kind != Kind::value) return false;
  const json& x = item.get();
  if (c.is_array()) {
    for (const auto& e : c) {
      if (python_equal(e, x)) return true;
    }
    return false;
  }
  if (c.is_object()) {
    if (x.is_structured()) type_error(fmt::format("unhashable type: '{}'", python_type_name(x)));
    return x.is_string() && c.contains(x.get_ref<const std::string&>());
  }
  type_error(fmt::format("argument of type '{}' is not iterable", python_type_name(c)));
}

}  // namespace eventwire::detail
