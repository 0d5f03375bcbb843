// Internal: values while rendering, and the per-render state that filters, tests and the
// evaluator share (undefined policy, limits, Python semantics of JSON values).
#pragma once

#include "detail/python_format.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "template/program.hpp"

namespace eventwire::detail {

/// What Python type a JSON array stands for, where Python has tuples, groupby's named tuples
/// and dict views and JSON has only arrays.
enum class SeqKind : std::uint8_t { list, tuple, group, dict_items, dict_keys, dict_values };

struct ShapeNode;

/// How a value prints and compares: the kind of the value itself (its head) and the shapes of
/// its items (a list's or tuple's items, a dict's values, in order). Most values are uniform,
/// all items of one level sharing one kind, and are stored inline, level by level, `levels`
/// deep (deeper arrays are lists): `[(1, 2), (3, 4)]` is list-of-tuple,
/// `d.items() | batch(2)` list-of-list-of-tuple. A value whose items differ
/// (`[(1, 2), [3, 4]]`) points at a ShapeNode with one shape per item, which a ShapeArena
/// (the render's) owns. A head that does not apply (a dict, a string) is ignored. The default,
/// `plain`, is lists all the way down.
class Shape {
 public:
  static constexpr int levels = 15;
  constexpr Shape() noexcept = default;
  /// `head` for the value, `items` for what each item holds (plain when not given). `items`
  /// must be uniform and leave a level free (ShapeBuilder handles the other cases). Two
  /// overloads, not a default argument: a `Shape{}` default is not usable inside Shape itself.
  static constexpr Shape of(SeqKind head) noexcept {
    return Shape(static_cast<std::uint64_t>(head));
  }
  static constexpr Shape of(SeqKind head, Shape items) noexcept {
    return Shape(static_cast<std::uint64_t>(head) | (items.word_ << 4));
  }
  SeqKind head() const noexcept;
  /// The shape of the i-th item (an array's, or an object's i-th value in order).
  Shape item(std::size_t i) const noexcept {
    if (!is_node()) return Shape(word_ >> 4);
    return node_item(i);
  }
  /// The shape of the value `member` points at in `object` (one of its values).
  Shape member(const json& object, const json* member) const noexcept;
  /// Whether every item has the same shape (item(i) does not depend on i).
  constexpr bool is_uniform() const noexcept { return !is_node(); }
  /// A tuple (plain or groupby's): prints `(a, b)`, compares unequal to a list.
  bool is_tuple() const noexcept {
    SeqKind h = head();
    return h == SeqKind::tuple || h == SeqKind::group;
  }
  bool is_view() const noexcept { return head() >= SeqKind::dict_items; }
  constexpr bool is_plain() const noexcept { return word_ == 0; }
  friend constexpr bool operator==(Shape a, Shape b) noexcept { return a.word_ == b.word_; }

  static const Shape plain, tuple, tuple_list, dict_items, dict_keys, dict_values;

 private:
  friend class ShapeArena;
  friend class ShapeBuilder;
  static constexpr std::uint64_t node_bit = std::uint64_t{1} << 63;
  constexpr explicit Shape(std::uint64_t word) noexcept : word_(word) {}
  constexpr bool is_node() const noexcept { return (word_ & node_bit) != 0; }
  /// Whether the inline shape has its deepest level in use (so it cannot be an item inline).
  constexpr bool is_full() const noexcept { return !is_node() && (word_ >> (4 * (levels - 1))); }
  const ShapeNode* node() const noexcept {
    return reinterpret_cast<const ShapeNode*>(  // NOLINT(performance-no-int-to-ptr)
        static_cast<std::uintptr_t>(word_ & ~node_bit));
  }
  Shape node_item(std::size_t i) const noexcept;
  std::uint64_t word_ = 0;
};
inline constexpr Shape Shape::plain{};
inline constexpr Shape Shape::tuple = Shape::of(SeqKind::tuple);
inline constexpr Shape Shape::tuple_list = Shape::of(SeqKind::list, Shape::of(SeqKind::tuple));
inline constexpr Shape Shape::dict_items =
    Shape::of(SeqKind::dict_items, Shape::of(SeqKind::tuple));
inline constexpr Shape Shape::dict_keys = Shape::of(SeqKind::dict_keys);
inline constexpr Shape Shape::dict_values = Shape::of(SeqKind::dict_values);

/// A value's shape where its items differ: the head and one shape per item.
struct ShapeNode {
  SeqKind head = SeqKind::list;
  std::vector<Shape> items{};
};

inline SeqKind Shape::head() const noexcept {
  if (is_node()) return node()->head;
  return static_cast<SeqKind>(word_ & 0xFu);
}

inline Shape Shape::node_item(std::size_t i) const noexcept {
  const auto& items = node()->items;
  return i < items.size() ? items[i] : Shape::plain;
}

/// The ShapeNodes of one render (Values hold plain pointers to them).
class ShapeArena {
 public:
  /// A shape with `head` and the given item shapes (inline when they agree).
  Shape make(SeqKind head, std::vector<Shape> items);
  /// `s` with another head.
  Shape with_head(Shape s, SeqKind head);

