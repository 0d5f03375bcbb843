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
      {"join", Method::str_join},
      {"format", Method::str_format},
      {"format_map", Method::str_format_map}};
  for (auto [name, m] : table) {
    if (name == n) return m;
  }
  return Method::none;
}

Value method_of(const Value& receiver, Method m) {
  Value v = receiver.alias();
  v.kind = Kind::method;
  v.method = m;  // the receiver's shape is kept: `d.items()` holds tuples of its values
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

std::string_view python_type_name(const json& j, Shape s) noexcept {
  if (j.is_array()) {
    switch (s.head()) {
      case SeqKind::list:
        break;
      case SeqKind::tuple:
      case SeqKind::group:
        return "tuple";
      case SeqKind::dict_items:
        return "dict_items";
      case SeqKind::dict_keys:
        return "dict_keys";
      case SeqKind::dict_values:
        return "dict_values";
    }
  }
  return python_type_name(j);
}

// NOLINTNEXTLINE(bugprone-exception-escape): see the declaration
bool python_equal(const json& a, Shape sa, const json& b, Shape sb) noexcept {
  if (sa.is_plain() && sb.is_plain()) return python_equal(a, b);
  if (is_number(a) && is_number(b)) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    if (sa.is_view() || sb.is_view()) {
      // Views compare as sets (keys, items) or never (values), and never equal a list.
      if (sa.head() != sb.head() || sa.head() == SeqKind::dict_values) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        bool found = false;
        for (std::size_t k = 0; k < b.size() && !found; ++k)
          found = python_equal(a[i], sa.item(i), b[k], sb.item(k));
        if (!found) return false;
      }
      return true;
    }
    if (sa.is_tuple() != sb.is_tuple()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!python_equal(a[i], sa.item(i), b[i], sb.item(i))) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    for (const auto& [k, v] : a.get_ref<const json::object_t&>()) {
      const json* other = find_member(b, k);
      if (!other || !python_equal(v, sa.item(i), *other, sb.member(b, other))) return false;
      ++i;
    }
    return true;
  }
  return python_equal(a, b);
}

std::string_view unhashable_type(const json& j, Shape s) noexcept {
  if (j.is_object()) return "dict";
  if (!j.is_array()) return {};
  if (!s.is_tuple())
    return s.head() == SeqKind::dict_values ? std::string_view{} : python_type_name(j, s);
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (auto t = unhashable_type(j[i], s.item(i)); !t.empty()) return t;
  }
  return {};
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

