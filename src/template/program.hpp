// Internal: the compiled form of a template. Flat arrays indexed by 32-bit ids, so a compiled
// template is a handful of allocations and rendering walks contiguous memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/template.hpp"

namespace eventwire::detail {

/// What an Environment holds; shared, immutable once shared (Environment copies on write).
struct EnvironmentState {
  UndefinedPolicy undefined = UndefinedPolicy::chainable;
  TemplateLimits limits{};
  bool verbatim_without_markers = true;
  std::map<std::string, TemplateFilter, std::less<>> filters{};
  std::map<std::string, json, std::less<>> globals{};
};

inline constexpr std::uint32_t npos32 = 0xFFFFFFFFu;

enum class Op : std::uint8_t {
  constant,  // a = constant index
  name,      // a = name id
  getattr,   // a = object, b = name id, c = Path id or npos32            (a.b)
  getitem,   // a = object, b = key expr, c = Path id or npos32           (a[b])
  slice,     // a = object, args = start/stop/step (expr or npos)
  call,      // a = callee, args
  filter,    // a = input, b = filter id, args
  test,      // a = input, b = test id, args, flag = negated
  neg,
  pos,
  not_,
  and_,
  or_,
  add,
  sub,
  mul,
  div,
  floordiv,
  mod,
  pow,
  concat,   // args = operands
  compare,  // a = left, args = (name = CmpOp, expr = right)
  cond,     // a = then, b = condition, c = else (npos: undefined)
  list,     // args = items
  tuple,    // args = items
  dict,     // args = (name = key expr, expr = value expr)
};

enum class CmpOp : std::uint32_t { eq, ne, lt, le, gt, ge, in, not_in };

struct Expr {
  Op op = Op::constant;
  std::uint8_t flag = 0;
  std::uint32_t a = npos32, b = npos32, c = npos32;
  std::uint32_t args = 0, nargs = 0;  // range in Program::args
  std::uint32_t pos = 0;              // source offset, for error lines
};

/// An argument: `name` is a keyword's name id (npos32 for positional), reused as documented in Op.
struct Arg {
  std::uint32_t name = npos32;
  std::uint32_t expr = npos32;
};
/// Arg::name of a call's `*expr` and `**expr` arguments.
inline constexpr std::uint32_t star_args = npos32 - 1;
inline constexpr std::uint32_t star_kwargs = npos32 - 2;

/// Stmt::c flags of a macro or call block: names its body uses that change how it is called.
enum MacroFlags : std::uint32_t { uses_caller = 1, uses_varargs = 2, uses_kwargs = 4 };

enum class StmtKind : std::uint8_t {
  text,          // a = offset in Program::text, b = length
  output,        // a = expr
  if_,           // a = condition, body, else (elif is an if inside else)
  for_,          // a = target, b = iterable, c = filter condition or npos, body, else;
                 // args = 1 when `recursive`
  set,           // a = target, b = value expr
  set_block,     // a = target, body
  set_attr,      // a = namespace name id, b = attribute name id, c = value expr
  with_,         // args = (name = target, expr = value), body: a scope of its own
  filter_block,  // a = name id the body output is bound to, b = filter chain over it, body
  macro,       // a = name id, args = parameters (name, default expr or npos), c = MacroFlags, body
  call_block,  // a = call expr, args = caller's parameters, c = caller's MacroFlags, body
  no_loader,   // include / extends / import / from: fails at render, as Jinja without a loader
};

struct Stmt {
  StmtKind kind = StmtKind::text;
  std::uint32_t a = npos32, b = npos32, c = npos32;
  std::uint32_t body = 0, nbody = 0;       // range in Program::bodies
  std::uint32_t else_body = 0, nelse = 0;  // range in Program::bodies
  std::uint32_t args = 0, nargs = 0;       // range in Program::args (with_)
  std::uint32_t pos = 0;
};

/// An assignment target: one name, or a tuple of names (`for k, v in ...`).
struct Target {
  std::uint32_t names = 0, count = 0;  // range in Program::target_names
  bool tuple = false;
};

enum class FilterId : std::uint32_t {
  abs,
  attr,
  capitalize,
  center,
  count,
  d,
  default_,
  dictsort,
  e,
  escape,
  first,
  float_,
  forceescape,
  indent,
  int_,
  items,
  join,
  last,
  length,
  list,
  lower,
  map,
  max,
  min,
  reject,
  rejectattr,
  replace,
  reverse,
  round,
  safe,
  select,
  selectattr,
  sort,
  string,
  sum,
  title,
  tojson,
  trim,
  truncate,
  unique,
  upper,
  urlencode,
  wordcount,
  format,
  batch,
  slice,
  groupby,
  striptags,
  filesizeformat,
  xmlattr,
  wordwrap,
  host,  // ids >= host are host filters (index = id - host)
};

enum class TestId : std::uint32_t {
  boolean,
  callable,
  defined,
  divisibleby,
  eq,
  equalto,
  escaped,
  even,
  false_,
  filter,
  float_,
  ge,
  greaterthan,
  gt,
  in,
  integer,
  iterable,
  le,
  lessthan,
  lower,
  lt,
  mapping,
  ne,
  none,
  number,
  odd,
  sameas,
  sequence,
  string,
  test,
  true_,
  undefined,
  upper,
};

/// Name of a built-in filter or test, and lookup by name (nullopt-like npos32 when unknown).
std::uint32_t find_builtin_filter(std::string_view name) noexcept;
std::uint32_t find_builtin_test(std::string_view name) noexcept;

/// The attributes of a `{% for %}` loop's `loop` variable.
enum class LoopAttr : std::uint8_t {
  none,
  index,
  index0,
  revindex,
  revindex0,
  first,
  last,
  length,
  depth,
  depth0,
  previtem,
  nextitem,
  cycle,
  changed,
};
/// Whether `a.name` on a dict is an attribute of the dict itself (a method Jinja lets templates
/// call, or one its sandbox refuses) rather than a key lookup.
bool is_dict_attribute(std::string_view name) noexcept;
/// The loop attribute a name denotes (LoopAttr::none for any other name).
LoopAttr loop_attr_of(std::string_view name) noexcept;

/// What rendering needs to know about a name, decided once at compile time instead of by
/// string comparisons on every lookup.
struct NameTraits {
  bool dict_attribute = false;     // `d.name` on a dict is the dict's attribute, not a key
  LoopAttr loop = LoopAttr::none;  // `loop.name`
};

/// A chain of lookups with constant string keys from a name (`event.resource['infrahub.x']`,
/// `attr.value`), found at compile time so rendering walks its keys through the JSON in place
/// instead of re-examining the expressions. A getattr/getitem expression's `c` names its Path.
/// Getattr steps are never dict attributes (`d.items`): those need the general lookup.
/// Example: `event.payload['data']` is root `event`, keys `payload`, `data`.
struct Path {
  std::uint32_t root = npos32;        // name id
  std::uint32_t keys = 0, nkeys = 0;  // range in Program::path_keys
};
/// A key of a Path: `size` bytes at `offset` in Program::path_text.
struct PathKey {
  std::uint32_t offset = 0, size = 0;
};
/// Longer chains get no Path (the general lookup resolves them, as it would anyway).
inline constexpr std::uint32_t max_path_keys = 16;

struct Program {
  std::string source;
  std::string text;  // literal template text, referenced by text statements
  std::vector<Expr> exprs;
  std::vector<Arg> args;
  std::vector<Stmt> stmts;
  std::vector<std::uint32_t> bodies;
  std::vector<Target> targets;
  std::vector<std::uint32_t> target_names;
  std::vector<json> constants;
  std::vector<std::string> names;
  std::vector<NameTraits> name_traits;  // parallel to names
  std::vector<Path> paths;
  std::vector<PathKey> path_keys;
  std::string path_text;  // the bytes of every PathKey
  std::vector<const TemplateFilter*> host_filters;
  std::uint32_t root = 0, nroot = 0;  // top-level body in bodies
  std::uint32_t loop_name = npos32;   // name id of `loop`, npos32 when never named
  bool verbatim = false;              // render returns source as is
  std::uint32_t for_loops = 0;        // `{% for %}` tags, and their deepest nesting, for
  std::uint32_t for_depth = 0;        // Prefect's template security validation
  Environment environment;            // keeps host filters alive

  /// 1-based line of a source offset.
  std::size_t line_of(std::uint32_t pos) const noexcept;
};

/// The compiled form behind a Template (for hydration's checks).
struct ProgramAccess {
  static const Program& of(const Template& t) noexcept { return *t.program_; }
  static const EnvironmentState& state(const Template& t) noexcept {
    return *t.program_->environment.state_;
  }
};

/// Prefect's validate_user_template limits (10 for loops, nesting 2); throws HydrationError.
void check_template_security(const Program& program, const std::string& path);

/// Parses `source` into a Program. Throws TemplateSyntaxError.
void parse_program(Program& program, const EnvironmentState& env);

}  // namespace eventwire::detail