 private:
  Shape node(SeqKind head, std::vector<Shape> items);
  std::vector<std::unique_ptr<ShapeNode>> nodes_{};  // empty (no allocation) in most renders
};

/// The shape of a list, tuple or dict (`head`) built item by item into `container`: inline
/// while the structured items agree, one shape per item once they differ. Scalars have no
/// say (their shape is irrelevant).
class ShapeBuilder {
 public:
  ShapeBuilder(SeqKind head, const json& container, ShapeArena& arena)
      : head_(head), container_(container), arena_(arena) {}
  /// The shape of the item just appended to an array container (`j`, its last item).
  void add(Shape item, const json& j) { set(count_++, item, j); }
  /// The shape of the item at `position` (an object's value in order), `j` that item.
  void set(std::size_t position, Shape item, const json& j);
  Shape shape();

 private:
  const json& element(std::size_t position) const;
  SeqKind head_;
  const json& container_;
  ShapeArena& arena_;
  std::size_t count_ = 0;
  Shape common_{};
  bool has_common_ = false;
  bool mixed_ = false;
  std::vector<Shape> items_{};  // per position, once the items differ
};

enum class Kind : std::uint8_t {
  undefined,
  value,
  method,
  loop,
  namespace_,
  function,
  macro,
  cycler,  // `cycler(...)`: a UtilsObject
  joiner,  // `joiner(sep)`: a UtilsObject
};

/// Bound methods Jinja's sandbox lets templates call on dicts, strings and lists.
enum class Method : std::uint8_t {
  none,
  dict_get,
  dict_items,
  dict_keys,
  dict_values,
  dict_copy,
  str_upper,
  str_lower,
  str_strip,
  str_lstrip,
  str_rstrip,
  str_split,
  str_replace,
  str_startswith,
  str_endswith,
  str_title,
  str_capitalize,
  str_count,
  str_find,
  str_join,
  str_format,
  str_format_map,
  list_count,
  list_index,
  loop_cycle,
  loop_changed,
  fn_range,
  fn_namespace,
  fn_dict,
  fn_cycler,
  fn_joiner,
  cycler_next,
  cycler_reset,
};

struct LoopState;
struct Value;

/// JSON a Value owns. Most Values borrow and own nothing, so a null one is destroyed without the
/// call into nlohmann's destroy (a null json holds no resources).
class OwnedJson {
 public:
  // A null json allocates nothing; clang-tidy 14 sees json_value's allocating cases.
  OwnedJson() noexcept { new (&j_) json(); }  // NOLINT(bugprone-exception-escape)
  OwnedJson(const OwnedJson& o) { new (&j_) json(o.j_); }
  // json's move constructor is noexcept; clang-tidy 14 does not see it (LLVM #54956).
  OwnedJson(OwnedJson&& o) noexcept {  // NOLINT(bugprone-exception-escape)
    new (&j_) json(std::move(o.j_));
  }
  OwnedJson& operator=(const OwnedJson& o) {
    j_ = o.j_;
    return *this;
  }
  OwnedJson& operator=(OwnedJson&& o) noexcept {
    if (!j_.is_null() || !o.j_.is_null()) j_.swap(o.j_);  // `o` is going away with ours
    return *this;
  }
  OwnedJson& operator=(json j) noexcept {
    j_ = std::move(j);
    return *this;
  }
  /// Replaces the JSON with one built from `x` in place (no temporary to destroy).
  template <typename T>
  void emplace(T&& x) {
    j_.~json();
    new (&j_) json(std::forward<T>(x));
  }
  ~OwnedJson() {
    if (!j_.is_null()) destroy();  // the usual null one: a check, inlined into ~Value
  }
  const json& get() const noexcept { return j_; }
  /// For updating the JSON in place; only while nothing borrows from it.
  json& get_mutable() noexcept { return j_; }

