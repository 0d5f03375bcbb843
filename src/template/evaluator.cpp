// Renders a Program: statements write to the output, expressions evaluate to Values with
// Python's operator semantics.
#include "template/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

__extension__ typedef __int128 Int128;

bool is_num(const json& j) {
  return j.is_number() || j.is_boolean();
}
bool is_int(const json& j) {
  return j.is_number_integer() || j.is_boolean();
}
Int128 to_int(const json& j) {
  if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
  if (j.is_number_unsigned()) return static_cast<Int128>(j.get<std::uint64_t>());
  return j.get<std::int64_t>();
}
double to_float(const json& j) {
  if (j.is_number_float()) return j.get<double>();
  return static_cast<double>(to_int(j));
}

// A copy with object keys in code point order at every level (json.loads of tojson's text).
json sorted_copy(const json& j) {
  if (j.is_discarded()) {
    throw TemplateRuntimeError("Object of type Undefined is not JSON serializable", "TypeError");
  }
  if (j.is_array()) {
    json out = json::array();
    for (const auto& e : j)
      out.push_back(sorted_copy(e));
    return out;
  }
  if (!j.is_object()) return j;
  std::vector<const std::pair<const std::string, json>*> entries;
  for (const auto& entry : j.get_ref<const json::object_t&>())
    entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  json out = json::object();
  for (const auto* entry : entries)
    out.emplace(entry->first, sorted_copy(entry->second));
  return out;
}

class Renderer {
 public:
  Renderer(const Program& program, const EnvironmentState& env, const json& context,
           std::string& out)
      : p_(program), rt_(program, env, context), out_(out) {}

  void run() { exec_body(p_.root, p_.nroot); }

  // The input of the `tojson` filter of a `{{ expr | tojson }}` program.
  json tojson_input() {
    const Expr& filter = p_.exprs[p_.stmts[p_.bodies[p_.root]].a];
    Value v = eval(filter.a);
    rt_.pos = filter.pos;
    return sorted_copy(rt_.data(v));
  }

 private:
  const Program& p_;
  Runtime rt_;
  std::string& out_;
  // Variables set by the template, newest last. A deque, because Values borrow from the ones
  // below them; created on first use, since most templates set nothing.
  std::optional<std::deque<std::pair<std::uint32_t, Value>>> vars_;

