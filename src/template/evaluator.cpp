// Renders a Program: statements write to the output, expressions evaluate to Values with
// Python's operator semantics.
#include "template/evaluator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
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
    auto& items = out.get_ref<json::array_t&>();
    items.reserve(j.size());
    for (const auto& e : j)
      items.push_back(sorted_copy(e));
    return out;
  }
  if (!j.is_object()) return j;
  std::vector<const std::pair<const std::string, json>*> entries;
  entries.reserve(j.size());
  for (const auto& entry : j.get_ref<const json::object_t&>())
    entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  // The keys are unique: appended in order, without ordered_map's search for an existing one,
  // into storage reserved once (its entries are copied, not moved, when it grows).
  json out = json::object();
  auto& members = out.get_ref<json::object_t&>();
  members.reserve(entries.size());
  for (const auto* entry : entries)
    members.emplace_back(entry->first, sorted_copy(entry->second));
  return out;
}

class Renderer {
 public:
  Renderer(const Program& program, const EnvironmentState& env, const json& context,
           std::string& out)
      : p_(program), rt_(program, env, context), target_(out) {}

  void run() {
    exec_body(p_.root, p_.nroot);
    flush();
  }

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
  // The output: what write() appends collects in `pending_` first (a store or two per short
  // piece instead of a std::string append each) and reaches `target_` at flush(). Anything
  // else that writes or reads the output goes through out(), which flushes.
  std::string& target_;
  static constexpr std::size_t pending_capacity = 512;
  std::size_t pending_size_ = 0;
  char pending_[pending_capacity];

  void flush() {
    if (pending_size_ != 0) {
      target_.append(pending_, pending_size_);
      pending_size_ = 0;
    }
  }
  std::string& out() {
    flush();
    return target_;
  }
  // Copies n bytes (up to 16 without a call to memcpy).
  static void copy_bytes(char* to, const char* from, std::size_t n) noexcept {
    if (n > 16) {
      std::memcpy(to, from, n);
    } else if (n >= 8) {  // two overlapping 8-byte copies
      std::uint64_t a, b;
      std::memcpy(&a, from, 8);
      std::memcpy(&b, from + n - 8, 8);
      std::memcpy(to, &a, 8);
      std::memcpy(to + n - 8, &b, 8);
    } else if (n >= 4) {
      std::uint32_t a, b;
      std::memcpy(&a, from, 4);
      std::memcpy(&b, from + n - 4, 4);
      std::memcpy(to, &a, 4);
      std::memcpy(to + n - 4, &b, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i)
        to[i] = from[i];
    }
  }
  // The max_output_bytes check of everything written so far.
  void check_output_size() {
    const std::size_t size = target_.size() + pending_size_;
    if (size > rt_.env.limits.max_output_bytes) rt_.check_size(size);
  }
  // Variables set by the template, newest last, with the scope level they were set at.
  // clang-tidy 14 sees an exception escaping Value's implicit moves (LLVM #54956).
  struct Var {  // NOLINT(bugprone-exception-escape)
    std::uint32_t name = 0;
    std::uint32_t level = 0;
    Value value{};
  };
  // A stack whose entries never move (Values borrow from the ones below them): fixed-size
  // chunks, the first one inside the Renderer, so a render with few variables allocates nothing.
  class VarStack {
   public:
    static constexpr std::size_t chunk = 16;
    VarStack() = default;
    VarStack(const VarStack&) = delete;
    VarStack& operator=(const VarStack&) = delete;
    ~VarStack() { truncate(0); }
    std::size_t size() const noexcept { return size_; }
    /// The first `chunk` entries (those of them below size() are live).
    const Var* first_chunk() const noexcept { return first(); }
    Var& operator[](std::size_t i) noexcept {
      return i < chunk ? first()[i] : more_[i / chunk - 1][i % chunk];
    }
    const Var& operator[](std::size_t i) const noexcept {
      return i < chunk ? first()[i] : more_[i / chunk - 1][i % chunk];
    }
    void push(Var v) {
      if (size_ < chunk) {
        new (&first()[size_]) Var(std::move(v));
      } else {
        if ((size_ - chunk) / chunk == more_.size())
          more_.push_back(std::make_unique<Var[]>(chunk));
        (*this)[size_] = std::move(v);
      }
      ++size_;
    }
    // Drops the entries from `to` on (their owned JSON is released now).
    void truncate(std::size_t to) noexcept {
      if (size_ <= to) [[likely]]
        return;
      while (size_ > to) {
        --size_;
        if (size_ < chunk) {
          first()[size_].~Var();
        } else {
          (*this)[size_].value = Value();
        }
      }
    }

   private:
    // The first chunk is raw storage, its entries constructed as they are pushed (a render that
    // sets nothing constructs nothing).
    Var* first() noexcept { return std::launder(reinterpret_cast<Var*>(first_)); }
    const Var* first() const noexcept { return std::launder(reinterpret_cast<const Var*>(first_)); }
    alignas(Var) unsigned char first_[chunk * sizeof(Var)];
    std::vector<std::unique_ptr<Var[]>> more_{};
    std::size_t size_ = 0;
  };
  VarStack vars_;
  std::vector<Value> no_args_{};  // the arguments of a call without any (stay empty)
  Kwargs no_kwargs_{};
  std::uint32_t level_ = 0;  // scopes open (loop bodies, with, filter blocks, macro calls)

  // Where names resolve: the current frame's variables, then its parent frame's (up to
  // `parent_end`, and only those set at a scope level <= `limit`), and so on. The root frame is
  // the template's; a macro call's parent is the frame the macro was defined in (seeing only
  // the scopes around its definition), a caller's the frame of its call block.
  struct Frame {
    std::size_t start = 0;
    std::size_t parent = npos;
    std::size_t parent_end = 0;
    std::uint32_t limit = UINT32_MAX;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // frames_[0] is the root frame. Nothing here allocates before a macro is defined or called.
  std::vector<Frame> frames_{};
  std::size_t frame_ = 0;
  std::vector<std::unique_ptr<MacroRef>> macros_;  // macros and callers defined this render

  const Frame& frame_at(std::size_t f) const {
    static constexpr Frame root{};
    return frames_.empty() ? root : frames_[f];
  }
  MacroRef& add_macro(MacroRef m) { return *macros_.emplace_back(std::make_unique<MacroRef>(m)); }