 private:
  [[gnu::noinline]] void destroy() noexcept { j_.~json(); }
  union {
    json j_;
  };
};

/// An undefined value's message: one pointer, null (and free to copy, move and destroy) for the
/// values that have none, which is every defined one.
class Hint {
 public:
  Hint() noexcept = default;
  Hint(const Hint& o) : text_(o.text_ ? new std::string(*o.text_) : nullptr) {}
  Hint(Hint&& o) noexcept : text_(std::exchange(o.text_, nullptr)) {}
  Hint& operator=(const Hint& o) {
    if (this != &o) *this = Hint(o);
    return *this;
  }
  Hint& operator=(Hint&& o) noexcept {
    std::swap(text_, o.text_);
    return *this;
  }
  Hint& operator=(std::string text) {
    delete text_;
    text_ = text.empty() ? nullptr : new std::string(std::move(text));
    return *this;
  }
  ~Hint() {
    if (text_) destroy();  // the usual none: a check, inlined into ~Value
  }
  bool empty() const noexcept { return !text_; }
  /// The message ("" when none).
  const std::string& str() const noexcept {
    static const std::string none;
    return text_ ? *text_ : none;
  }

 private:
  [[gnu::noinline]] void destroy() noexcept { delete text_; }
  std::string* text_ = nullptr;
};

/// Immutable JSON that values borrow instead of owning a copy (read-only once built, so
/// shared by every thread).
struct SharedConstants {
  static constexpr std::size_t small_ints = 256;
  json true_ = true, false_ = false, null_ = nullptr;
  std::array<json, small_ints> ints{};
  SharedConstants() {
    for (std::size_t i = 0; i < small_ints; ++i)
      ints[i] = static_cast<std::int64_t>(i);
  }
};
inline const SharedConstants& constants() {
  static const SharedConstants c;
  return c;
}

/// A runtime value. JSON values are borrowed from the context or the template's constants
/// (`ref`) whenever possible, and owned (`own`) only when computed.
// clang-tidy 14 sees an exception escaping the implicit moves (LLVM #54956).
struct Value {  // NOLINT(bugprone-exception-escape)
  Kind kind = Kind::undefined;
  Method method = Method::none;
  bool unsafe = false;   // undefined from a refused attribute: calling it is a SecurityError
  bool lenient = false;  // a plain Undefined whatever the policy (`a if false`, no else)
  Shape shape = Shape::plain;
  const json* ref = nullptr;  // borrowed JSON (value, or a method's receiver)
  OwnedJson own{};            // owned JSON when ref is null
  void* object = nullptr;     // LoopState* (loop), json* (namespace attributes), MacroRef*
  Hint hint{};                // undefined: Jinja's message

  const json& get() const noexcept { return ref ? *ref : own.get(); }
  bool is_undefined() const noexcept { return kind == Kind::undefined; }
  bool is_json() const noexcept { return kind == Kind::value; }

  static Value borrow(const json& j, Shape s = Shape::plain) {
    Value v;
    v.kind = Kind::value;
    v.shape = s;
    v.ref = &j;
    return v;
  }
  /// A computed value. Booleans, None and small integers borrow shared immutable JSON (no
  /// JSON to build or destroy); anything else is built in place.
  template <typename T>
  static Value of(T&& x, Shape s = Shape::plain) {
    using D = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
      return borrow(x ? constants().true_ : constants().false_, s);
    } else if constexpr (std::is_same_v<D, std::nullptr_t>) {
      return borrow(constants().null_, s);
    } else if constexpr (std::is_integral_v<D>) {
      bool negative = false;
      if constexpr (std::is_signed_v<D>) negative = x < 0;
      if (!negative && static_cast<std::uint64_t>(x) < SharedConstants::small_ints)
        return borrow(constants().ints[static_cast<std::size_t>(x)], s);
    }
    Value v;
    v.kind = Kind::value;
    v.shape = s;
    v.own.emplace(std::forward<T>(x));
    return v;
  }
  static Value undefined(std::string hint) {
    Value v;
    v.hint = std::move(hint);
    return v;
  }
  /// A cheap second handle: JSON is borrowed from this value (which must outlive it).
  Value alias() const {
    Value v;
    v.kind = kind;
    v.shape = shape;
    v.method = method;
    v.unsafe = unsafe;
    v.lenient = lenient;
    v.ref = kind == Kind::value || kind == Kind::method ? &get() : nullptr;
    v.object = object;
    v.hint = hint;
    return v;
  }
};