bool python_order(const json& a, Shape sa, const json& b, Shape sb, CmpOp op, std::string* error) {
  if ((sa.is_plain() && sb.is_plain()) || !a.is_array() || !b.is_array())
    return python_order(a, b, op, error);
  if (sa.is_tuple() != sb.is_tuple()) {
    if (error) {
      *error = fmt::format("not supported between instances of '{}' and '{}'",
                           python_type_name(a, sa), python_type_name(b, sb));
    }
    return false;
  }
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!python_equal(a[i], sa.item(i), b[i], sb.item(i)))
      return python_order(a[i], sa.item(i), b[i], sb.item(i), op, error);
  }
  return python_order(json(a.size()), json(b.size()), op, error);
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
    std::size_t i = 0;
    for (const auto& [key, value] : j.get_ref<const json::object_t&>()) {
      if (i) out += ", ";
      append_python_string_repr(out, key);
      out += ": ";
      append_shaped_repr(out, value, shape.item(i++));
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
      append_shaped_repr(out, j[i], shape.item(i));
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

Shape Shape::member(const json& object, const json* member) const noexcept {
  if (!is_node()) return Shape(word_ >> 4);
  std::size_t i = 0;
  for (const auto& entry : *object.get_ptr<const json::object_t*>()) {
    if (&entry.second == member) return node_item(i);
    ++i;
  }
  return Shape::plain;
}

Shape ShapeArena::make(SeqKind head, std::vector<Shape> items) {
  if (items.empty()) return Shape::of(head);
  bool same = std::all_of(items.begin(), items.end(), [&](Shape s) { return s == items[0]; });
  if (same && !items[0].is_node() && !items[0].is_full()) return Shape::of(head, items[0]);
  return node(head, std::move(items));
}

Shape ShapeArena::with_head(Shape s, SeqKind head) {
  if (!s.is_node())
    return Shape((s.word_ & ~std::uint64_t{0xF}) | static_cast<std::uint64_t>(head));
  return node(head, s.node()->items);
}

Shape ShapeArena::node(SeqKind head, std::vector<Shape> items) {
  const ShapeNode& n = *nodes_.emplace_back(
      std::make_unique<ShapeNode>(ShapeNode{.head = head, .items = std::move(items)}));
  return Shape(reinterpret_cast<std::uintptr_t>(&n) | Shape::node_bit);
}

const json& ShapeBuilder::element(std::size_t position) const {
  if (container_.is_array()) return container_[position];
  return (container_.get_ref<const json::object_t&>().begin() +
          static_cast<std::ptrdiff_t>(position))
      ->second;
}

void ShapeBuilder::set(std::size_t position, Shape item, const json& j) {
  if (!j.is_structured()) item = Shape::plain;  // a scalar's shape is irrelevant
  if (!mixed_) {
    if (!j.is_structured()) return;
    if (!has_common_) {
      common_ = item;
      has_common_ = true;
      return;
    }
    if (item == common_) return;
    // The first item that differs: one shape per item from now on.
    mixed_ = true;
    items_.assign(container_.size(), Shape::plain);
    for (std::size_t p = 0; p < items_.size(); ++p) {
      if (element(p).is_structured()) items_[p] = common_;
    }
  }
  if (items_.size() <= position) items_.resize(position + 1, Shape::plain);
  items_[position] = item;
}

Shape ShapeBuilder::shape() {
  if (!mixed_) {
    if (!has_common_) return Shape::of(head_);
    if (!common_.is_node() && !common_.is_full()) return Shape::of(head_, common_);
    items_.assign(container_.size(), Shape::plain);
    for (std::size_t p = 0; p < items_.size(); ++p) {
      if (element(p).is_structured()) items_[p] = common_;
    }
  }
  items_.resize(container_.size(), Shape::plain);
  return arena_.make(head_, std::move(items_));
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
    case Kind::namespace_: {
      const auto* ns = static_cast<const NamespaceObject*>(v.object);
      out += "<Namespace ";
      append_shaped_repr(out, ns->attrs, shapes.make(SeqKind::list, ns->shapes));
      out += '>';
    }
      return;
    case Kind::macro:
      out += "<Macro ";
      append_python_repr(out, json(static_cast<const MacroRef*>(v.object)->name(program)));
      out += '>';
      return;
    case Kind::cycler:
    case Kind::joiner:
      type_error(
          fmt::format("a {} object cannot be rendered (Jinja prints its address)", type_name(v)));
    default:
      type_error("a function or method cannot be rendered (Jinja prints its address)");
  }
}

std::string_view Runtime::type_name(const Value& v) const noexcept {
  switch (v.kind) {
    case Kind::undefined: {
      static constexpr std::string_view names[] = {"Undefined", "ChainableUndefined",
                                                   "StrictUndefined"};
      return names[static_cast<std::size_t>(policy(v))];
    }
    case Kind::value:
      return python_type_name(v.get(), v.shape);
    case Kind::loop:
      return "LoopContext";
    case Kind::namespace_:
      return "Namespace";
    case Kind::macro:
      return "Macro";
    case Kind::cycler:
      return "Cycler";
    case Kind::joiner:
      return "Joiner";
    default:
      return "builtin_function_or_method";
  }
}

