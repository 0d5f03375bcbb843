// Calls: the dict/str/list methods Jinja's sandbox allows, `loop.cycle`, and the globals
// `range`, `namespace`, `dict`, `cycler` and `joiner`.
#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {
namespace {

const std::string& string_arg(const Runtime& rt, const Value* v, std::string_view method) {
  if (!v || v->kind != Kind::value || !v->get().is_string()) {
    rt.type_error(fmt::format("{}() argument must be str", method));
  }
  return v->get().get_ref<const std::string&>();
}

long long int_arg(const Runtime& rt, const Value* v, long long fallback) {
  if (!v) return fallback;
  const json& j = rt.data(*v);
  if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
  if (!j.is_number_integer()) {
    rt.type_error(
        fmt::format("'{}' object cannot be interpreted as an integer", python_type_name(j)));
  }
  return j.is_number_unsigned()
             ? static_cast<long long>(std::min<std::uint64_t>(j.get<std::uint64_t>(), INT64_MAX))
             : j.get<std::int64_t>();
}

// `prefix` is a str or a tuple/list of str (str.startswith / endswith).
bool affix_matches(const Runtime& rt, const std::string& s, const Value* arg, bool start) {
  auto test = [&](const std::string& affix) {
    if (affix.size() > s.size()) return false;
    return start ? s.compare(0, affix.size(), affix) == 0
                 : s.compare(s.size() - affix.size(), affix.size(), affix) == 0;
  };
  if (arg && arg->kind == Kind::value && arg->get().is_array()) {
    for (const auto& e : arg->get()) {
      if (!e.is_string()) rt.type_error("tuple for startswith must only contain str");
      if (test(e.get_ref<const std::string&>())) return true;
    }
    return false;
  }
  return test(string_arg(rt, arg, start ? "startswith" : "endswith"));
}

Value call_range(const Runtime& rt, std::span<const Value> args, const Kwargs& kwargs) {
  if (!kwargs.empty()) rt.type_error("range() takes no keyword arguments");
  if (args.empty() || args.size() > 3) {
    rt.type_error(fmt::format("range expected at least 1 argument, got {}", args.size()));
  }
  long long start = 0, stop, step = 1;
  if (args.size() == 1) {
    stop = int_arg(rt, &args[0], 0);
  } else {
    start = int_arg(rt, &args[0], 0);
    stop = int_arg(rt, &args[1], 0);
    if (args.size() == 3) step = int_arg(rt, &args[2], 1);
  }
  if (step == 0) rt.fail("ValueError", "range() arg 3 must not be zero");
  // Unsigned arithmetic: the bounds may be anywhere in int64, and their distance is below 2^64.
  using u64 = unsigned long long;
  u64 length = 0;
  if (step > 0 && start < stop) length = (u64(stop) - u64(start) - 1) / u64(step) + 1;
  if (step < 0 && start > stop) length = (u64(start) - u64(stop) - 1) / (0 - u64(step)) + 1;
  if (length > rt.env.limits.max_range_length) {
    rt.fail("OverflowError", fmt::format("Range too big. The sandbox blocks ranges larger than "
                                         "MAX_RANGE ({}).",
                                         rt.env.limits.max_range_length));
  }
  json out = json::array();
  for (u64 i = 0; i < length; ++i)
    out.push_back(static_cast<long long>(u64(start) + i * u64(step)));  // in range: no overflow
  return Value::of(std::move(out));
}

/// `v` owning its JSON, to be kept past the call that passed it.
Value kept(const Value& v) {
  Value k = v.alias();
  if (k.ref) {
    k.own = *k.ref;
    k.ref = nullptr;
  }
  return k;
}

/// The keyword arguments as a dict (Python's `dict(**kwargs)`).
Value kwargs_object(const Runtime& rt, const Kwargs& kwargs) {
  json out = json::object();
  ShapeBuilder shape(SeqKind::list, out, rt.shapes);
  for (const auto& [name, value] : kwargs) {
    json& slot = out[std::string(name)];
    slot = value.kind == Kind::undefined ? json(json::value_t::discarded) : rt.data(value);
    shape.set(out.size() - 1, value.shape, slot);
  }
  Shape s = shape.shape();
  return Value::of(std::move(out), s);
}

}  // namespace