/// Whether `v` owns its JSON (a temporary that whatever borrows from it must not outlive).
inline bool owns_json(const Value& v) noexcept {
  return (v.kind == Kind::value || v.kind == Kind::method) && !v.ref;
}

/// `result`, with what it borrowed copied when `operand` owns its JSON and is about to go.
inline Value stabilize(Value result, const Value& operand) {
  if (owns_json(operand) && result.ref &&
      (result.kind == Kind::value || result.kind == Kind::method)) {
    result.own = *result.ref;
    result.ref = nullptr;
  }
  return result;
}

/// Keyword arguments of a call, by name.
using Kwargs = std::vector<std::pair<std::string_view, Value>>;

/// stabilize against every argument of a call: a result may return one (`d.get(k, [])`).
inline Value stabilize(Value result, const std::vector<Value>& args, const Kwargs& kwargs) {
  for (const auto& a : args)
    result = stabilize(std::move(result), a);
  for (const auto& [name, a] : kwargs)
    result = stabilize(std::move(result), a);
  return result;
}

/// A dict entry as the engine borrows it from a JSON object.
using Entry = json::object_t::value_type;

/// A `{% for %}` loop's `loop` variable. Items are Values, the items of a JSON array walked in
/// place, or (when a loop walks a dict's entries in place) borrowed entries that become
/// `(key, value)` tuples only when asked for.
struct LoopState {
  const std::vector<Value>* items = nullptr;
  const std::vector<const Entry*>* entries = nullptr;
  const json* array = nullptr;       // a JSON array walked in place, its items borrowed
  Shape array_shape = Shape::plain;  // the array's (its items': array_shape.item(i))
  std::size_t length = 0;
  std::size_t index0 = 0;
  std::size_t depth = 1;
  const Stmt* recursive = nullptr;  // the `{% for ... recursive %}` that `loop(items)` reruns
  mutable json last_changed = json(json::value_t::discarded);  // loop.changed()'s memory
  mutable Shape last_changed_shape = Shape::plain;

  /// The i-th item (i < length); borrows from the loop's items or from the entry's dict.
  Value item(std::size_t i) const {
    if (items) return (*items)[i].alias();
    if (array) return Value::borrow((*array)[i], array_shape.item(i));
    const Entry& e = *(*entries)[i];
    return Value::of(json::array({e.first, e.second}), Shape::tuple);
  }
};

/// A `namespace()` object: its attributes and their shapes (by position).
struct NamespaceObject {
  json attrs = json::object();
  std::vector<Shape> shapes{};

  /// Sets attribute `name` to `value` (of shape `shape`).
  void set(const std::string& name, json value, Shape shape) {
    auto& entries = *attrs.get_ptr<json::object_t*>();
    auto it = entries.find(name);
    if (it == entries.end()) it = entries.emplace(name, nullptr).first;
    it->second = std::move(value);
    auto position = static_cast<std::size_t>(it - entries.begin());
    if (shapes.size() <= position) shapes.resize(position + 1, Shape::plain);
    shapes[position] = it->second.is_structured() ? shape : Shape::plain;
  }
};

/// A `cycler(items...)` (jinja2.utils.Cycler: its items and position) or a `joiner(sep)`
/// (jinja2.utils.Joiner: `items` holds the separator, `used` once it was called). Values own
/// their JSON here: the object outlives the expression that made it.
struct UtilsObject {
  std::vector<Value> items{};
  std::size_t pos = 0;
  bool used = false;
};

/// A macro (`{% macro %}`) or a call block's `caller`, as a value: the statement, and the scope
/// its body sees (the evaluator's frame it was defined in, and how much of it).
struct MacroRef {
  const Stmt* stmt = nullptr;
  std::size_t frame = 0;      // the frame the body's names resolve in after its own
  std::size_t frame_end = 0;  // caller: entries of that frame visible (the call site's)
  std::uint32_t level = 0;    // macro: scope level it was defined at (visible levels)
  bool caller = false;

