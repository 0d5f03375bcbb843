// Jinja2's parser (jinja2/parser.py), production for production, emitting the flat Program.
#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "template/lexer.hpp"
#include "template/program.hpp"

namespace eventwire::detail {
namespace {

// clang-format off
constexpr std::array<std::string_view, 52> kFilterNames = {
    "abs",       "attr",   "capitalize", "center",     "count",      "d",           "default",
    "dictsort",  "e",      "escape",     "first",      "float",      "forceescape", "indent",
    "int",       "items",  "join",       "last",       "length",     "list",        "lower",
    "map",       "max",    "min",        "reject",     "rejectattr", "replace",     "reverse",
    "round",     "safe",   "select",     "selectattr", "sort",       "string",      "sum",
    "title",     "tojson", "trim",       "truncate",   "unique",     "upper",       "urlencode",
    "wordcount", "format", "batch",      "slice",      "groupby",    "striptags",   "filesizeformat",
    "xmlattr",   "wordwrap", ""};
// clang-format on

constexpr std::array<std::string_view, 33> kTestNames = {
    "boolean", "callable", "defined",  "divisibleby", "eq",       "equalto",     "escaped",
    "even",    "false",    "filter",   "float",       "ge",       "greaterthan", "gt",
    "in",      "integer",  "iterable", "le",          "lessthan", "lower",       "lt",
    "mapping", "ne",       "none",     "number",      "odd",      "sameas",      "sequence",
    "string",  "test",     "true",     "undefined",   "upper"};

template <std::size_t N>
std::uint32_t find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty() && names[i] == name) return static_cast<std::uint32_t>(i);
  }
  return npos32;
}

class Parser {
 public:
  Parser(Program& program, const EnvironmentState& env)
      : p_(program), env_(env), tokens_(tokenize(program.source)) {}

  void run() {
    auto body = subparse({});
    p_.root = store_body(body);
    p_.nroot = static_cast<std::uint32_t>(body.size());
    if (auto it = name_ids_.find("loop"); it != name_ids_.end()) p_.loop_name = it->second;
    p_.name_traits.reserve(p_.names.size());
    for (const auto& name : p_.names) {
      p_.name_traits.push_back(
          NameTraits{.dict_attribute = is_dict_attribute(name), .loop = loop_attr_of(name)});
    }
    build_paths();
  }

 private:
  Program& p_;
  const EnvironmentState& env_;
  std::vector<Token> tokens_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  std::unordered_map<std::string, std::uint32_t> name_ids_;
  std::vector<std::string_view> open_blocks_;  // for messages
  std::vector<std::uint32_t> macro_flags_;     // MacroFlags of the macro bodies being parsed
  std::vector<std::uint32_t> loop_stores_;     // where `for`/`set` targets name `loop`

  // The constant string key of a lookup that can be part of a Path, or null.
  const std::string* path_key(const Expr& e) const {
    if (e.op == Op::getattr) {
      return p_.name_traits[e.b].dict_attribute ? nullptr : &p_.names[e.b];
    }
    if (e.op == Op::getitem && p_.exprs[e.b].op == Op::constant &&
        p_.constants[p_.exprs[e.b].a].is_string()) {
      return p_.constants[p_.exprs[e.b].a].get_ptr<const std::string*>();
    }
    return nullptr;
  }