  struct CallArgs {
    std::vector<Value> args;
    Kwargs kwargs;
    std::vector<Value> keep;  // `**d` dicts the keyword names point into
  };

  // Argument lists are reused across calls and renders (one per nesting level of calls on this
  // thread; a host filter that renders a template nests deeper), so a call allocates nothing
  // once the thread has warmed up. A lease empties its list when it ends.
  struct ArgPool {
    std::vector<std::unique_ptr<CallArgs>> lists;
    std::size_t depth = 0;
  };
  static ArgPool& arg_pool() {
    thread_local ArgPool pool;
    return pool;
  }

  class ArgsLease {
   public:
    explicit ArgsLease(Renderer&) : pool_(arg_pool()) {
      if (pool_.depth == pool_.lists.size()) pool_.lists.push_back(std::make_unique<CallArgs>());
      a_ = pool_.lists[pool_.depth++].get();
    }
    ~ArgsLease() {
      a_->args.clear();
      a_->kwargs.clear();
      a_->keep.clear();
      --pool_.depth;
    }
    ArgsLease(const ArgsLease&) = delete;
    ArgsLease& operator=(const ArgsLease&) = delete;
    std::vector<Value>& args() { return a_->args; }
    Kwargs& kwargs() { return a_->kwargs; }
    std::vector<Value>& keep() { return a_->keep; }

   private:
    ArgPool& pool_;
    CallArgs* a_ = nullptr;
  };

  // ---- statements -----------------------------------------------------------------------------
  void exec_body(std::uint32_t at, std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i)
      exec(p_.stmts[p_.bodies[at + i]]);
  }

  void write(std::string_view text) {
    const std::size_t n = text.size();
    if (n <= pending_capacity - pending_size_) [[likely]] {
      copy_bytes(pending_ + pending_size_, text.data(), n);
      pending_size_ += n;
    } else {
      out() += text;
    }
    check_output_size();
  }