  /// The macro's name: its own, or "caller".
  std::string_view name(const Program& p) const {
    return caller ? std::string_view("caller") : std::string_view(p.names[stmt->a]);
  }
};

/// Arguments bound to a Python-style signature: `at(i)` is the i-th parameter, null if absent.
/// No built-in filter, test or method has more than `capacity` parameters (no allocation).
class BoundArgs {
 public:
  static constexpr std::size_t capacity = 8;
  const Value* at(std::size_t i) const { return i < count ? slots[i] : nullptr; }
  std::array<const Value*, capacity> slots{};
  std::size_t count = 0;
};

class Runtime;

/// Filters (filters.cpp) and tests (tests.cpp).
Value apply_filter(Runtime& rt, std::uint32_t id, const Value& input, std::vector<Value>& args,
                   Kwargs& kwargs);
/// Appends what `{{ input | filter(args) }}` writes to `out` (as rt.append_str of
/// apply_filter's result; the filters that build a string write straight into `out`).
void append_filter(Runtime& rt, std::uint32_t id, const Value& input, std::vector<Value>& args,
                   Kwargs& kwargs, std::string& out);
bool apply_test(Runtime& rt, std::uint32_t id, const Value& input, std::span<const Value> args);
/// Appends Python's `text.lower()` (or `.upper()`) to `out`.
void append_case_mapped(std::string& out, std::string_view text, bool lower);
/// Writes `text.lower()` (or `.upper()`) of ASCII `text` to `to` (room for text.size() bytes);
/// false when `text` is not ASCII (what `to` then holds is meaningless).
bool case_map_ascii(char* to, std::string_view text, bool lower) noexcept;
/// Python's printf-style `format % args` (a tuple, a mapping for `%(key)s`, or one value).
Value percent_format(Runtime& rt, std::string_view format, const Value& args);
/// `format.format(*args, **kwargs)` as Jinja's sandbox runs it (SandboxedFormatter).
Value str_format(Runtime& rt, std::string_view format, std::span<const Value> args,
                 const Kwargs& kwargs);
/// `format.format_map(mapping)` (SandboxedFormatter, the mapping as the keyword arguments).
Value str_format_map(Runtime& rt, std::string_view format, const Value& mapping);
/// A test named at render time (`select('odd')`); TemplateRuntimeError when unknown.
std::uint32_t test_id_by_name(Runtime& rt, std::string_view name);

/// Per-render state. One per render call; never shared between threads.
class Runtime {
 public:
  Runtime(const Program& p, const EnvironmentState& e, const json& ctx)
      : program(p), env(e), context(ctx) {}

  const Program& program;
  const EnvironmentState& env;
  const json& context;
  std::uint32_t pos = 0;  // source offset of the expression being evaluated (for messages)
  std::uint64_t iterations = 0;
  // namespace() objects live as long as the render (boxed: Values point at them).
  std::vector<std::unique_ptr<NamespaceObject>> namespaces{};
  // cycler() and joiner() objects, likewise.
  std::vector<std::unique_ptr<UtilsObject>> utils_objects{};
  // The shapes of values whose items differ (`[(1, 2), [3]]`), as long as the render.
  mutable ShapeArena shapes{};

  // ---- errors ---------------------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& python_type, const std::string& message) const;
  [[noreturn]] void fail_undefined(const Value& v) const;
  [[noreturn]] void type_error(const std::string& message) const { fail("TypeError", message); }
  /// Under the strict policy any use of an undefined raises; returns v otherwise.
  const Value& use(const Value& v) const {
    if (v.kind == Kind::undefined && policy(v) == UndefinedPolicy::strict) fail_undefined(v);
    return v;
  }
  /// The undefined policy that applies to `v`.
  UndefinedPolicy policy(const Value& v) const noexcept {
    return v.lenient ? UndefinedPolicy::lenient : env.undefined;
  }
  /// Binds args to parameter names; TypeError on unknown keywords or too many positionals.
  BoundArgs bind(std::string_view function, std::span<const Value> args, const Kwargs& kwargs,
                 std::initializer_list<std::string_view> params) const;
  void check_size(std::size_t bytes) const;