  // Gives every chain of constant lookups from a name its Path (Expr::c).
  void build_paths() {
    std::vector<const std::string*> keys;
    for (Expr& e : p_.exprs) {
      if (e.op != Op::getattr && e.op != Op::getitem) continue;
      keys.clear();
      const Expr* at = &e;
      while (keys.size() <= max_path_keys) {
        const std::string* key = path_key(*at);
        if (!key) break;
        keys.push_back(key);
        at = &p_.exprs[at->a];
      }
      if (keys.empty() || keys.size() > max_path_keys || at->op != Op::name) continue;
      Path path{.root = at->a,
                .keys = static_cast<std::uint32_t>(p_.path_keys.size()),
                .nkeys = static_cast<std::uint32_t>(keys.size())};
      for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
        p_.path_keys.push_back({.offset = static_cast<std::uint32_t>(p_.path_text.size()),
                                .size = static_cast<std::uint32_t>((*it)->size())});
        p_.path_text += **it;
      }
      e.c = static_cast<std::uint32_t>(p_.paths.size());
      p_.paths.push_back(path);
    }
  }

  // ---- tokens -------------------------------------------------------------------------------
  const Token& cur() const { return tokens_[i_]; }
  const Token& look() const { return tokens_[std::min(i_ + 1, tokens_.size() - 1)]; }
  void next() {
    if (i_ + 1 < tokens_.size()) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().kind == Tok::op && cur().text == op; }
  bool is_name(std::string_view n) const { return cur().kind == Tok::name && cur().text == n; }
  bool skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(std::string_view n) {
    if (!is_name(n)) return false;
    next();
    return true;
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::name:
      case Tok::op:
        return std::string(t.text);
      case Tok::var_begin:
        return "begin of print statement";
      case Tok::var_end:
        return "end of print statement";
      case Tok::block_begin:
        return "begin of statement block";
      case Tok::block_end:
        return "end of statement block";
      case Tok::string:
        return "string";
      case Tok::integer:
        return "integer";
      case Tok::floating:
        return "float";
      case Tok::data:
        return "template data / text";
      case Tok::eof:
        return "end of template";
    }
    return "?";
  }

  [[noreturn]] void fail(const std::string& message) { fail_at(cur().pos, message); }
  [[noreturn]] void fail_at(std::size_t pos, const std::string& message) {
    throw_syntax_error(p_.source, pos, message);
  }
  [[noreturn]] void fail_unexpected() {
    if (cur().kind == Tok::eof) fail("unexpected end of template");
    fail(fmt::format("unexpected '{}'", describe(cur())));
  }

  void expect_op(std::string_view op) {
    if (!skip_op(op)) {
      if (cur().kind == Tok::eof) {
        fail(fmt::format("unexpected end of template, expected '{}'.", op));
      }
      fail(fmt::format("expected token '{}', got '{}'", op, describe(cur())));
    }
  }
  void expect(Tok kind, std::string_view what) {
    if (cur().kind != kind) {
      if (cur().kind == Tok::eof)
        fail(fmt::format("unexpected end of template, expected '{}'.", what));
      fail(fmt::format("expected token '{}', got '{}'", what, describe(cur())));
    }
    next();
  }
  std::string_view expect_name() {
    if (cur().kind != Tok::name) {
      fail(fmt::format("expected token 'name', got '{}'", describe(cur())));
    }
    auto n = cur().text;
    next();
    return n;
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > p.env_.limits.max_nesting_depth) {
        p.fail(fmt::format("template nesting is deeper than {} levels (max_nesting_depth)",
                           p.env_.limits.max_nesting_depth));
      }
    }
    ~DepthGuard() { --p.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  // ---- program building -----------------------------------------------------------------------
  std::uint32_t intern(std::string_view name) {
    auto [it, added] =
        name_ids_.try_emplace(std::string(name), static_cast<std::uint32_t>(p_.names.size()));
    if (added) p_.names.emplace_back(name);
    return it->second;
  }
  std::uint32_t add_expr(Expr e) {
    p_.exprs.push_back(e);
    return static_cast<std::uint32_t>(p_.exprs.size() - 1);
  }
  std::uint32_t constant(json value, std::uint32_t pos) {
    p_.constants.push_back(std::move(value));
    return add_expr(
        {.op = Op::constant, .a = static_cast<std::uint32_t>(p_.constants.size() - 1), .pos = pos});
  }
  Expr with_args(Expr e, const std::vector<Arg>& args) {
    e.args = static_cast<std::uint32_t>(p_.args.size());
    e.nargs = static_cast<std::uint32_t>(args.size());
    p_.args.insert(p_.args.end(), args.begin(), args.end());
    return e;
  }
  std::uint32_t store_body(const std::vector<std::uint32_t>& body) {
    auto at = static_cast<std::uint32_t>(p_.bodies.size());
    p_.bodies.insert(p_.bodies.end(), body.begin(), body.end());
    return at;
  }
  std::uint32_t add_stmt(Stmt s) {
    p_.stmts.push_back(s);
    return static_cast<std::uint32_t>(p_.stmts.size() - 1);
  }

  // ---- statements -----------------------------------------------------------------------------
  // Parses until a block tag named in `ends` (left current, after `{%`), or the end.
  std::vector<std::uint32_t> subparse(std::initializer_list<std::string_view> ends) {
    DepthGuard guard(*this);
    std::vector<std::uint32_t> body;
    while (cur().kind != Tok::eof) {
      const Token& t = cur();
      if (t.kind == Tok::data) {
        auto at = static_cast<std::uint32_t>(p_.text.size());
        p_.text += t.value;
        // Adjacent text (split by a comment) is merged into one statement.
        if (!body.empty() && p_.stmts[body.back()].kind == StmtKind::text &&
            p_.stmts[body.back()].a + p_.stmts[body.back()].b == at) {
          p_.stmts[body.back()].b += static_cast<std::uint32_t>(t.value.size());
        } else {
          body.push_back(add_stmt({.kind = StmtKind::text,
                                   .a = at,
                                   .b = static_cast<std::uint32_t>(t.value.size()),
                                   .pos = t.pos}));
        }
        next();
      } else if (t.kind == Tok::var_begin) {
        auto pos = t.pos;
        next();
        auto e = parse_tuple(false, true, {}, false);
        expect(Tok::var_end, "end of print statement");
        body.push_back(add_stmt({.kind = StmtKind::output, .a = e, .pos = pos}));
      } else if (t.kind == Tok::block_begin) {
        next();
        if (cur().kind == Tok::name &&
            std::find(ends.begin(), ends.end(), cur().text) != ends.end()) {
          return body;
        }
        body.push_back(parse_statement());
      } else {
        fail("internal error: unexpected token");
      }
    }
    if (ends.size() != 0) {
      std::string looking;
      for (auto e : ends) {
        if (!looking.empty()) looking += " or ";
        looking += fmt::format("'{}'", e);
      }
      fail(
          fmt::format("Unexpected end of template. Jinja was looking for the following tags: {}. "
                      "The innermost block that needs to be closed is '{}'.",
                      looking, open_blocks_.empty() ? "" : open_blocks_.back()));
    }
    return body;
  }

  std::uint32_t parse_statement() {
    if (cur().kind != Tok::name) {
      fail("tag name expected");
    }
    auto name = cur().text;
    auto pos = cur().pos;
    if (name == "if") return parse_if();
    if (name == "for") return parse_for();
    if (name == "set") return parse_set();
    if (name == "with") return parse_with();
    if (name == "filter") return parse_filter_block();
    if (name == "macro") return parse_macro();
    if (name == "call") return parse_call_block();
    if (name == "include" || name == "extends" || name == "import" || name == "from") {
      // Parsed loosely and refused at render, as Jinja with no loader does.
      while (cur().kind != Tok::block_end && cur().kind != Tok::eof)
        next();
      expect(Tok::block_end, "end of statement block");
      return add_stmt({.kind = StmtKind::no_loader, .pos = pos});
    }
    std::string message = fmt::format("Encountered unknown tag '{}'.", name);
    if (!open_blocks_.empty()) {
      message +=
          fmt::format(" The innermost block that needs to be closed is '{}'.", open_blocks_.back());
    }
    fail(message);
  }

  void end_block() { expect(Tok::block_end, "end of statement block"); }

  std::uint32_t parse_if() {
    auto pos = cur().pos;
    next();  // if / elif
    open_blocks_.emplace_back("if");
    auto cond = parse_tuple(false, false, {}, false);
    end_block();
    auto body = subparse({"elif", "else", "endif"});
    Stmt s{.kind = StmtKind::if_, .a = cond, .pos = pos};
    std::vector<std::uint32_t> else_body;
    if (is_name("elif")) {
      open_blocks_.pop_back();
      else_body.push_back(parse_if());
      s.body = store_body(body);
      s.nbody = static_cast<std::uint32_t>(body.size());
      s.else_body = store_body(else_body);
      s.nelse = 1;
      return add_stmt(s);
    }
    if (skip_name("else")) {
      end_block();
      else_body = subparse({"endif"});
    }
    next();  // endif
    end_block();
    open_blocks_.pop_back();
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    s.else_body = store_body(else_body);
    s.nelse = static_cast<std::uint32_t>(else_body.size());
    return add_stmt(s);
  }

  // A name or a tuple of names; `ns.attr` when allowed (set). `store`: a for or set target,
  // which must not be `loop` anywhere inside a for (a `with` target may).
  std::uint32_t parse_target(bool allow_namespace, std::uint32_t* ns_attr, bool store) {
    Target target;
    target.names = static_cast<std::uint32_t>(p_.target_names.size());
    bool paren = skip_op("(");
    while (true) {
      auto pos = cur().pos;
      auto n = expect_name();
      if (allow_namespace && is_op(".") && target.count == 0) {
        next();
        *ns_attr = intern(expect_name());
        p_.target_names.push_back(intern(n));
        target.count = 1;
        (void)pos;
        break;
      }
      if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" ||
          n == "None") {
        fail_at(pos, fmt::format("Can't assign to '{}'", n));
      }
      if (store && n == "loop") loop_stores_.push_back(pos);
      p_.target_names.push_back(intern(n));
      ++target.count;
      if (!skip_op(",")) break;
      target.tuple = true;
      if (cur().kind != Tok::name) break;
    }
    if (paren) {
      target.tuple = true;
      expect_op(")");
    }
    p_.targets.push_back(target);
    return static_cast<std::uint32_t>(p_.targets.size() - 1);
  }

  std::uint32_t parse_for() {
    auto pos = cur().pos;
    next();
    open_blocks_.emplace_back("for");
    ++p_.for_loops;
    auto depth =
        static_cast<std::uint32_t>(std::count(open_blocks_.begin(), open_blocks_.end(), "for"));
    p_.for_depth = std::max(p_.for_depth, depth);
    auto stores_before = loop_stores_.size();
    auto target = parse_target(false, nullptr, true);
    if (!skip_name("in")) fail(fmt::format("expected token 'in', got '{}'", describe(cur())));
    auto iter = parse_tuple(false, false, {"recursive"}, false);
    std::uint32_t filter = npos32;
    if (skip_name("if")) filter = parse_expression(true);
    bool recursive = skip_name("recursive");
    end_block();
    auto body = subparse({"endfor", "else"});
    std::vector<std::uint32_t> else_body;
    if (skip_name("else")) {
      end_block();
      else_body = subparse({"endfor"});
    }
    next();  // endfor
    end_block();
    open_blocks_.pop_back();
    // Jinja's code generator refuses any store to `loop` in a for, its body included.
    if (loop_stores_.size() > stores_before)
      fail_at(loop_stores_[stores_before],
              "Can't assign to special loop variable in for-loop target");
    Stmt s{.kind = StmtKind::for_, .a = target, .b = iter, .c = filter, .pos = pos};
    s.nargs = recursive ? 1 : 0;
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    s.else_body = store_body(else_body);
    s.nelse = static_cast<std::uint32_t>(else_body.size());
    return add_stmt(s);
  }

  std::uint32_t parse_set() {
    auto pos = cur().pos;
    next();
    std::uint32_t attr = npos32;
    auto target = parse_target(true, &attr, true);
    if (skip_op("=")) {
      auto value = parse_tuple(false, true, {}, false);
      end_block();
      if (attr != npos32) {
        return add_stmt({.kind = StmtKind::set_attr,
                         .a = p_.target_names[p_.targets[target].names],
                         .b = attr,
                         .c = value,
                         .pos = pos});
      }
      return add_stmt({.kind = StmtKind::set, .a = target, .b = value, .pos = pos});
    }
    if (attr != npos32 || p_.targets[target].tuple)
      fail(fmt::format("expected token '=', got '{}'", describe(cur())));
    if (is_op("|")) fail("filtered block assignments are not supported");
    end_block();
    open_blocks_.emplace_back("set");
    auto body = subparse({"endset"});
    next();
    end_block();
    open_blocks_.pop_back();
    Stmt s{.kind = StmtKind::set_block, .a = target, .pos = pos};
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    return add_stmt(s);
  }

  std::uint32_t parse_with() {
    auto pos = cur().pos;
    next();
    std::vector<Arg> assignments;
    while (cur().kind != Tok::block_end) {
      if (!assignments.empty()) expect_op(",");
      auto target = parse_target(false, nullptr, false);
      expect_op("=");
      assignments.push_back({.name = target, .expr = parse_expression(true)});
    }
    end_block();
    open_blocks_.emplace_back("with");
    auto body = subparse({"endwith"});
    next();
    end_block();
    open_blocks_.pop_back();
    Stmt s{.kind = StmtKind::with_, .pos = pos};
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    s.args = static_cast<std::uint32_t>(p_.args.size());
    s.nargs = static_cast<std::uint32_t>(assignments.size());
    p_.args.insert(p_.args.end(), assignments.begin(), assignments.end());
    return add_stmt(s);
  }

  // `{% filter f | g(x) %}body{% endfilter %}`: the chain reads the body's output from a
  // variable no template can name.
  std::uint32_t parse_filter_block() {
    auto pos = cur().pos;
    next();
    auto slot = intern(" filter block");
    auto input = add_expr({.op = Op::name, .a = slot, .pos = pos});
    auto name_pos = cur().pos;
    auto name = parse_dotted_name();
    std::vector<Arg> args;
    if (is_op("(")) args = parse_call_args();
    auto chain = add_expr(with_args(
        {.op = Op::filter, .a = input, .b = resolve_filter(name, name_pos), .pos = name_pos},
        args));
    chain = parse_filter_expr(chain);
    end_block();
    open_blocks_.emplace_back("filter");
    auto body = subparse({"endfilter"});
    next();
    end_block();
    open_blocks_.pop_back();
    Stmt s{.kind = StmtKind::filter_block, .a = slot, .b = chain, .pos = pos};
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    return add_stmt(s);
  }

  // A macro's or call block's `(a, b=default)`; Jinja's parse_signature.
  std::vector<Arg> parse_signature() {
    std::vector<Arg> params;
    expect_op("(");
    bool defaults = false;
    while (!is_op(")")) {
      if (!params.empty()) expect_op(",");
      auto pos = cur().pos;
      auto n = expect_name();
      if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" ||
          n == "None") {
        fail_at(pos, fmt::format("Can't assign to '{}'", n));
      }
      Arg param{.name = intern(n)};
      if (skip_op("=")) {
        param.expr = parse_expression(true);
        defaults = true;
      } else if (defaults) {
        fail_at(pos, "non-default argument follows default argument");
      }
      params.push_back(param);
    }
    expect_op(")");
    return params;
  }

  // Body of a macro or call block, with the MacroFlags of the names it uses.
  std::vector<std::uint32_t> parse_macro_body(std::string_view end, std::uint32_t& flags) {
    macro_flags_.push_back(0);
    auto body = subparse({end});
    flags = macro_flags_.back();
    macro_flags_.pop_back();
    next();
    end_block();
    open_blocks_.pop_back();
    return body;
  }

  Stmt with_params(Stmt s, const std::vector<Arg>& params, const std::vector<std::uint32_t>& body) {
    s.args = static_cast<std::uint32_t>(p_.args.size());
    s.nargs = static_cast<std::uint32_t>(params.size());
    p_.args.insert(p_.args.end(), params.begin(), params.end());
    s.body = store_body(body);
    s.nbody = static_cast<std::uint32_t>(body.size());
    return s;
  }

  std::uint32_t parse_macro() {
    auto pos = cur().pos;
    next();
    auto name_pos = cur().pos;
    auto name = expect_name();
    if (name == "true" || name == "false" || name == "none" || name == "True" || name == "False" ||
        name == "None") {
      fail_at(name_pos, fmt::format("Can't assign to '{}'", name));
    }
    auto params = parse_signature();
    end_block();
    open_blocks_.emplace_back("macro");
    std::uint32_t flags = 0;
    auto body = parse_macro_body("endmacro", flags);
    return add_stmt(with_params(
        {.kind = StmtKind::macro, .a = intern(name), .c = flags, .pos = pos}, params, body));
  }

  std::uint32_t parse_call_block() {
    auto pos = cur().pos;
    next();
    std::vector<Arg> params;
    if (is_op("(")) params = parse_signature();
    auto call = parse_expression(true);
    if (p_.exprs[call].op != Op::call) fail_at(pos, "expected call");
    end_block();
    open_blocks_.emplace_back("call");
    std::uint32_t flags = 0;
    auto body = parse_macro_body("endcall", flags);
    return add_stmt(with_params({.kind = StmtKind::call_block, .a = call, .c = flags, .pos = pos},
                                params, body));
  }

  // ---- expressions ----------------------------------------------------------------------------
  std::uint32_t parse_expression(bool with_condexpr) {
    DepthGuard guard(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  std::uint32_t parse_condexpr() {
    auto pos = cur().pos;
    auto expr1 = parse_or();
    while (skip_name("if")) {
      auto expr2 = parse_or();
      std::uint32_t expr3 = npos32;
      if (skip_name("else")) expr3 = parse_condexpr();
      expr1 = add_expr({.op = Op::cond, .a = expr1, .b = expr2, .c = expr3, .pos = pos});
    }
    return expr1;
  }

  std::uint32_t parse_or() {
    auto pos = cur().pos;
    auto left = parse_and();
    while (skip_name("or")) {
      auto right = parse_and();
      left = add_expr({.op = Op::or_, .a = left, .b = right, .pos = pos});
    }
    return left;
  }

  std::uint32_t parse_and() {
    auto pos = cur().pos;
    auto left = parse_not();
    while (skip_name("and")) {
      auto right = parse_not();
      left = add_expr({.op = Op::and_, .a = left, .b = right, .pos = pos});
    }
    return left;
  }

  std::uint32_t parse_not() {
    if (is_name("not")) {
      auto pos = cur().pos;
      next();
      DepthGuard guard(*this);
      return add_expr({.op = Op::not_, .a = parse_not(), .pos = pos});
    }
    return parse_compare();
  }

  std::uint32_t parse_compare() {
    auto pos = cur().pos;
    auto expr = parse_math1();
    std::vector<Arg> ops;
    while (true) {
      CmpOp op{};
      if (is_op("=="))
        op = CmpOp::eq;
      else if (is_op("!="))
        op = CmpOp::ne;
      else if (is_op("<"))
        op = CmpOp::lt;
      else if (is_op("<="))
        op = CmpOp::le;
      else if (is_op(">"))
        op = CmpOp::gt;
      else if (is_op(">="))
        op = CmpOp::ge;
      else if (is_name("in"))
        op = CmpOp::in;
      else if (is_name("not") && look().kind == Tok::name && look().text == "in") {
        next();
        op = CmpOp::not_in;
      } else {
        break;
      }
      next();
      ops.push_back({.name = static_cast<std::uint32_t>(op), .expr = parse_math1()});
    }
    if (ops.empty()) return expr;
    return add_expr(with_args({.op = Op::compare, .a = expr, .pos = pos}, ops));
  }

  std::uint32_t parse_math1() {
    auto pos = cur().pos;
    auto left = parse_concat();
    while (is_op("+") || is_op("-")) {
      Op op = is_op("+") ? Op::add : Op::sub;
      next();
      auto right = parse_concat();
      left = add_expr({.op = op, .a = left, .b = right, .pos = pos});
    }
    return left;
  }

  std::uint32_t parse_concat() {
    auto pos = cur().pos;
    std::vector<Arg> args{{.expr = parse_math2()}};
    while (skip_op("~"))
      args.push_back({.expr = parse_math2()});
    if (args.size() == 1) return args[0].expr;
    return add_expr(with_args({.op = Op::concat, .pos = pos}, args));
  }

  std::uint32_t parse_math2() {
    auto pos = cur().pos;
    auto left = parse_pow();
    while (true) {
      Op op{};
      if (is_op("*"))
        op = Op::mul;
      else if (is_op("/"))
        op = Op::div;
      else if (is_op("//"))
        op = Op::floordiv;
      else if (is_op("%"))
        op = Op::mod;
      else
        break;
      next();
      auto right = parse_pow();
      left = add_expr({.op = op, .a = left, .b = right, .pos = pos});
    }
    return left;
  }

  std::uint32_t parse_pow() {
    auto pos = cur().pos;
    auto left = parse_unary(true);
    while (skip_op("**")) {
      auto right = parse_unary(true);
      left = add_expr({.op = Op::pow, .a = left, .b = right, .pos = pos});
    }
    return left;
  }

  std::uint32_t parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    auto pos = cur().pos;
    std::uint32_t node;
    if (skip_op("-")) {
      node = add_expr({.op = Op::neg, .a = parse_unary(false), .pos = pos});
    } else if (skip_op("+")) {
      node = add_expr({.op = Op::pos, .a = parse_unary(false), .pos = pos});
    } else {
      node = parse_primary();
    }
    node = parse_postfix(node);
    if (with_filter) node = parse_filter_expr(node);
    return node;
  }

  std::uint32_t parse_primary() {
    const Token& t = cur();
    auto pos = t.pos;
    switch (t.kind) {
      case Tok::name: {
        auto n = t.text;
        next();
        if (n == "true" || n == "True") return constant(true, pos);
        if (n == "false" || n == "False") return constant(false, pos);
        if (n == "none" || n == "None") return constant(nullptr, pos);
        if (!macro_flags_.empty()) {
          macro_flags_.back() |= n == "caller"    ? uses_caller
                                 : n == "varargs" ? uses_varargs
                                 : n == "kwargs"  ? uses_kwargs
                                                  : 0u;
        }
        return add_expr({.op = Op::name, .a = intern(n), .pos = pos});
      }
      case Tok::string: {
        std::string value = t.value;
        next();
        while (cur().kind == Tok::string) {  // adjacent literals concatenate
          value += cur().value;
          next();
        }
        return constant(std::move(value), pos);
      }
      case Tok::integer:
      case Tok::floating: {
        json value = t.number;
        next();
        return constant(std::move(value), pos);
      }
      default:
        break;
    }
    if (skip_op("(")) {
      auto node = parse_tuple(false, true, {}, true);
      expect_op(")");
      return node;
    }
    if (is_op("[")) return parse_list();
    if (is_op("{")) return parse_dict();
    fail_unexpected();
  }

  // Jinja's parse_tuple: `a`, `a, b`, `(a,)`; a bare tuple needs a comma.
  std::uint32_t parse_tuple(bool simplified, bool with_condexpr,
                            std::initializer_list<std::string_view> extra_end,
                            bool explicit_parens) {
    auto pos = cur().pos;
    std::vector<Arg> args;
    bool is_tuple = false;
    while (true) {
      if (!args.empty()) expect_op(",");
      bool end = cur().kind == Tok::var_end || cur().kind == Tok::block_end || is_op(")");
      for (auto e : extra_end)
        end = end || is_name(e);
      if (end) break;
      std::uint32_t e = simplified ? parse_primary() : parse_expression(with_condexpr);
      args.push_back({.expr = e});
      if (is_op(",")) {
        is_tuple = true;
      } else {
        break;
      }
    }
    if (!is_tuple) {
      if (!args.empty()) return args[0].expr;
      if (!explicit_parens) {
        fail(fmt::format("Expected an expression, got '{}'", describe(cur())));
      }
    }
    return add_expr(with_args({.op = Op::tuple, .pos = pos}, args));
  }

  std::uint32_t parse_list() {
    auto pos = cur().pos;
    expect_op("[");
    std::vector<Arg> items;
    while (!is_op("]")) {
      if (!items.empty()) expect_op(",");
      if (is_op("]")) break;
      items.push_back({.expr = parse_expression(true)});
    }
    expect_op("]");
    return add_expr(with_args({.op = Op::list, .pos = pos}, items));
  }

  std::uint32_t parse_dict() {
    auto pos = cur().pos;
    expect_op("{");
    std::vector<Arg> items;
    while (!is_op("}")) {
      if (!items.empty()) expect_op(",");
      if (is_op("}")) break;
      auto key = parse_expression(true);
      expect_op(":");
      auto value = parse_expression(true);
      items.push_back({.name = key, .expr = value});
    }
    expect_op("}");
    return add_expr(with_args({.op = Op::dict, .pos = pos}, items));
  }

  std::uint32_t parse_postfix(std::uint32_t node) {
    while (true) {
      if (is_op(".") || is_op("[")) {
        node = parse_subscript(node);
      } else if (is_op("(")) {
        node = parse_call(node);
      } else {
        return node;
      }
    }
  }

  std::uint32_t parse_filter_expr(std::uint32_t node) {
    while (true) {
      if (is_op("|")) {
        node = parse_filter(node);
      } else if (is_name("is")) {
        node = parse_test(node);
      } else if (is_op("(")) {
        node = parse_call(node);
      } else {
        return node;
      }
    }
  }

  std::uint32_t parse_subscript(std::uint32_t node) {
    auto pos = cur().pos;
    if (skip_op(".")) {
      if (cur().kind == Tok::name) {
        auto n = intern(cur().text);
        next();
        return add_expr({.op = Op::getattr, .a = node, .b = n, .pos = pos});
      }
      if (cur().kind == Tok::integer) {
        auto key = constant(cur().number, cur().pos);
        next();
        return add_expr({.op = Op::getitem, .a = node, .b = key, .pos = pos});
      }
      fail("expected name or number");
    }
    expect_op("[");
    std::vector<std::uint32_t> items;
    std::vector<Arg> slice;
    bool is_slice = false;
    while (!is_op("]")) {
      if (!items.empty()) expect_op(",");
      // A subscript: an expression or a slice `a:b:c`.
      std::uint32_t start = npos32;
      if (!is_op(":")) {
        start = parse_expression(true);
        if (!is_op(":")) {
          items.push_back(start);
          continue;
        }
      }
      next();  // ':'
      is_slice = true;
      std::uint32_t stop = npos32, step = npos32;
      if (!is_op("]") && !is_op(",") && !is_op(":")) stop = parse_expression(true);
      if (skip_op(":")) {
        if (!is_op("]") && !is_op(",")) step = parse_expression(true);
      }
      slice = {{.expr = start}, {.expr = stop}, {.expr = step}};
      items.push_back(npos32);
    }
    expect_op("]");
    if (items.empty()) fail("expected subscript expression");
    if (is_slice) {
      if (items.size() != 1) fail("multi-dimensional slices are not supported");
      return add_expr(with_args({.op = Op::slice, .a = node, .pos = pos}, slice));
    }
    std::uint32_t key = items[0];
    if (items.size() > 1) {
      std::vector<Arg> tuple;
      tuple.reserve(items.size());
      for (auto e : items)
        tuple.push_back({.expr = e});
      key = add_expr(with_args({.op = Op::tuple, .pos = pos}, tuple));
    }
    return add_expr({.op = Op::getitem, .a = node, .b = key, .pos = pos});
  }

  std::vector<Arg> parse_call_args() {
    expect_op("(");
    std::vector<Arg> args;
    auto start = cur().pos;
    bool seen_keyword = false, dyn_args = false, dyn_kwargs = false;
    auto ensure = [&](bool ok) {
      if (!ok) fail_at(start, "invalid syntax for function call expression");
    };
    while (!is_op(")")) {
      if (!args.empty()) {
        expect_op(",");
        if (is_op(")")) break;
      }
      if (skip_op("*")) {
        ensure(!dyn_args && !dyn_kwargs);
        dyn_args = true;
        args.push_back({.name = star_args, .expr = parse_expression(true)});
      } else if (skip_op("**")) {
        ensure(!dyn_kwargs);
        dyn_kwargs = true;
        args.push_back({.name = star_kwargs, .expr = parse_expression(true)});
      } else if (cur().kind == Tok::name && look().kind == Tok::op && look().text == "=") {
        ensure(!dyn_kwargs);
        auto key = intern(cur().text);
        next();
        next();
        args.push_back({.name = key, .expr = parse_expression(true)});
        seen_keyword = true;
      } else {
        ensure(!seen_keyword && !dyn_args && !dyn_kwargs);
        args.push_back({.expr = parse_expression(true)});
      }
    }
    expect_op(")");
    return args;
  }

  std::uint32_t parse_call(std::uint32_t node) {
    auto pos = cur().pos;
    auto args = parse_call_args();
    return add_expr(with_args({.op = Op::call, .a = node, .pos = pos}, args));
  }

  std::string parse_dotted_name() {
    std::string name(expect_name());
    while (is_op(".")) {
      next();
      name += ".";
      name += expect_name();
    }
    return name;
  }

  std::uint32_t resolve_filter(const std::string& name, std::uint32_t pos) {
    if (auto it = env_.filters.find(name); it != env_.filters.end()) {
      p_.host_filters.push_back(&it->second);
      return static_cast<std::uint32_t>(FilterId::host) +
             static_cast<std::uint32_t>(p_.host_filters.size() - 1);
    }
    auto id = find_builtin_filter(name);
    if (id == npos32) fail_at(pos, fmt::format("No filter named '{}'.", name));
    return id;
  }

  std::uint32_t parse_filter(std::uint32_t node) {
    while (skip_op("|")) {
      auto pos = cur().pos;
      auto name = parse_dotted_name();
      auto id = resolve_filter(name, pos);
      std::vector<Arg> args;
      if (is_op("(")) args = parse_call_args();
      node = add_expr(with_args({.op = Op::filter, .a = node, .b = id, .pos = pos}, args));
    }
    return node;
  }

  std::uint32_t parse_test(std::uint32_t node) {
    auto pos = cur().pos;
    next();  // is
    bool negated = skip_name("not");
    auto name = parse_dotted_name();
    auto id = find_builtin_test(name);
    if (id == npos32) fail_at(pos, fmt::format("No test named '{}'.", name));
    std::vector<Arg> args;
    if (is_op("(")) {
      args = parse_call_args();
    } else if ((cur().kind == Tok::name || cur().kind == Tok::string ||
                cur().kind == Tok::integer || cur().kind == Tok::floating || is_op("(") ||
                is_op("[") || is_op("{")) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) fail("You cannot chain multiple tests with is");
      auto arg = parse_postfix(parse_primary());
      args.push_back({.expr = arg});
    }
    return add_expr(with_args({.op = Op::test,
                               .flag = static_cast<std::uint8_t>(negated),
                               .a = node,
                               .b = id,
                               .pos = pos},
                              args));
  }
};

}  // namespace

std::uint32_t find_builtin_filter(std::string_view name) noexcept {
  return find_name(kFilterNames, name);
}
std::uint32_t find_builtin_test(std::string_view name) noexcept {
  return find_name(kTestNames, name);
}

std::size_t Program::line_of(std::uint32_t pos) const noexcept {
  return static_cast<std::size_t>(std::count(
             source.begin(), source.begin() + std::min<std::size_t>(pos, source.size()), '\n')) +
         1;
}

void parse_program(Program& program, const EnvironmentState& env) {
  Parser(program, env).run();
}

}  // namespace eventwire::detail