  // Text, output and if, the most common statements, run here; exec_statement runs the others
  // (its larger frame is set up only for them).
  void exec(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::text:
        write(std::string_view(p_.text.data() + s.a, s.b));
        return;
      case StmtKind::output:
        exec_output(s);
        return;
      case StmtKind::if_:
        if (condition(s.a)) {
          exec_body(s.body, s.nbody);
        } else {
          exec_body(s.else_body, s.nelse);
        }
        return;
      default:
        exec_statement(s);
    }
  }

  // `{{ expr }}`. A string in place (`{{ r['label'] }}`, `{{ name }}`) is written here, in a
  // small frame; everything else in exec_output_value.
  void exec_output(const Stmt& s) {
    const Expr& e = p_.exprs[s.a];
    const json* j = nullptr;
    if (e.op == Op::getitem ||
        (e.op == Op::getattr && p_.name_traits[e.b].loop == LoopAttr::none)) {
      j = object_path(e);
    } else if (e.op == Op::name) {
      const Value* v = find_var(e.a);
      if (v && v->kind == Kind::value && v->shape.is_plain()) j = &v->get();
    } else if (e.op == Op::filter && is_default_of_constant(e)) {
      // `{{ a.b | default('-') }}` with a.b there: a.b
      j = json_in_place(e.a);
      if (j && (j->is_discarded() || p_.exprs[e.a].op == Op::constant)) j = nullptr;
    } else if (e.op == Op::filter && e.nargs == 0 &&
               (e.b == static_cast<std::uint32_t>(FilterId::upper) ||
                e.b == static_cast<std::uint32_t>(FilterId::lower))) {
      // `{{ r['id'] | upper }}` of a string in place: mapped straight into the output
      const json* input = json_in_place(e.a);
      if (input && input->is_string()) {
        const std::string& text = string_of(*input);
        const bool lower = e.b == static_cast<std::uint32_t>(FilterId::lower);
        if (text.size() <= pending_capacity - pending_size_ &&
            case_map_ascii(pending_ + pending_size_, text, lower)) {
          pending_size_ += text.size();
          rt_.pos = e.pos;
          check_output_size();
          return;
        }
        append_case_mapped(out(), text, lower);
        if (out().size() > rt_.env.limits.max_output_bytes) {
          rt_.pos = e.pos;
          rt_.check_size(out().size());
        }
        return;
      }
    }
    if (j && j->is_string()) {
      write(string_of(*j));
      return;
    }
    exec_output_value(s, j);
  }

  // `{{ loop.index }}` and the other counters of a loop variable, as digits; false for any
  // other attribute.
  bool write_loop_counter(const Expr& e) {
    LoopAttr attr = p_.name_traits[e.b].loop;
    const LoopState* loop = attr == LoopAttr::index || attr == LoopAttr::index0 ||
                                    attr == LoopAttr::revindex || attr == LoopAttr::revindex0 ||
                                    attr == LoopAttr::length
                                ? loop_of(e)
                                : nullptr;
    if (!loop) return false;
    const std::size_t i = loop->index0, n = loop->length;
    const std::size_t count = attr == LoopAttr::index       ? i + 1
                              : attr == LoopAttr::index0    ? i
                              : attr == LoopAttr::revindex  ? n - i
                              : attr == LoopAttr::revindex0 ? n - i - 1
                                                            : n;
    char digits[24];
    write(std::string_view(digits, std::to_chars(digits, digits + sizeof digits, count).ptr));
    return true;
  }

  // `{{ a.b | join }}` or `{{ a.b | join(', ') }}` of a list of strings in place: the items
  // written straight into the output (what the join filter writes, without its argument list).
  // False, and nothing written, for any other form or list.
  bool write_join_in_place(const Expr& e) {
    const json* sep = nullptr;
    if (e.nargs == 1) {
      const Arg& a = p_.args[e.args];
      if (a.name != npos32 || p_.exprs[a.expr].op != Op::constant) return false;
      sep = &p_.constants[p_.exprs[a.expr].a];
      if (!sep->is_string()) return false;
    } else if (e.nargs != 0) {
      return false;
    }
    const json* items = json_in_place(e.a);
    if (!items || !items->is_array()) return false;
    std::string& out = this->out();
    const std::size_t start = out.size();
    bool first = true;
    for (const json& item : *items) {
      if (!item.is_string()) {
        out.resize(start);
        return false;
      }
      if (!first && sep) out += string_of(*sep);
      first = false;
      out += string_of(item);
    }
    if (out.size() > rt_.env.limits.max_output_bytes) {
      rt_.pos = e.pos;
      rt_.check_size(out.size());
    }
    return true;
  }

  // `{{ expr }}` for exec_output; `in_place` is the expression's JSON in place when
  // exec_output found it (a path or a variable's JSON), else null.
  [[gnu::noinline]] void exec_output_value(const Stmt& s, const json* in_place) {
    const Expr& e = p_.exprs[s.a];
    if (e.op == Op::getattr && write_loop_counter(e)) return;
    if (e.op == Op::filter && e.b == static_cast<std::uint32_t>(FilterId::tojson) &&
        e.nargs == 0) {  // `{{ x | tojson }}` writes straight into the output
      Value input = eval(e.a);
      rt_.pos = e.pos;
      write_tojson(out(), rt_.data(input), nullptr);
      if (out().size() > rt_.env.limits.max_output_bytes) rt_.check_size(out().size());
      return;
    }
    if (e.op == Op::filter && e.b == static_cast<std::uint32_t>(FilterId::join) &&
        write_join_in_place(e))
      return;
    if (e.op == Op::filter && !is_default_of_constant(e)) {
      // `{{ x | f(...) }}`: filters that build a string write it straight into the output
      Value input = eval(e.a);
      if (e.nargs == 0) {
        rt_.pos = e.pos;
        append_filter(rt_, e.b, input, no_args_, no_kwargs_, out());
      } else {
        ArgsLease lease(*this);
        eval_args(e, lease);
        append_filter(rt_, e.b, input, lease.args(), lease.kwargs(), out());
      }
      if (out().size() > rt_.env.limits.max_output_bytes) rt_.check_size(out().size());
      return;
    }
    const json* j = in_place;
    if (!j && e.op == Op::filter && is_default_of_constant(e)) {
      // `{{ a.b | default('-') }}` with a.b there: a.b
      j = json_in_place(e.a);
      if (j && (j->is_discarded() || p_.exprs[e.a].op == Op::constant)) j = nullptr;
    }
    if (j) {  // `{{ a.b['c'] }}`: the JSON in place
      if (j->is_string()) {
        write(string_of(*j));
        return;
      }
      rt_.pos = e.pos;
      rt_.append_str(out(), Value::borrow(*j));
      if (out().size() > rt_.env.limits.max_output_bytes) rt_.check_size(out().size());
      return;
    }
    Value v = eval(s.a);
    rt_.pos = p_.exprs[s.a].pos;
    rt_.append_str(out(), v);
    if (out().size() > rt_.env.limits.max_output_bytes) rt_.check_size(out().size());
    return;
  }

  void exec_statement(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::text:
      case StmtKind::output:
      case StmtKind::if_:
        exec(s);
        return;
      case StmtKind::for_:
        exec_for(s);
        return;
      case StmtKind::set:
        assign(p_.targets[s.a], eval(s.b));
        return;
      case StmtKind::set_block: {
        std::string text;
        {
          Scope scope(*this);  // what the body sets stays in it (Jinja's inner frame)
          text = capture(s);
        }
        assign(p_.targets[s.a], Value::of(std::move(text)));
        return;
      }
      case StmtKind::set_attr: {
        rt_.pos = s.pos;
        Value ns = lookup(s.a);
        if (ns.kind != Kind::namespace_) {
          rt_.fail("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
        }
        Value v = eval(s.c);
        static_cast<NamespaceObject*>(ns.object)->set(p_.names[s.b], to_storable(v), v.shape);
        return;
      }
      case StmtKind::with_: {
        std::vector<std::pair<const Target*, Value>> values;  // evaluated in the outer scope
        for (const Arg& a : std::span<const Arg>(p_.args).subspan(s.args, s.nargs)) {
          values.emplace_back(&p_.targets[a.name], eval(a.expr));
        }
        Scope scope(*this);
        for (auto& [target, value] : values)
          assign(*target, std::move(value));
        exec_body(s.body, s.nbody);
        return;
      }
      case StmtKind::filter_block: {
        Value v;
        {
          Scope scope(*this);
          bind(s.a, Value::of(capture(s)));
          v = stabilize(eval(s.b), Value::of(nullptr));
        }
        rt_.pos = s.pos;
        rt_.append_str(out(), v);
        rt_.check_size(out().size());
        return;
      }
      case StmtKind::macro: {
        MacroRef& m =
            add_macro(MacroRef{.stmt = &s, .frame = frame_, .frame_end = 0, .level = level_});
        bind(s.a, macro_value(m));
        return;
      }
      case StmtKind::call_block: {
        rt_.pos = s.pos;
        MacroRef& caller = add_macro(MacroRef{
            .stmt = &s, .frame = frame_, .frame_end = mark(), .level = level_, .caller = true});
        const Expr& call = p_.exprs[s.a];
        Value callee = eval(call.a);
        ArgsLease lease(*this);
        eval_args(call, lease);
        lease.kwargs().emplace_back("caller", macro_value(caller));
        Value result = call_value(callee, lease);
        rt_.pos = s.pos;
        rt_.append_str(out(), result);
        rt_.check_size(out().size());
        return;
      }
      case StmtKind::no_loader:
        rt_.pos = s.pos;
        rt_.type_error("no loader for this environment specified");
    }
  }

  // Sends the output to a string of its own while it lives (restored on errors too, what the
  // capture wrote then dropped with it).
  class Capture {
   public:
    explicit Capture(Renderer& r) : r_(r) {
      r_.flush();
      saved_.swap(r_.target_);
    }
    ~Capture() {
      r_.pending_size_ = 0;  // empty unless an error interrupted the capture
      r_.target_.swap(saved_);
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    /// What was written since the capture began.
    std::string take() {
      r_.flush();
      std::string captured;
      captured.swap(r_.target_);
      return captured;
    }

   private:
    Renderer& r_;
    std::string saved_{};
  };

  // Renders a block's body into a string of its own.
  std::string capture(const Stmt& s) {
    Capture capture(*this);
    exec_body(s.body, s.nbody);
    return capture.take();
  }

  // A scope: variables bound inside it are dropped at its end, and are at a deeper level.
  class Scope {
   public:
    explicit Scope(Renderer& r) : r_(r), saved_(r.mark()) { ++r_.level_; }
    ~Scope() {
      r_.release(saved_);
      --r_.level_;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Renderer& r_;
    std::size_t saved_;
  };

  // ---- macros and calls -----------------------------------------------------------------------
  static Value macro_value(MacroRef& m) {
    Value v;
    v.kind = Kind::macro;
    v.object = &m;
    return v;
  }

  Value call_value(const Value& callee, ArgsLease& lease) {
    if (callee.kind == Kind::macro) {
      return call_macro(*static_cast<const MacroRef*>(callee.object), lease.args(), lease.kwargs());
    }
    if (callee.kind == Kind::loop) {
      return call_loop(*static_cast<const LoopState*>(callee.object), lease.args(), lease.kwargs());
    }
    return stabilize(stabilize(rt_.call(callee, lease.args(), lease.kwargs()), callee),
                     lease.args(), lease.kwargs());
  }

  void enter_call() {
    if (frames_.size() + loop_depth_ >= rt_.env.limits.max_nesting_depth) {
      rt_.fail("RecursionError",
               fmt::format("maximum recursion depth exceeded: more than {} nested macro calls and "
                           "recursive loops (max_nesting_depth)",
                           rt_.env.limits.max_nesting_depth));
    }
  }

  // Jinja's Macro.__call__: positional arguments, then keywords for the remaining parameters,
  // `caller`, `kwargs` and `varargs` when the body uses them, defaults evaluated in the call.
  Value call_macro(const MacroRef& m, std::vector<Value>& args, Kwargs& kwargs) {
    enter_call();
    const Stmt& s = *m.stmt;
    auto params = std::span<const Arg>(p_.args).subspan(s.args, s.nargs);
    const std::string name(m.name(p_));
    std::vector<const Value*> slots(params.size(), nullptr);
    std::vector<bool> used(kwargs.size(), false);
    auto take = [&](std::string_view key) -> const Value* {
      for (std::size_t k = 0; k < kwargs.size(); ++k) {
        if (!used[k] && kwargs[k].first == key) {
          used[k] = true;
          return &kwargs[k].second;
        }
      }
      return nullptr;
    };
    std::size_t positional = std::min(args.size(), params.size());
    for (std::size_t i = 0; i < positional; ++i)
      slots[i] = &args[i];
    bool found_caller = false;
    for (std::size_t i = 0; i < params.size(); ++i) {
      bool named_caller = p_.names[params[i].name] == "caller";
      if (i >= positional) slots[i] = take(p_.names[params[i].name]);
      if (named_caller && (i >= positional || positional == params.size())) found_caller = true;
    }
    const Value* caller = nullptr;
    if ((s.c & uses_caller) && !found_caller) caller = take("caller");
    json extra_kwargs = json::object();
    ShapeBuilder kwargs_shape(SeqKind::list, extra_kwargs, rt_.shapes);
    for (std::size_t k = 0; k < kwargs.size(); ++k) {
      if (used[k]) continue;
      if (!(s.c & uses_kwargs)) {
        for (std::size_t j = k; j < kwargs.size(); ++j) {
          if (!used[j] && kwargs[j].first == "caller") {
            rt_.type_error(
                fmt::format("macro '{}' was invoked with two values for the special "
                            "caller argument. This is most likely a bug.",
                            name));
          }
        }
        rt_.type_error(
            fmt::format("macro '{}' takes no keyword argument '{}'", name, kwargs[k].first));
      }
      json& slot = extra_kwargs[std::string(kwargs[k].first)];
      slot = to_storable(kwargs[k].second);
      kwargs_shape.set(extra_kwargs.size() - 1, kwargs[k].second.shape, slot);
    }
    json extra_args = json::array();
    ShapeBuilder args_shape(SeqKind::tuple, extra_args, rt_.shapes);
    if (args.size() > params.size()) {
      if (!(s.c & uses_varargs)) {
        rt_.type_error(
            fmt::format("macro '{}' takes not more than {} argument(s)", name, params.size()));
      }
      for (std::size_t i = params.size(); i < args.size(); ++i) {
        extra_args.push_back(to_storable(args[i]));
        args_shape.add(args[i].shape, extra_args.back());
      }
    }
    std::string output;
    {
      if (frames_.empty()) frames_.push_back(Frame{});  // the root frame
      frames_.push_back(Frame{.start = mark(),
                              .parent = m.frame,
                              .parent_end = m.caller ? m.frame_end : mark(),
                              .limit = m.caller ? UINT32_MAX : m.level});
      std::size_t outer = frame_;
      frame_ = frames_.size() - 1;
      Scope scope(*this);
      for (std::size_t i = 0; i < params.size(); ++i) {
        const std::uint32_t param = params[i].name;
        if (slots[i]) {
          bind(param, slots[i]->alias());
        } else if (params[i].expr != npos32) {
          bind(param, eval(params[i].expr));
        } else {
          bind(param,
               Value::undefined(fmt::format("parameter '{}' was not provided", p_.names[param])));
        }
      }
      if (s.c & uses_caller) {
        bind(name_id("caller"), caller ? caller->alias() : Value::undefined("No caller defined"));
      }
      if (s.c & uses_kwargs) {
        Shape shape = kwargs_shape.shape();
        bind(name_id("kwargs"), Value::of(std::move(extra_kwargs), shape));
      }
      if (s.c & uses_varargs) {
        Shape shape = args_shape.shape();
        bind(name_id("varargs"), Value::of(std::move(extra_args), shape));
      }
      output = capture(s);
      frame_ = outer;
      frames_.pop_back();
    }
    return Value::of(std::move(output));
  }

  // The id of a name the parser interned (the flags guarantee it was).
  std::uint32_t name_id(std::string_view n) const {
    for (std::uint32_t i = 0; i < p_.names.size(); ++i) {
      if (p_.names[i] == n) return i;
    }
    return npos32;
  }

  // `loop(items)` in a `{% for ... recursive %}`: the loop again, one level deeper.
  Value call_loop(const LoopState& loop, std::vector<Value>& args, Kwargs& kwargs) {
    if (!loop.recursive) {
      rt_.type_error("The loop must have the 'recursive' marker to be called recursively.");
    }
    if (!kwargs.empty()) {
      rt_.type_error(fmt::format("LoopContext.__call__() got an unexpected keyword argument '{}'",
                                 kwargs.front().first));
    }
    if (args.empty()) {
      rt_.type_error("LoopContext.__call__() missing 1 required positional argument: 'iterable'");
    }
    if (args.size() > 1) {
      rt_.type_error(
          fmt::format("LoopContext.__call__() takes 2 positional arguments but {} were given",
                      args.size() + 1));
    }
    enter_call();
    ++loop_depth_;
    std::string output;
    {
      Capture capture(*this);
      exec_for(*loop.recursive, &args[0], loop.depth + 1);
      output = capture.take();
    }
    --loop_depth_;
    return Value::of(std::move(output));
  }
  std::size_t loop_depth_ = 0;  // recursive loop calls in progress

  json to_storable(const Value& v) {
    if (v.kind == Kind::undefined) return json(json::value_t::discarded);
    return rt_.data(v);
  }

  void bind(std::uint32_t name, Value v) {
    vars_.push(Var{.name = name, .level = level_, .value = std::move(v)});
  }
  std::size_t mark() const { return vars_.size(); }
  void release(std::size_t to) { vars_.truncate(to); }

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

  // A for loop over `s`'s iterable, or over `given` (a recursive loop's `loop(items)`).
  void exec_for(const Stmt& s, const Value* given = nullptr, std::size_t depth = 1) {
    if (!given && exec_for_entries(s)) return;
    Value evaluated;
    if (!given) evaluated = eval(s.b);
    const Value& iterable = given ? *given : evaluated;
    rt_.pos = s.pos;
    const Target& target = p_.targets[s.a];
    if (s.c == npos32 && iterable.kind == Kind::value && iterable.get().is_array()) {
      // A JSON array is walked in place: its items are borrowed (from the context, or from
      // `evaluated`/`given`, which outlive the loop), nothing is copied per item.
      const json& array = iterable.get();
      LoopState loop{.array = &array,
                     .array_shape = iterable.shape,
                     .length = array.size(),
                     .depth = depth,
                     .recursive = s.nargs == 1 ? &s : nullptr};
      run_loop(s, loop, target);
      return;
    }
    std::vector<Value> items;
    rt_.iterate(iterable, items);  // `given` lives in its caller's arguments, as long as this
    if (s.c != npos32) {           // `for x in xs if cond`: filtered before loop.* counts
      std::vector<Value> kept;
      for (auto& item : items) {
        Scope scope(*this);
        assign(target, item.alias());
        if (condition(s.c)) kept.push_back(std::move(item));
      }
      items.swap(kept);
    }
    LoopState loop{.items = &items,
                   .length = items.size(),
                   .depth = depth,
                   .recursive = s.nargs == 1 ? &s : nullptr};
    run_loop(s, loop, target);
  }

  // `for k, v in d | dictsort` and `for k, v in d.items()` over a dict: the loop walks the dict's
  // entries in place (keys and values borrowed, nothing copied). False when the statement has
  // another shape, or the dict is not a plain JSON object (the general path then evaluates it
  // again, which has no side effects, and raises whatever Jinja raises).
  bool exec_for_entries(const Stmt& s) {
    const Target& target = p_.targets[s.a];
    if (!target.tuple || target.count != 2) return false;
    const Expr& e = p_.exprs[s.b];
    std::uint32_t dict_expr;
    bool sorted;
    if (e.op == Op::filter && e.b == static_cast<std::uint32_t>(FilterId::dictsort) &&
        e.nargs == 0) {
      dict_expr = e.a;
      sorted = true;
    } else if (e.op == Op::call && e.nargs == 0 && p_.exprs[e.a].op == Op::getattr &&
               p_.names[p_.exprs[e.a].b] == "items") {
      dict_expr = p_.exprs[e.a].a;
      sorted = false;
    } else {
      return false;
    }
    Value dict = eval(dict_expr);
    if (dict.kind != Kind::value || dict.shape != Shape::plain || !dict.get().is_object())
      return false;
    rt_.pos = s.pos;
    const auto& object = dict.get().get_ref<const json::object_t&>();
    std::vector<const Entry*> entries;
    entries.reserve(object.size());
    for (const auto& entry : object)
      entries.push_back(&entry);
    if (sorted) sort_entries_by_key(entries);
    const std::uint32_t key_name = p_.target_names[target.names];
    const std::uint32_t value_name = p_.target_names[target.names + 1];
    auto bind_entry = [&](const Entry& entry) {
      bind(key_name, Value::of(entry.first));
      bind(value_name, Value::borrow(entry.second));  // `dict` outlives the loop
    };
    if (s.c != npos32) {
      std::vector<const Entry*> kept;
      for (const Entry* entry : entries) {
        Scope scope(*this);
        bind_entry(*entry);
        if (condition(s.c)) kept.push_back(entry);
      }
      entries.swap(kept);
    }
    LoopState loop{
        .entries = &entries, .length = entries.size(), .recursive = s.nargs == 1 ? &s : nullptr};
    run_loop(s, loop, target);
    return true;
  }

  // dictsort's default order: keys compared case-insensitively (Python's str.lower()), ties
  // kept in insertion order.
  static void sort_entries_by_key(std::vector<const Entry*>& entries) {
    auto needs_fold = [](const std::string& k) {
      return std::any_of(k.begin(), k.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
      });
    };
    if (std::none_of(entries.begin(), entries.end(),
                     [&](const Entry* e) { return needs_fold(e->first); })) {
      auto less = [](const Entry* a, const Entry* b) { return a->first < b->first; };
      if (entries.size() > 16) {
        std::stable_sort(entries.begin(), entries.end(), less);
        return;
      }
      // Insertion sort: stable, and no buffer to allocate for the few keys of most dicts.
      for (std::size_t i = 1; i < entries.size(); ++i) {
        const Entry* e = entries[i];
        std::size_t j = i;
        for (; j > 0 && less(e, entries[j - 1]); --j)
          entries[j] = entries[j - 1];
        entries[j] = e;
      }
      return;
    }
    std::vector<std::pair<std::string, const Entry*>> folded;
    folded.reserve(entries.size());
    for (const Entry* e : entries)
      folded.emplace_back(python_lower(e->first), e);
    std::stable_sort(folded.begin(), folded.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < entries.size(); ++i)
      entries[i] = folded[i].second;
  }

  // Runs a loop's body once per item, with `target` bound to the item, or its else body.
  // `loop` and the targets live in a scope of their own, bound once and updated in place for
  // each item; the body's own variables live in a scope per iteration.
  void run_loop(const Stmt& s, LoopState& loop, const Target& target) {
    if (loop.length == 0) {
      exec_body(s.else_body, s.nelse);
      return;
    }
    Value loop_value;
    loop_value.kind = Kind::loop;
    loop_value.object = &loop;
    Scope loop_scope(*this);
    if (p_.loop_name != npos32) bind(p_.loop_name, loop_value.alias());
    const std::size_t first_target = mark();
    for (std::size_t i = 0; i < loop.length; ++i) {
      if (++rt_.iterations > rt_.env.limits.max_loop_iterations) {
        rt_.fail("OverflowError", fmt::format("more than {} loop iterations (max_loop_iterations)",
                                              rt_.env.limits.max_loop_iterations));
      }
      loop.index0 = i;
      bind_item(loop, i, target, first_target);
      Scope scope(*this);
      exec_body(s.body, s.nbody);
    }
  }

  // Binds a loop's i-th item to its target: in place when the target's variables are already
  // bound (from `at` on), else pushed there.
  void bind_item(const LoopState& loop, std::size_t i, const Target& target, std::size_t at) {
    const bool bound = mark() > at;
    if (loop.entries) {  // a dict's entry: (key, value), the value borrowed from the dict
      const Entry& entry = *(*loop.entries)[i];
      if (bound) {
        // The previous key's string is reused (no allocation per item): what borrowed from it
        // was bound in the previous iteration's scope, which is gone.
        Value& key = vars_[at].value;
        if (key.kind == Kind::value && owns_json(key) && key.get().is_string() &&
            key.shape == Shape::plain) {
          *key.own.get_mutable().get_ptr<std::string*>() = entry.first;
        } else {
          key = Value::of(entry.first);
        }
        vars_[at + 1].value = Value::borrow(entry.second);
      } else {
        bind(p_.target_names[target.names], Value::of(entry.first));
        bind(p_.target_names[target.names + 1], Value::borrow(entry.second));
      }
      return;
    }
    if (!target.tuple && bound) {
      Value& var = vars_[at].value;
      if (loop.array && var.kind == Kind::value && var.ref && var.method == Method::none) {
        // the previous item was borrowed from the same array: point at this one
        var.ref = &(*loop.array)[i];
        var.shape = loop.array_shape.item(i);
        return;
      }
      var = loop.item(i);
      return;
    }
    release(at);
    assign(target, loop.item(i));
  }

  // ---- names ------------------------------------------------------------------------------------
  // The variable `id` names in the current scope chain, or null (the context's or a global).
  const Value* find_var(std::uint32_t id) const {
    std::size_t k = vars_.size();
    if (k <= VarStack::chunk && frames_.size() <= 1) [[likely]] {
      // No macro call in progress (one scope chain), and the usual few variables (one array).
      const Var* v = vars_.first_chunk();
      for (; k > 0; --k) {
        if (v[k - 1].name == id) return &v[k - 1].value;
      }
      return nullptr;
    }
    return find_var_in_frames(id);
  }

  [[gnu::noinline]] const Value* find_var_in_frames(std::uint32_t id) const {
    if (frames_.size() <= 1) {  // no macro call in progress: one scope chain
      std::size_t k = vars_.size();
      for (; k > 0; --k) {
        if (vars_[k - 1].name == id) return &vars_[k - 1].value;
      }
      return nullptr;
    }
    std::size_t end = vars_.size(), f = frame_;
    std::uint32_t limit = UINT32_MAX;
    while (true) {
      const Frame& frame = frame_at(f);
      for (std::size_t k = end; k > frame.start; --k) {
        const Var& v = vars_[k - 1];
        if (v.name == id && v.level <= limit) return &v.value;
      }
      if (frame.parent == npos) return nullptr;
      limit = frame.limit;
      end = frame.parent_end;
      f = frame.parent;
    }
  }

  Value lookup(std::uint32_t id) {
    if (const Value* v = find_var(id)) return v->alias();
    const std::string& name = p_.names[id];
    if (rt_.context.is_object()) {
      if (auto it = rt_.context.find(name); it != rt_.context.end()) return Value::borrow(*it);
    }
    if (auto it = rt_.env.globals.find(name); it != rt_.env.globals.end())
      return Value::borrow(it->second);
    Method fn = name == "range"       ? Method::fn_range
                : name == "namespace" ? Method::fn_namespace
                : name == "dict"      ? Method::fn_dict
                : name == "cycler"    ? Method::fn_cycler
                : name == "joiner"    ? Method::fn_joiner
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

  // The arguments of a call, filter or test into `lease`; leaves rt_.pos at the expression.
  void eval_args(const Expr& e, ArgsLease& lease) {
    for (const Arg& a : args_of(e)) {
      if (a.name == npos32) {
        lease.args().push_back(eval(a.expr));
      } else if (a.name == star_args) {
        Value v = eval(a.expr);
        rt_.pos = e.pos;
        std::vector<Value> items;
        rt_.iterate(v, items);
        for (auto& item : items)
          lease.args().push_back(stabilize(std::move(item), v));
      } else if (a.name == star_kwargs) {
        Value v = eval(a.expr);
        rt_.pos = e.pos;
        if (v.kind != Kind::value || !v.get().is_object()) {
          rt_.type_error(fmt::format(
              "argument after ** must be a mapping, not {}",
              v.kind == Kind::value ? python_type_name(v.get()) : std::string_view("Undefined")));
        }
        bool owned = owns_json(v);
        lease.keep().push_back(std::move(v));  // keeps the keys the names point to
        for (const auto& [key, value] :
             lease.keep().back().get().get_ref<const json::object_t&>()) {
          for (const auto& [name, _] : lease.kwargs()) {
            if (name == key) {
              rt_.type_error(fmt::format("got multiple values for keyword argument '{}'", key));
            }
          }
          lease.kwargs().emplace_back(key, owned ? Value::of(value) : Value::borrow(value));
        }
      } else {
        lease.kwargs().emplace_back(p_.names[a.name], eval(a.expr));
      }
    }
    rt_.pos = e.pos;
  }

  // `name.a['b'].c` (a getattr or getitem with a Path): attribute and constant string key
  // lookups, from a variable, through JSON objects whose members all exist, resolved on the JSON
  // itself (what the general path would return, without its intermediate values). Null when a
  // step needs the general path: a missing member, a value that is not a plain object, a chain
  // that is not a Path (a dict method, a computed key).
  const json* object_path(const Expr& e) {
    if (e.c == npos32) return nullptr;
    const Path& path = p_.paths[e.c];
    const json* j;
    if (const Value* v = find_var(path.root)) {  // a variable's JSON, or the context's
      if (v->kind != Kind::value || v->shape != Shape::plain) return nullptr;
      j = &v->get();
    } else if (rt_.context.is_object()) {
      j = find_member(rt_.context, p_.names[path.root]);
    } else {
      return nullptr;
    }
    const char* text = p_.path_text.data();
    for (const PathKey& key :
         std::span<const PathKey>(p_.path_keys).subspan(path.keys, path.nkeys)) {
      if (!j || !j->is_object()) return nullptr;
      j = find_member(*j, std::string_view(text + key.offset, key.size));
    }
    return j;
  }

  // `x | default(constant)` (or `d`), which eval computes without an argument list.
  bool is_default_of_constant(const Expr& e) const {
    return (e.b == static_cast<std::uint32_t>(FilterId::default_) ||
            e.b == static_cast<std::uint32_t>(FilterId::d)) &&
           e.nargs == 1 && p_.args[e.args].name == npos32 &&
           p_.exprs[p_.args[e.args].expr].op == Op::constant;
  }

  Value eval(std::uint32_t index) {
    const Expr& e = p_.exprs[index];
    switch (e.op) {
      case Op::constant:
        return Value::borrow(p_.constants[e.a]);
      case Op::name:
        return lookup(e.a);
      case Op::getattr: {
        if (p_.name_traits[e.b].loop != LoopAttr::none && p_.exprs[e.a].op == Op::name) {
          // `loop.index` and friends, read off the loop variable in place
          const Value* v = find_var(p_.exprs[e.a].a);
          if (v && v->kind == Kind::loop) {
            rt_.pos = e.pos;
            return rt_.loop_attribute(*v, p_.name_traits[e.b].loop, p_.names[e.b]);
          }
        }
        if (const json* j = object_path(e)) return Value::borrow(*j);
        Value obj = eval(e.a);
        rt_.pos = e.pos;
        if (obj.kind == Kind::loop)
          return rt_.loop_attribute(obj, p_.name_traits[e.b].loop, p_.names[e.b]);
        return stabilize(rt_.getattr(obj, p_.names[e.b]), obj);
      }
      case Op::getitem: {
        if (const json* j = object_path(e)) return Value::borrow(*j);
        Value obj = eval(e.a);
        Value key = eval(e.b);
        rt_.pos = e.pos;
        return stabilize(rt_.getitem(obj, key), obj);
      }
      case Op::slice:
        return eval_slice(e);
      case Op::call: {
        Value callee = eval(e.a);
        ArgsLease lease(*this);
        eval_args(e, lease);
        return call_value(callee, lease);
      }
      case Op::filter: {
        if (is_default_of_constant(e)) {
          // `x | default('-')`: x unless undefined (the filter without its argument list)
          Value input = eval(e.a);
          if (input.kind != Kind::undefined &&
              !(input.kind == Kind::value && input.get().is_discarded()))
            return input;
          return Value::borrow(p_.constants[p_.exprs[p_.args[e.args].expr].a]);
        }
        Value input = eval(e.a);
        ArgsLease lease(*this);
        eval_args(e, lease);
        return apply_filter(rt_, e.b, input, lease.args(), lease.kwargs());
      }
      case Op::test: {
        Value input = eval(e.a);
        ArgsLease lease(*this);
        eval_args(e, lease);
        if (!lease.kwargs().empty()) rt_.type_error("tests take no keyword arguments");
        bool r = apply_test(rt_, e.b, input, lease.args());
        return Value::of(e.flag ? !r : r);
      }
      case Op::neg:
      case Op::pos: {
        Value v = eval(e.a);
        rt_.pos = e.pos;
        return unary(e.op, v);
      }
      case Op::not_:
        return Value::of(!condition(e.a));
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
        if (const json* a = json_in_place(e.a); a && is_num(*a)) {
          if (const json* b = json_in_place(e.b); b && is_num(*b)) {
            // `a.count * 2`: numbers in place, no operand Values (binary's numeric case)
            rt_.pos = e.pos;
            return arithmetic(e.op, *a, *b);
          }
        }
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
        if (condition(e.b)) return eval(e.a);
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
        // Tuples inside keep printing as tuples: `[(1, 2)]`.
        ShapeBuilder shape(e.op == Op::tuple ? SeqKind::tuple : SeqKind::list, items, rt_.shapes);
        for (const Arg& a : args_of(e)) {
          Value v = eval(a.expr);
          rt_.pos = e.pos;
          items.push_back(to_storable(v));
          shape.add(v.shape, items.back());
        }
        return Value::of(std::move(items), shape.shape());
      }
      case Op::dict: {
        json object = json::object();
        auto& entries = *object.get_ptr<json::object_t*>();
        // A dict's items are its values: `{'a': (1, 2)}`.
        ShapeBuilder values(SeqKind::list, object, rt_.shapes);
        for (const Arg& a : args_of(e)) {
          Value key = eval(a.name);
          Value value = eval(a.expr);
          rt_.pos = e.pos;
          if (key.kind != Kind::value || !key.get().is_string()) {
            rt_.type_error("dict keys must be strings in eventwire (JSON objects)");
          }
          const std::string& name = string_of(key.get());
          auto it = entries.find(name);
          if (it == entries.end()) it = entries.emplace(name, nullptr).first;
          it->second = to_storable(value);
          values.set(static_cast<std::size_t>(it - entries.begin()), value.shape, it->second);
        }
        return Value::of(std::move(object), values.shape());
      }
    }
    return {};
  }

  // The JSON a constant or an attribute path denotes, in place; null for any other expression
  // (or a path the general evaluation must resolve). No side effects.
  const json* json_in_place(std::uint32_t index) {
    const Expr& e = p_.exprs[index];
    if (e.op == Op::constant) return &p_.constants[e.a];
    if (e.op == Op::getitem || (e.op == Op::getattr && p_.name_traits[e.b].loop == LoopAttr::none))
      return object_path(e);
    return nullptr;
  }

  // The loop `e` (`loop.attr`) reads an attribute of, when `loop` is a loop variable.
  const LoopState* loop_of(const Expr& e) const {
    if (p_.exprs[e.a].op != Op::name) return nullptr;
    const Value* v = find_var(p_.exprs[e.a].a);
    return v && v->kind == Kind::loop ? static_cast<const LoopState*>(v->object) : nullptr;
  }

  // `a.b == 'x'` (or `!=`) with both sides' JSON compared in place: 1 or 0, or -1 when the
  // comparison has another form or a side is not JSON in place.
  int compare_in_place(const Expr& e) {
    if (e.nargs != 1) return -1;
    const Arg& a = p_.args[e.args];
    auto op = static_cast<CmpOp>(a.name);
    if (op != CmpOp::eq && op != CmpOp::ne) return -1;
    const json* l = json_in_place(e.a);
    const json* r = l ? json_in_place(a.expr) : nullptr;
    if (!r) return -1;
    bool equal;
    if (l->is_string() && r->is_string()) {
      const std::string &ls = string_of(*l), &rs = string_of(*r);
      equal = ls.size() == rs.size() && same_bytes(ls.data(), rs.data(), ls.size());
    } else {
      equal = python_equal(*l, *r);
    }
    return equal == (op == CmpOp::eq) ? 1 : 0;
  }

  // Python's truth of an expression (rt_.truthy(eval(index))), without the Values of the usual
  // conditions: `not x`, `loop.first`, `loop.last`, `a.b == 'x'`.
  bool condition(std::uint32_t index) {
    bool negated = false;  // `not` taken off here, not by a call per `not`
    while (p_.exprs[index].op == Op::not_) {
      negated = !negated;
      index = p_.exprs[index].a;
    }
    const Expr& e = p_.exprs[index];
    switch (e.op) {
      case Op::compare:
        if (int r = compare_in_place(e); r >= 0) return (r == 1) != negated;
        break;
      case Op::getattr: {
        LoopAttr attr = p_.name_traits[e.b].loop;
        if (attr == LoopAttr::first || attr == LoopAttr::last) {
          if (const LoopState* loop = loop_of(e)) {
            bool r = attr == LoopAttr::first ? loop->index0 == 0 : loop->index0 + 1 == loop->length;
            return r != negated;
          }
        }
        break;
      }
      default:
        break;
    }
    return truth_of(index) != negated;
  }

  // rt_.truthy(eval(index)), apart from condition's frame (which then needs no Value).
  [[gnu::noinline]] bool truth_of(std::uint32_t index) { return rt_.truthy(eval(index)); }

  Value eval_compare(const Expr& e) {
    if (int r = compare_in_place(e); r >= 0) return Value::of(r == 1);
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
          // A tuple never equals a list, at any depth: `[(1,)] == [[1]]` is False.
          eq = python_equal(l.get(), l.shape, r.get(), r.shape);
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
    bool result = python_order(a, l.shape, b, r.shape, op, &error);
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
    ShapeBuilder items(shape.is_tuple() ? SeqKind::tuple : SeqKind::list, out, rt_.shapes);
    if (n > 0 && !seq.empty()) {
      rt_.check_size(static_cast<std::size_t>(std::min<Int128>(n * static_cast<Int128>(seq.size()),
                                                               static_cast<Int128>(SIZE_MAX / 2))));
      for (Int128 i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < seq.size(); ++k) {
          out.push_back(seq[k]);
          items.add(shape.item(k), out.back());
        }
      }
    }
    return Value::of(std::move(out), items.shape());
  }

  Value binary(Op op, const Value& l, const Value& r) {
    if (op == Op::mod && l.kind == Kind::value && l.get().is_string()) {
      return percent_format(rt_, l.get().get_ref<const std::string&>(), r);
    }
    const json& a = operand(l);
    const json& b = operand(r);
    if (is_num(a) && is_num(b)) return arithmetic(op, a, b);
    if (op == Op::add && a.is_string() && b.is_string()) {
      rt_.check_size(a.get_ref<const std::string&>().size() +
                     b.get_ref<const std::string&>().size());
      return Value::of(a.get_ref<const std::string&>() + b.get_ref<const std::string&>());
    }
    if (op == Op::add && a.is_array() && b.is_array() && l.shape.is_tuple() == r.shape.is_tuple()) {
      json out = json::array();
      ShapeBuilder shape(l.shape.is_tuple() ? SeqKind::tuple : SeqKind::list, out, rt_.shapes);
      for (std::size_t i = 0; i < a.size(); ++i) {
        out.push_back(a[i]);
        shape.add(l.shape.item(i), out.back());
      }
      for (std::size_t i = 0; i < b.size(); ++i) {
        out.push_back(b[i]);
        shape.add(r.shape.item(i), out.back());
      }
      return Value::of(std::move(out), shape.shape());
    }
    if (op == Op::mul && (a.is_string() || a.is_array()) && is_int(b)) return repeat(a, b, l.shape);
    if (op == Op::mul && (b.is_string() || b.is_array()) && is_int(a)) return repeat(b, a, r.shape);
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
    ShapeBuilder items(obj.shape.is_tuple() ? SeqKind::tuple : SeqKind::list, out, rt_.shapes);
    for (auto i : indices) {
      out.push_back(j[static_cast<std::size_t>(i)]);
      items.add(obj.shape.item(static_cast<std::size_t>(i)), out.back());
    }
    return Value::of(std::move(out), items.shape());
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