  // ---- Python semantics -----------------------------------------------------------------------
  bool truthy(const Value& v) const;
  std::string str(const Value& v) const;
  void append_str(std::string& out, const Value& v) const;
  std::string repr(const Value& v) const;
  void append_repr(std::string& out, const Value& v) const;
  /// Python's `type(v).__name__`: the Undefined class of the policy, `LoopContext`, `Namespace`,
  /// `Macro`, `builtin_function_or_method`, or python_type_name of its JSON.
  std::string_view type_name(const Value& v) const noexcept;
  /// JSON of a value for tojson and hydration: Undefined and non-data values raise.
  const json& data(const Value& v) const;

  // ---- lookups (SandboxedEnvironment.getattr / getitem) ----------------------------------------
  Value getattr(const Value& obj, std::string_view name) const;
  /// `loop.name` on a loop variable (`attr` is loop_attr_of(name)).
  Value loop_attribute(const Value& loop, LoopAttr attr, std::string_view name) const;
  Value getitem(const Value& obj, const Value& key) const;
  /// Jinja's make_attrgetter: a dotted path, digits as indices, each step a getitem.
  Value get_path(const Value& obj, std::string_view path) const;

  /// The JSON of an operand of an arithmetic or ordering operator: undefined raises.
  const json& operand(const Value& v) const;
  /// Python's `item in container`.
  bool contains(const Value& container, const Value& item) const;

  /// Iterates a value as Python would (dict -> keys, str -> characters); appends to `out`.
  void iterate(const Value& v, std::vector<Value>& out) const;

  Value call(const Value& callee, std::vector<Value>& args, Kwargs& kwargs);
};

/// Whether the `n` bytes at `a` and `b` are equal: 8 (or 4) bytes per comparison, the last
/// block overlapping, so the short keys of JSON objects need no call to memcmp.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  auto load8 = [](const char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  auto load4 = [](const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  if (n >= 8) {
    if (n > 32) return std::memcmp(a, b, n) == 0;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load8(a + i) != load8(b + i)) return false;
    }
    return load8(a + n - 8) == load8(b + n - 8);
  }
  if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

/// The member `key` of a JSON object, or null (no temporary std::string for the key).
/// `object` must be a JSON object.
inline const json* find_member(const json& object, std::string_view key) noexcept {
  for (const auto& [k, v] : *object.get_ptr<const json::object_t*>()) {
    if (k.size() == key.size() && same_bytes(k.data(), key.data(), key.size())) return &v;
  }
  return nullptr;
}

/// The string a JSON string holds (`j` must be a string; no check, unlike get_ref).
inline const std::string& string_of(const json& j) noexcept {
  return *j.get_ptr<const std::string*>();
}

/// Python's `==` between JSON values (1 == 1.0 == True; dicts unordered).
/// Only type-checked accessors are used: nothing throws (clang-tidy 14 cannot tell).
bool python_equal(const json& a, const json& b) noexcept;  // NOLINT(bugprone-exception-escape)
/// Python's `==` between values of the given shapes: a tuple never equals a list, at any depth.
// NOLINTNEXTLINE(bugprone-exception-escape): as python_equal
bool python_equal(const json& a, Shape sa, const json& b, Shape sb) noexcept;
/// Python's type name of a value of shape `s` (`tuple`, `dict_items`, else python_type_name).
std::string_view python_type_name(const json& j, Shape s) noexcept;
/// The type Python's hash() refuses in `j` (`list`, `dict`, ...), or "" when it is hashable.
std::string_view unhashable_type(const json& j, Shape s) noexcept;
/// Python's `<`, `<=`, `>`, `>=` (op); TypeError text in `error` (and false) when the types do
/// not order.
bool python_order(const json& a, const json& b, CmpOp op, std::string* error);
bool python_less(const json& a, const json& b, std::string* error);
/// python_order between values of the given shapes: a list and a tuple do not order.
bool python_order(const json& a, Shape sa, const json& b, Shape sb, CmpOp op, std::string* error);

/// json.dumps(v, sort_keys=True, indent=indent) with Jinja's HTML-safe replacements; `indent`
/// is the text of one level (Python's `' ' * n` for an int), null for the compact form.
void write_tojson(std::string& out, const json& value, const std::string* indent);

}  // namespace eventwire::detail