const json& Runtime::data(const Value& v) const {
  if (v.kind == Kind::value) return v.get();
  if (v.kind == Kind::function || v.kind == Kind::method) {
    type_error("Object of type builtin_function_or_method is not JSON serializable");
  }
  type_error(fmt::format("Object of type {} is not JSON serializable", type_name(v)));
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
      const auto* ns = static_cast<const NamespaceObject*>(obj.object);
      const auto& entries = ns->attrs.get_ref<const json::object_t&>();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& [key, value] = *(entries.begin() + static_cast<std::ptrdiff_t>(i));
        if (key == name)
          return Value::borrow(value, i < ns->shapes.size() ? ns->shapes[i] : Shape::plain);
      }
      return Value::undefined(fmt::format("'Namespace object' has no attribute '{}'", name));
    }
    case Kind::value:
      break;
    case Kind::cycler: {
      auto* cycler = static_cast<const UtilsObject*>(obj.object);
      if (name == "next") return method_of(obj, Method::cycler_next);
      if (name == "reset") return method_of(obj, Method::cycler_reset);
      if (name == "current") return cycler->items[cycler->pos].alias();
      if (name == "pos") return Value::of(static_cast<std::int64_t>(cycler->pos));
      if (name == "items") {
        json items = json::array();
        ShapeBuilder shape(SeqKind::tuple, items, shapes);
        for (const auto& item : cycler->items) {
          items.push_back(item.kind == Kind::undefined ? json(json::value_t::discarded)
                                                       : data(item));
          shape.add(item.shape, items.back());
        }
        Shape s = shape.shape();
        return Value::of(std::move(items), s);
      }
      return Value::undefined(
          fmt::format("'jinja2.utils.Cycler object' has no attribute '{}'", name));
    }
    case Kind::joiner: {
      auto* joiner = static_cast<const UtilsObject*>(obj.object);
      if (name == "sep") return joiner->items[0].alias();
      if (name == "used") return Value::of(joiner->used);
      return Value::undefined(
          fmt::format("'jinja2.utils.Joiner object' has no attribute '{}'", name));
    }
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
    if (const json* member = find_member(j, name))
      return Value::borrow(*member, obj.shape.member(j, member));
  } else if (j.is_array()) {
    // groupby's items are named tuples (grouper, list).
    if (obj.shape.head() == SeqKind::group && j.size() == 2) {
      if (name == "grouper") return Value::borrow(j[0], obj.shape.item(0));
      if (name == "list") return Value::borrow(j[1], obj.shape.item(1));
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
        return Value::borrow(*it, obj.shape.member(j, &*it));
    } else if ((j.is_array() || j.is_string()) && (k->is_number_integer() || k->is_boolean())) {
      std::int64_t index = k->is_boolean()           ? (k->get<bool>() ? 1 : 0)
                           : k->is_number_unsigned() ? INT64_MAX
                                                     : k->get<std::int64_t>();
      if (j.is_array()) {
        auto n = static_cast<std::int64_t>(j.size());
        if (index < 0) index += n;
        if (index >= 0 && index < n) {
          return Value::borrow(j[static_cast<std::size_t>(index)],
                               obj.shape.item(static_cast<std::size_t>(index)));
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
    default:
      type_error(fmt::format("'{}' object is not iterable", type_name(v)));
  }
  const json& j = v.get();
  switch (j.type()) {
    case json::value_t::array: {
      out.reserve(out.size() + j.size());
      for (std::size_t i = 0; i < j.size(); ++i)
        out.push_back(Value::borrow(j[i], v.shape.item(i)));
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
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (python_equal(c[i], container.shape.item(i), x, item.shape)) return true;
    }
    return false;
  }
  if (c.is_object()) {
    if (auto t = unhashable_type(x, item.shape); !t.empty())
      type_error(fmt::format("unhashable type: '{}'", t));
    return x.is_string() && find_member(c, string_of(x));
  }
  type_error(fmt::format("argument of type '{}' is not iterable", python_type_name(c)));
}

}  // namespace eventwire::detail