  // ---- statements -----------------------------------------------------------------------------
  void exec_body(std::uint32_t at, std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i)
      exec(p_.stmts[p_.bodies[at + i]]);
  }

  void write(std::string_view text) {
    out_ += text;
    if (out_.size() > rt_.env.limits.max_output_bytes) rt_.check_size(out_.size());
  }

  void exec(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::text:
        write(std::string_view(p_.text).substr(s.a, s.b));
        return;
      case StmtKind::output: {
        Value v = eval(s.a);
        rt_.pos = p_.exprs[s.a].pos;
        rt_.append_str(out_, v);
        if (out_.size() > rt_.env.limits.max_output_bytes) rt_.check_size(out_.size());
        return;
      }
      case StmtKind::if_:
        if (rt_.truthy(eval(s.a))) {
          exec_body(s.body, s.nbody);
        } else {
          exec_body(s.else_body, s.nelse);
        }
        return;
      case StmtKind::for_:
        exec_for(s);
        return;
      case StmtKind::set:
        assign(p_.targets[s.a], eval(s.b));
        return;
      case StmtKind::set_block:
        assign(p_.targets[s.a], Value::of(capture(s)));
        return;
      case StmtKind::set_attr: {
        rt_.pos = s.pos;
        Value ns = lookup(s.a);
        if (ns.kind != Kind::namespace_) {
          rt_.fail("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
        }
        Value v = eval(s.c);
        (*static_cast<json*>(ns.object))[p_.names[s.b]] = to_storable(v);
        return;
      }
      case StmtKind::with_: {
        std::vector<std::pair<const Target*, Value>> values;  // evaluated in the outer scope
        for (const Arg& a : std::span<const Arg>(p_.args).subspan(s.args, s.nargs)) {
          values.emplace_back(&p_.targets[a.name], eval(a.expr));
        }
        auto saved = mark();
        for (auto& [target, value] : values)
          assign(*target, std::move(value));
        exec_body(s.body, s.nbody);
        release(saved);
        return;
      }
      case StmtKind::filter_block: {
        auto saved = mark();
        bind(s.a, Value::of(capture(s)));
        Value v = eval(s.b);
        release(saved);
        rt_.pos = s.pos;
        rt_.append_str(out_, v);
        rt_.check_size(out_.size());
        return;
      }
      case StmtKind::no_loader:
        rt_.pos = s.pos;
        rt_.type_error("no loader for this environment specified");
    }
  }

  // Renders a block's body into a string of its own.
  std::string capture(const Stmt& s) {
    std::string saved;
    saved.swap(out_);
    exec_body(s.body, s.nbody);
    std::string captured;
    captured.swap(out_);
    out_.swap(saved);
    return captured;
  }

  json to_storable(const Value& v) {
    if (v.kind == Kind::undefined) return json(json::value_t::discarded);
    return rt_.data(v);
  }

  void bind(std::uint32_t name, Value v) {
    if (!vars_) vars_.emplace();
    vars_->emplace_back(name, std::move(v));
  }
  std::size_t mark() const { return vars_ ? vars_->size() : 0; }
  void release(std::size_t to) {
    if (vars_) vars_->resize(to);
  }

  void assign(const Target& t, Value v) {
    if (!t.tuple) {
      bind(p_.target_names[t.names], std::move(v));
      return;
    }
    std::vector<Value> parts;
    rt_.iterate(v, parts);
    if (parts.size() != t.count) {
      if (parts.size() < t.count) {
        rt_.fail("ValueError", fmt::format("not enough values to unpack (expected {}, got {})",
                                           t.count, parts.size()));
      }
      rt_.fail("ValueError", fmt::format("too many values to unpack (expected {})", t.count));
    }
    for (std::uint32_t i = 0; i < t.count; ++i)
      bind(p_.target_names[t.names + i], stabilize(std::move(parts[i]), v));
  }

  void exec_for(const Stmt& s) {
    Value iterable = eval(s.b);
    rt_.pos = s.pos;
    std::vector<Value> items;
    rt_.iterate(iterable, items);
    const Target& target = p_.targets[s.a];
    if (s.c != npos32) {  // `for x in xs if cond`: filtered before loop.* counts
      std::vector<Value> kept;
      for (auto& item : items) {
        auto saved = mark();
        assign(target, item.alias());
        bool keep = rt_.truthy(eval(s.c));
        release(saved);
        if (keep) kept.push_back(std::move(item));
      }
      items.swap(kept);
    }
    if (items.empty()) {
      exec_body(s.else_body, s.nelse);
      return;
    }
    LoopState loop{.items = &items, .index0 = 0, .depth = 1};  // depth counts recursive loops only
    Value loop_value;
    loop_value.kind = Kind::loop;
    loop_value.object = &loop;
    auto loop_name = p_.loop_name;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (++rt_.iterations > rt_.env.limits.max_loop_iterations) {
        rt_.fail("OverflowError", fmt::format("more than {} loop iterations (max_loop_iterations)",
                                              rt_.env.limits.max_loop_iterations));
      }
      loop.index0 = i;
      auto saved = mark();
      if (loop_name != npos32) bind(loop_name, loop_value.alias());
      assign(target, items[i].alias());
      exec_body(s.body, s.nbody);
      release(saved);
    }
  }

  // ---- names ------------------------------------------------------------------------------------
  Value lookup(std::uint32_t id) {
    if (vars_) {
      for (auto it = vars_->rbegin(); it != vars_->rend(); ++it) {
        if (it->first == id) return it->second.alias();
      }
    }
    const std::string& name = p_.names[id];
    if (rt_.context.is_object()) {
      if (auto it = rt_.context.find(name); it != rt_.context.end()) return Value::borrow(*it);
    }
    if (auto it = rt_.env.globals.find(name); it != rt_.env.globals.end())
      return Value::borrow(it->second);
    Method fn = name == "range"       ? Method::fn_range
                : name == "namespace" ? Method::fn_namespace
                : name == "dict"      ? Method::fn_dict
                                      : Method::none;
    if (fn != Method::none) {
      Value v;
      v.kind = Kind::function;
      v.method = fn;
      return v;
    }
    return Value::undefined(fmt::format("'{}' is undefined", name));
  }

  // ---- expressions ------------------------------------------------------------------------------
  std::span<const Arg> args_of(const Expr& e) const {
    return std::span<const Arg>(p_.args).subspan(e.args, e.nargs);
  }

  struct CallArgs {
    std::vector<Value> args;
    Kwargs kwargs;
  };

  // The arguments of a call, filter or test; leaves rt_.pos at the expression.
  CallArgs eval_args(const Expr& e) {
    CallArgs out;
    for (const Arg& a : args_of(e)) {
      if (a.name == npos32) {
        out.args.push_back(eval(a.expr));
      } else {
        out.kwargs.emplace_back(p_.names[a.name], eval(a.expr));
      }
    }
    rt_.pos = e.pos;
    return out;
  }

  Value eval(std::uint32_t index) {
    const Expr& e = p_.exprs[index];
    switch (e.op) {
      case Op::constant:
        return Value::borrow(p_.constants[e.a]);
      case Op::name:
        return lookup(e.a);
      case Op::getattr: {
        Value obj = eval(e.a);
        rt_.pos = e.pos;
        return stabilize(rt_.getattr(obj, p_.names[e.b]), obj);
      }
      case Op::getitem: {
        Value obj = eval(e.a);
        Value key = eval(e.b);
        rt_.pos = e.pos;
        return stabilize(rt_.getitem(obj, key), obj);
      }
      case Op::slice:
        return eval_slice(e);
      case Op::call: {
        Value callee = eval(e.a);
        auto [args, kwargs] = eval_args(e);
        return stabilize(stabilize(rt_.call(callee, args, kwargs), callee), args, kwargs);
      }
      case Op::filter: {
        Value input = eval(e.a);
        auto [args, kwargs] = eval_args(e);
        return apply_filter(rt_, e.b, input, args, kwargs);
      }
      case Op::test: {
        Value input = eval(e.a);
        auto [args, kwargs] = eval_args(e);
        if (!kwargs.empty()) rt_.type_error("tests take no keyword arguments");
        bool r = apply_test(rt_, e.b, input, args);
        return Value::of(e.flag ? !r : r);
      }
      case Op::neg:
      case Op::pos: {
        Value v = eval(e.a);
        rt_.pos = e.pos;
        return unary(e.op, v);
      }
      case Op::not_:
        return Value::of(!rt_.truthy(eval(e.a)));
      case Op::and_: {
        Value left = eval(e.a);
        if (!rt_.truthy(left)) return left;
        return eval(e.b);
      }
      case Op::or_: {
        Value left = eval(e.a);
        if (rt_.truthy(left)) return left;
        return eval(e.b);
      }
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::floordiv:
      case Op::mod:
      case Op::pow: {
        Value left = eval(e.a);
        Value right = eval(e.b);
        rt_.pos = e.pos;
        return binary(e.op, left, right);
      }
      case Op::concat: {
        std::string s;
        for (const Arg& a : args_of(e)) {
          Value v = eval(a.expr);
          rt_.pos = e.pos;
          rt_.append_str(s, v);
          rt_.check_size(s.size());
        }
        return Value::of(std::move(s));
      }
      case Op::compare:
        return eval_compare(e);
      case Op::cond:
        if (rt_.truthy(eval(e.b))) return eval(e.a);
        if (e.c == npos32) {
          // Jinja uses a plain Undefined here whatever the environment's policy.
          Value v =
              Value::undefined(fmt::format("the inline if-expression on line {} evaluated to false "
                                           "and no else section was defined.",
                                           p_.line_of(e.pos)));
          v.lenient = true;
          return v;
        }
        return eval(e.c);
      case Op::list:
      case Op::tuple: {
        json items = json::array();
        bool all_tuples = e.nargs > 0;
        for (const Arg& a : args_of(e)) {
          Value v = eval(a.expr);
          rt_.pos = e.pos;
          all_tuples = all_tuples && v.shape == Shape::tuple;
          items.push_back(to_storable(v));
        }
        if (e.op == Op::tuple) return Value::of(std::move(items), Shape::tuple);
        // A list of tuples keeps printing them as tuples: `[(1, 2)]`.
        return Value::of(std::move(items), all_tuples ? Shape::tuple_list : Shape::plain);
      }
      case Op::dict: {
        json object = json::object();
        for (const Arg& a : args_of(e)) {
          Value key = eval(a.name);
          Value value = eval(a.expr);
          rt_.pos = e.pos;
          if (key.kind != Kind::value || !key.get().is_string()) {
            rt_.type_error("dict keys must be strings in eventwire (JSON objects)");
          }
          object[key.get().get<std::string>()] = to_storable(value);
        }
        return Value::of(std::move(object));
      }
    }
    return {};
  }

  Value eval_compare(const Expr& e) {
    Value left = eval(e.a);
    for (const Arg& a : args_of(e)) {
      Value right = eval(a.expr);
      rt_.pos = e.pos;
      if (!compare(static_cast<CmpOp>(a.name), left, right)) return Value::of(false);
      left = std::move(right);
    }
    return Value::of(true);
  }

  bool compare(CmpOp op, const Value& l, const Value& r) {
    switch (op) {
      case CmpOp::eq:
      case CmpOp::ne: {
        rt_.use(l);
        rt_.use(r);
        bool eq;
        if (l.kind == Kind::undefined || r.kind == Kind::undefined) {
          eq = l.kind == r.kind;
        } else if (l.kind == Kind::value && r.kind == Kind::value) {
          eq = python_equal(l.get(), r.get());
        } else {
          eq = l.kind == r.kind && l.object == r.object && l.method == r.method;
        }
        return op == CmpOp::eq ? eq : !eq;
      }
      case CmpOp::in:
        return rt_.contains(r, l);
      case CmpOp::not_in:
        return !rt_.contains(r, l);
      default:
        break;
    }
    const json& a = operand(l);
    const json& b = operand(r);
    std::string error;
    bool result = python_order(a, b, op, &error);
    if (!error.empty()) {
      static constexpr std::string_view symbols[] = {"==", "!=", "<", "<=", ">", ">="};
      rt_.type_error(fmt::format("'{}' {}", symbols[static_cast<std::size_t>(op)], error));
    }
    return result;
  }

  const json& operand(const Value& v) const { return rt_.operand(v); }

  Value unary(Op op, const Value& v) {
    const json& j = operand(v);
    if (!is_num(j)) {
      rt_.type_error(fmt::format("bad operand type for unary {}: '{}'", op == Op::neg ? '-' : '+',
                                 python_type_name(j)));
    }
    if (j.is_number_float()) return Value::of(op == Op::neg ? -j.get<double>() : j.get<double>());
    return make_int(op == Op::neg ? -to_int(j) : to_int(j));
  }

  Value make_int(Int128 v) {
    if (v >= INT64_MIN && v <= INT64_MAX) return Value::of(static_cast<std::int64_t>(v));
    if (v > 0 && v <= static_cast<Int128>(UINT64_MAX))
      return Value::of(static_cast<std::uint64_t>(v));
    rt_.fail("OverflowError", "integer result does not fit in 64 bits (eventwire's integer range)");
  }

  [[noreturn]] void unsupported(Op op, const json& a, const json& b) {
    static constexpr std::string_view symbols[] = {"+", "-", "*", "/", "//", "%", "**"};
    auto sym = symbols[static_cast<std::size_t>(op) - static_cast<std::size_t>(Op::add)];
    if (op == Op::add && a.is_string()) {
      rt_.type_error(
          fmt::format("can only concatenate str (not \"{}\") to str", python_type_name(b)));
    }
    if (op == Op::add && a.is_array()) {
      rt_.type_error(
          fmt::format("can only concatenate list (not \"{}\") to list", python_type_name(b)));
    }
    rt_.type_error(fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", sym,
                               python_type_name(a), python_type_name(b)));
  }

  Value repeat(const json& seq, const json& count, Shape shape) {
    Int128 n = to_int(count);
    if (seq.is_string()) {
      const std::string& s = seq.get_ref<const std::string&>();
      if (n <= 0 || s.empty()) return Value::of(std::string());
      rt_.check_size(static_cast<std::size_t>(
          std::min<Int128>(n * static_cast<Int128>(s.size()), static_cast<Int128>(SIZE_MAX / 2))));
      std::string out;
      out.reserve(s.size() * static_cast<std::size_t>(n));
      for (Int128 i = 0; i < n; ++i)
        out += s;
      return Value::of(std::move(out));
    }
    json out = json::array();
    if (n > 0 && !seq.empty()) {
      rt_.check_size(static_cast<std::size_t>(std::min<Int128>(n * static_cast<Int128>(seq.size()),
                                                               static_cast<Int128>(SIZE_MAX / 2))));
      for (Int128 i = 0; i < n; ++i) {
        for (const auto& e : seq)
          out.push_back(e);
      }
    }
    return Value::of(std::move(out), shape);
  }

  Value binary(Op op, const Value& l, const Value& r) {
    const json& a = operand(l);
    const json& b = operand(r);
    if (is_num(a) && is_num(b)) return arithmetic(op, a, b);
    if (op == Op::add && a.is_string() && b.is_string()) {
      rt_.check_size(a.get_ref<const std::string&>().size() +
                     b.get_ref<const std::string&>().size());
      return Value::of(a.get_ref<const std::string&>() + b.get_ref<const std::string&>());
    }
    if (op == Op::add && a.is_array() && b.is_array() &&
        (l.shape == Shape::tuple) == (r.shape == Shape::tuple)) {
      json out = a;
      for (const auto& e : b)
        out.push_back(e);
      return Value::of(std::move(out), l.shape);
    }
    if (op == Op::mul && (a.is_string() || a.is_array()) && is_int(b)) return repeat(a, b, l.shape);
    if (op == Op::mul && (b.is_string() || b.is_array()) && is_int(a)) return repeat(b, a, r.shape);
    if (op == Op::mod && a.is_string()) {
      rt_.type_error("printf-style formatting with % is not supported by eventwire");
    }
    unsupported(op, a, b);
  }

  Value arithmetic(Op op, const json& a, const json& b) {
    bool floats = a.is_number_float() || b.is_number_float();
    if (op == Op::div) {
      double y = to_float(b);
      if (y == 0.0)
        rt_.fail("ZeroDivisionError", floats ? "float division by zero" : "division by zero");
      if (!floats) {
        // Python's int / int is correctly rounded; double division is exact for |x| < 2**53.
        return Value::of(static_cast<double>(to_int(a)) / static_cast<double>(to_int(b)));
      }
      return Value::of(to_float(a) / y);
    }
    if (!floats) {
      Int128 x = to_int(a), y = to_int(b);
      switch (op) {
        case Op::add:
          return make_int(x + y);
        case Op::sub:
          return make_int(x - y);
        case Op::mul: {
          if (x != 0 && (y > INT64_MAX || y < INT64_MIN || x > INT64_MAX || x < INT64_MIN)) {
            rt_.fail("OverflowError",
                     "integer result does not fit in 64 bits (eventwire's integer range)");
          }
          return make_int(x * y);
        }
        case Op::floordiv:
        case Op::mod: {
          if (y == 0) {
            rt_.fail("ZeroDivisionError", op == Op::mod ? "integer modulo by zero"
                                                        : "integer division or modulo by zero");
          }
          Int128 q = x / y, m = x % y;
          if (m != 0 && ((m < 0) != (y < 0))) {
            --q;
            m += y;
          }
          return make_int(op == Op::mod ? m : q);
        }
        case Op::pow: {
          if (y < 0) {
            if (x == 0) rt_.fail("ZeroDivisionError", "0.0 cannot be raised to a negative power");
            return Value::of(std::pow(static_cast<double>(x), static_cast<double>(y)));
          }
          Int128 result = 1;
          for (Int128 i = 0; i < y; ++i) {
            result *= x;
            if (result > static_cast<Int128>(UINT64_MAX) || result < INT64_MIN) {
              rt_.fail("OverflowError",
                       "integer result does not fit in 64 bits (eventwire's integer range)");
            }
            if (result == 0 || result == 1) break;
            if (result == -1) {
              result = (y - i - 1) % 2 == 0 ? -1 : 1;
              break;
            }
          }
          return make_int(result);
        }
        default:
          break;
      }
    }
    double x = to_float(a), y = to_float(b);
    switch (op) {
      case Op::add:
        return Value::of(x + y);
      case Op::sub:
        return Value::of(x - y);
      case Op::mul:
        return Value::of(x * y);
      case Op::floordiv:
      case Op::mod: {
        if (y == 0.0)
          rt_.fail("ZeroDivisionError",
                   op == Op::mod ? "float modulo" : "float floor division by zero");
        // CPython's float_divmod.
        double mod = std::fmod(x, y);
        double div = (x - mod) / y;
        if (mod != 0.0) {
          if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
          }
        } else {
          mod = std::copysign(0.0, y);
        }
        double floordiv;
        if (div != 0.0) {
          floordiv = std::floor(div);
          if (div - floordiv > 0.5) floordiv += 1.0;
        } else {
          floordiv = std::copysign(0.0, x / y);
        }
        return Value::of(op == Op::mod ? mod : floordiv);
      }
      case Op::pow: {
        if (x == 0.0 && y < 0)
          rt_.fail("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        if (x < 0 && std::floor(y) != y) rt_.type_error("complex results are not supported");
        double result = std::pow(x, y);
        if (std::isinf(result) && !std::isinf(x))
          rt_.fail("OverflowError", "(34, 'Numerical result out of range')");
        return Value::of(result);
      }
      default:
        break;
    }
    return {};
  }

  Value eval_slice(const Expr& e) {
    Value obj = eval(e.a);
    auto args = args_of(e);
    std::optional<std::int64_t> parts[3];
    for (std::size_t i = 0; i < 3; ++i) {
      if (args[i].expr == npos32) continue;
      Value v = eval(args[i].expr);
      if (v.kind == Kind::value && v.get().is_null()) continue;
      rt_.pos = e.pos;
      const json& j = operand(v);
      if (!is_int(j))
        rt_.type_error("slice indices must be integers or None or have an __index__ method");
      parts[i] = static_cast<std::int64_t>(
          std::max<Int128>(std::min<Int128>(to_int(j), INT64_MAX / 2), INT64_MIN / 2));
    }
    rt_.pos = e.pos;
    if (obj.kind == Kind::undefined) {
      if (rt_.policy(obj) != UndefinedPolicy::chainable) rt_.fail_undefined(obj);
      return obj;
    }
    std::int64_t step = parts[2].value_or(1);
    if (step == 0) rt_.fail("ValueError", "slice step cannot be zero");
    const json& j = operand(obj);
    std::vector<std::pair<std::size_t, std::size_t>> chars;  // string: code point byte ranges
    std::int64_t n;
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      for (std::size_t i = 0; i < s.size();) {
        std::size_t start = i;
        next_code_point(s, i);
        chars.emplace_back(start, i - start);
      }
      n = static_cast<std::int64_t>(chars.size());
    } else if (j.is_array()) {
      n = static_cast<std::int64_t>(j.size());
    } else {
      rt_.type_error(fmt::format("'{}' object is not subscriptable", python_type_name(j)));
    }
    // PySlice_AdjustIndices.
    auto adjust = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
      if (!v) return dflt;
      std::int64_t x = *v;
      if (x < 0) {
        x += n;
        if (x < 0) x = step < 0 ? -1 : 0;
      } else if (x >= n) {
        x = step < 0 ? n - 1 : n;
      }
      return x;
    };
    std::int64_t start = adjust(parts[0], step < 0 ? n - 1 : 0);
    std::int64_t stop = adjust(parts[1], step < 0 ? -1 : n);
    std::vector<std::int64_t> indices;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
      indices.push_back(i);
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      std::string out;
      for (auto i : indices) {
        auto [at, len] = chars[static_cast<std::size_t>(i)];
        out.append(s, at, len);
      }
      return Value::of(std::move(out));
    }
    json out = json::array();
    for (auto i : indices)
      out.push_back(j[static_cast<std::size_t>(i)]);
    return Value::of(std::move(out), obj.shape);
  }
};

}  // namespace

void render_program(const Program& program, const EnvironmentState& env, const json& context,
                    std::string& out) {
  Renderer(program, env, context, out).run();
}

bool is_tojson_expression(const Program& p) noexcept {
  if (p.verbatim || p.nroot != 1) return false;
  const Stmt& s = p.stmts[p.bodies[p.root]];
  if (s.kind != StmtKind::output) return false;
  const Expr& e = p.exprs[s.a];
  return e.op == Op::filter && e.b == static_cast<std::uint32_t>(FilterId::tojson) && e.nargs == 0;
}

json tojson_value(const Program& program, const EnvironmentState& env, const json& context) {
  std::string unused;
  return Renderer(program, env, context, unused).tojson_input();
}

}  // namespace eventwire::detail