Value Runtime::call(const Value& callee, std::vector<Value>& args, Kwargs& kwargs) {
  if (callee.kind == Kind::undefined) fail_undefined(callee);
  if (callee.kind == Kind::function) {
    switch (callee.method) {
      case Method::fn_range:
        return call_range(*this, args, kwargs);
      case Method::fn_dict: {
        if (!args.empty()) type_error("dict() positional arguments are not supported");
        return kwargs_object(*this, kwargs);
      }
      case Method::fn_namespace: {
        auto ns = std::make_unique<NamespaceObject>();
        if (args.size() > 1) type_error("namespace() takes at most one positional argument");
        auto add = [&](const Value& dict) {
          std::size_t i = 0;
          for (const auto& [k, v] : dict.get().get_ref<const json::object_t&>())
            ns->set(k, v, dict.shape.item(i++));
        };
        if (args.size() == 1) {
          if (!data(args[0]).is_object()) type_error("namespace() argument must be a mapping");
          add(args[0]);
        }
        add(kwargs_object(*this, kwargs));
        Value v;
        v.kind = Kind::namespace_;
        v.object = namespaces.emplace_back(std::move(ns)).get();
        return v;
      }
      case Method::fn_cycler: {
        if (!kwargs.empty()) {
          type_error(fmt::format("Cycler.__init__() got an unexpected keyword argument '{}'",
                                 kwargs.front().first));
        }
        if (args.empty()) fail("RuntimeError", "at least one item has to be provided");
        auto cycler = std::make_unique<UtilsObject>();
        for (const auto& a : args)
          cycler->items.push_back(kept(a));
        Value v;
        v.kind = Kind::cycler;
        v.object = utils_objects.emplace_back(std::move(cycler)).get();
        return v;
      }
      case Method::fn_joiner: {
        auto b = bind("Joiner", args, kwargs, {"sep"});
        auto joiner = std::make_unique<UtilsObject>();
        joiner->items.push_back(b.at(0) ? kept(*b.at(0)) : Value::of(std::string(", ")));
        Value v;
        v.kind = Kind::joiner;
        v.object = utils_objects.emplace_back(std::move(joiner)).get();
        return v;
      }
      default:
        break;
    }
  }
  if (callee.kind == Kind::joiner) {  // Joiner.__call__: "" the first time, then the separator
    bind("Joiner.__call__", args, kwargs, {});
    auto* joiner = static_cast<UtilsObject*>(callee.object);
    if (!joiner->used) {
      joiner->used = true;
      return Value::of(std::string());
    }
    return joiner->items[0].alias();
  }
  if (callee.kind != Kind::method) {
    type_error(fmt::format("'{}' object is not callable", type_name(callee)));
  }
  if (callee.method == Method::cycler_next || callee.method == Method::cycler_reset) {
    auto* cycler = static_cast<UtilsObject*>(callee.object);
    if (callee.method == Method::cycler_reset) {
      bind("reset", args, kwargs, {});
      cycler->pos = 0;
      return Value::of(nullptr);
    }
    bind("next", args, kwargs, {});
    std::size_t at = cycler->pos;
    cycler->pos = (at + 1) % cycler->items.size();
    return cycler->items[at].alias();
  }
  const json& self = callee.get();
  auto method_name = [&]() -> std::string_view {
    switch (callee.method) {
      case Method::dict_get:
        return "get";
      case Method::str_split:
        return "split";
      case Method::str_replace:
        return "replace";
      default:
        return "method";
    }
  };
  switch (callee.method) {
    case Method::dict_get: {
      auto b = bind("get", args, kwargs, {"key", "default"});
      if (!b.at(0)) type_error("get expected at least 1 argument, got 0");
      const Value& key = *b.at(0);
      if (key.kind == Kind::value && key.get().is_string()) {
        if (const json* member = find_member(self, string_of(key.get()))) {
          return Value::borrow(*member, callee.shape.member(self, member));
        }
      } else if (key.kind == Kind::value && key.get().is_structured()) {
        type_error(fmt::format("unhashable type: '{}'", python_type_name(key.get())));
      }
      return b.at(1) ? b.at(1)->alias() : Value::of(nullptr);
    }
    case Method::dict_items:
    case Method::dict_keys:
    case Method::dict_values: {
      bind(method_name(), args, kwargs, {});
      json out = json::array();
      SeqKind view = callee.method == Method::dict_items  ? SeqKind::dict_items
                     : callee.method == Method::dict_keys ? SeqKind::dict_keys
                                                          : SeqKind::dict_values;
      ShapeBuilder shape(view, out, shapes);
      std::size_t i = 0;
      for (const auto& [k, v] : self.get_ref<const json::object_t&>()) {
        Shape value_shape = callee.shape.item(i++);
        if (callee.method == Method::dict_items) {
          out.push_back(json::array({k, v}));
          ShapeBuilder pair(SeqKind::tuple, out.back(), shapes);
          pair.add(value_shape, out.back()[1]);  // the key is a string: no say
          shape.add(pair.shape(), out.back());
        } else if (callee.method == Method::dict_keys) {
          out.push_back(k);
        } else {
          out.push_back(v);
          shape.add(value_shape, out.back());
        }
      }
      return Value::of(std::move(out), shape.shape());
    }
    case Method::dict_copy:
      bind("copy", args, kwargs, {});
      return Value::borrow(self, callee.shape);
    case Method::list_count: {
      auto b = bind("count", args, kwargs, {"value"});
      if (!b.at(0)) type_error("count() takes exactly one argument (0 given)");
      if (self.is_string()) break;
      std::int64_t n = 0;
      for (std::size_t i = 0; i < self.size(); ++i) {
        n += b.at(0)->kind == Kind::value &&
             python_equal(self[i], callee.shape.item(i), b.at(0)->get(), b.at(0)->shape);
      }
      return Value::of(n);
    }
    case Method::list_index: {
      auto b = bind("index", args, kwargs, {"value"});
      if (!b.at(0)) type_error("index expected at least 1 argument, got 0");
      for (std::size_t i = 0; i < self.size(); ++i) {
        if (b.at(0)->kind == Kind::value &&
            python_equal(self[i], callee.shape.item(i), b.at(0)->get(), b.at(0)->shape)) {
          return Value::of(static_cast<std::int64_t>(i));
        }
      }
      fail("ValueError", fmt::format("{} is not in list", repr(*b.at(0))));
    }
    case Method::loop_changed: {
      if (!kwargs.empty()) {
        type_error(fmt::format("LoopContext.changed() got an unexpected keyword argument '{}'",
                               kwargs.front().first));
      }
      auto* loop = static_cast<const LoopState*>(callee.object);
      json values = json::array();
      ShapeBuilder shape(SeqKind::tuple, values, shapes);
      for (const auto& a : args) {
        values.push_back(a.kind == Kind::undefined ? json(json::value_t::discarded) : data(a));
        shape.add(a.shape, values.back());
      }
      Shape values_shape = shape.shape();
      if (!loop->last_changed.is_discarded() &&
          python_equal(loop->last_changed, loop->last_changed_shape, values, values_shape)) {
        return Value::of(false);
      }
      loop->last_changed_shape = values_shape;
      loop->last_changed = std::move(values);
      return Value::of(true);
    }
    case Method::loop_cycle: {
      if (args.empty()) type_error("no items for cycling given");
      auto* loop = static_cast<const LoopState*>(callee.object);
      return args[loop->index0 % args.size()].alias();
    }
    default:
      break;
  }
  // String methods.
  if (!self.is_string()) type_error("method called on the wrong type");
  const std::string& s = self.get_ref<const std::string&>();
  switch (callee.method) {
    case Method::str_upper:
      bind("upper", args, kwargs, {});
      return Value::of(python_upper(s));
    case Method::str_lower:
      bind("lower", args, kwargs, {});
      return Value::of(python_lower(s));
    case Method::str_title:
      bind("title", args, kwargs, {});
      return Value::of(python_title(s));
    case Method::str_capitalize:
      bind("capitalize", args, kwargs, {});
      return Value::of(python_capitalize(s));
    case Method::str_strip:
    case Method::str_lstrip:
    case Method::str_rstrip: {
      auto b = bind("strip", args, kwargs, {"chars"});
      bool left = callee.method != Method::str_rstrip, right = callee.method != Method::str_lstrip;
      if (b.at(0) && !(b.at(0)->kind == Kind::value && b.at(0)->get().is_null())) {
        return Value::of(
            std::string(python_strip_chars(s, string_arg(*this, b.at(0), "strip"), left, right)));
      }
      return Value::of(std::string(python_strip(s, left, right)));
    }
    case Method::str_split: {
      auto b = bind("split", args, kwargs, {"sep", "maxsplit"});
      const std::string* sep = nullptr;
      if (b.at(0) && !(b.at(0)->kind == Kind::value && b.at(0)->get().is_null())) {
        sep = &string_arg(*this, b.at(0), "split");
        if (sep->empty()) fail("ValueError", "empty separator");
      }
      json out = json::array();
      for (auto& part : python_split(s, sep, int_arg(*this, b.at(1), -1)))
        out.push_back(std::move(part));
      return Value::of(std::move(out));
    }
    case Method::str_replace: {
      auto b = bind("replace", args, kwargs, {"old", "new", "count"});
      auto result =
          python_replace(s, string_arg(*this, b.at(0), "replace"),
                         string_arg(*this, b.at(1), "replace"), int_arg(*this, b.at(2), -1));
      check_size(result.size());
      return Value::of(std::move(result));
    }
    case Method::str_startswith:
    case Method::str_endswith: {
      auto b = bind("startswith", args, kwargs, {"prefix"});
      return Value::of(affix_matches(*this, s, b.at(0), callee.method == Method::str_startswith));
    }
    case Method::str_count:
    case Method::list_count:
    case Method::str_find: {
      auto b = bind("count", args, kwargs, {"sub"});
      const std::string& sub = string_arg(*this, b.at(0), "count");
      if (callee.method == Method::str_find) {
        auto hit = s.find(sub);
        if (hit == std::string::npos) return Value::of(-1);
        std::int64_t cps = 0;
        for (std::size_t i = 0; i < hit; ++i)
          cps += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
        return Value::of(cps);
      }
      if (sub.empty()) {
        std::int64_t cps = 1;
        for (unsigned char c : s)
          cps += (c & 0xC0) != 0x80;
        return Value::of(cps);
      }
      std::int64_t n = 0;
      for (std::size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size()))
        ++n;
      return Value::of(n);
    }
    case Method::str_join: {
      auto b = bind("join", args, kwargs, {"iterable"});
      if (!b.at(0)) type_error("join() takes exactly one argument (0 given)");
      std::vector<Value> items;
      iterate(*b.at(0), items);
      std::string out;
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].kind != Kind::value || !items[i].get().is_string()) {
          type_error(fmt::format("sequence item {}: expected str instance", i));
        }
        if (i) out += s;
        out += items[i].get().get_ref<const std::string&>();
        check_size(out.size());
      }
      return Value::of(std::move(out));
    }
    case Method::str_format:
      return str_format(*this, s, args, kwargs);
    case Method::str_format_map:
      if (!kwargs.empty()) type_error("format_map() takes no keyword arguments");
      if (args.size() != 1) {
        type_error(fmt::format("format_map() takes exactly one argument ({} given)", args.size()));
      }
      return str_format_map(*this, s, args[0]);
    default:
      break;
  }
  type_error("unsupported method");
}

}  // namespace eventwire::detail
