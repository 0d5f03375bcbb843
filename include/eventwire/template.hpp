/// @file template.hpp
/// Jinja2 templates as Prefect renders them, and Prefect's parameter hydration.
///
/// The engine implements the subset of Jinja2 that Prefect automations and Infrahub triggers use
/// (see docs in the README): `{{ }}`/`{% %}`/`{# #}` with whitespace control, the full expression
/// grammar, `if`/`for`/`set`/`namespace`, macros and call blocks, recursive loops, `%`
/// formatting, Jinja's tests and filters, `tojson` exactly as Prefect
/// writes it, and Python's `str()`/`repr()` of rendered values. Output is byte for byte what
/// Jinja2 3.1 produces; the test suite checks this against the real Jinja2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "eventwire/context_paths.hpp"
#include "eventwire/error.hpp"
#include "eventwire/event_context.hpp"
#include "eventwire/json.hpp"

namespace eventwire {

struct Event;

namespace detail {
struct EnvironmentState;
struct Program;
struct ProgramAccess;
}  // namespace detail

/// Root of the template errors. `line()`/`column()` locate the fault in the template source
/// (1-based; 0 when unknown).
class TemplateError : public error {
 public:
  TemplateError(const std::string& message, std::size_t line = 0, std::size_t column = 0)
      : error(message), line_(line), column_(column) {}
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::size_t line_ = 0;
  std::size_t column_ = 0;
};

/// The template does not parse, or names an unknown filter or test. Raised by `compile`, never
/// by `render`. The message is Jinja's (`unexpected '}'`, `No filter named 'x'.`).
class TemplateSyntaxError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

/// An undefined value was used where it may not be (`missing + 1`, any use under the strict
/// policy, an attribute of an undefined under the lenient one). Message as Jinja's:
/// `'missing' is undefined`, `'dict object' has no attribute 'nokey'`.
class UndefinedError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

/// Any other failure while rendering. `python_type()` names the exception Jinja2 raises in the
/// same place (`TypeError`, `ZeroDivisionError`, `SecurityError`, `OverflowError`, ...), and the
/// message follows Python's wording where it is fixed.
class TemplateRuntimeError : public TemplateError {
 public:
  TemplateRuntimeError(const std::string& message, std::string python_type, std::size_t line = 0)
      : TemplateError(message, line), python_type_(std::move(python_type)) {}
  const std::string& python_type() const noexcept { return python_type_; }

 private:
  std::string python_type_;
};

/// A parameter could not be hydrated. `what()` is Prefect's form, `<path>: <message>`, e.g.
/// `bad_template: Invalid jinja: unexpected '}'` or `data: Invalid JSON: Expecting value...`.
class HydrationError : public error {
 public:
  HydrationError(std::string path, std::string message)
      : error(path + ": " + message), path_(std::move(path)), message_(std::move(message)) {}
  /// Where in the parameters: `branch`, `data.items[2]`.
  const std::string& path() const noexcept { return path_; }
  /// Prefect's message, `Invalid jinja: ...`.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string path_;
  std::string message_;
};

/// What an undefined value (missing variable, key, attribute or index) does.
enum class UndefinedPolicy : std::uint8_t {
  lenient,    ///< Jinja's default `Undefined`: renders "", but `missing.attr` raises.
  chainable,  ///< Prefect's `ChainableUndefined`: `missing.attr.deeper` renders "" too.
  strict,     ///< `StrictUndefined`: any use other than `is defined` / `default` raises.
};

/// Bounds that keep hostile templates from running unbounded. Each crossing raises
/// TemplateSyntaxError (at compile) or TemplateRuntimeError (at render).
struct TemplateLimits {
  /// Bytes of template source `compile` accepts.
  std::size_t max_source_bytes = 1'000'000;
  /// Nesting of expressions and blocks in the source, and of macro calls and recursive loops
  /// while rendering.
  std::size_t max_nesting_depth = 64;
  /// Bytes one render may produce (also bounds `'x' * n` and string results of filters).
  std::size_t max_output_bytes = 8'000'000;
  /// Loop iterations one render may run, all loops together.
  std::uint64_t max_loop_iterations = 1'000'000;
  /// Items `range()` may produce: 100 in Prefect, 100000 in Jinja2's sandbox.
  std::size_t max_range_length = 100;
};

/// A filter supplied by the host, e.g. Prefect's `ui_url`. Receives the filtered value and the
/// positional arguments; keyword arguments are rejected. An undefined input arrives as a
/// discarded JSON value (`value.is_discarded()`). Must be thread-safe: renders run concurrently.
using TemplateFilter = std::function<json(const json& value, std::span<const json> args)>;

class Template;

/// How templates behave: undefined policy, sandbox flavour, limits, host filters and globals.
///
/// Cheap to copy (shared state, copied on write). `prefect()` is Prefect's
/// `UserTemplateEnvironment`: immutable sandbox, chainable undefined, `range` capped at 100, and
/// a source without `{{` or `{%` rendered verbatim. `jinja_sandbox()` is Jinja2's plain
/// `SandboxedEnvironment`: lenient undefined, `range` capped at 100000. In both, `include`,
/// `extends` and `import` fail (no loader), and mutating methods (`dict.pop`, `list.append`) are
/// refused, since the context is never copied.
///
/// @code
/// auto env = eventwire::Environment::prefect();
/// env.add_filter("shout", [](const eventwire::json& v, auto) { return v.dump() + "!"; });
/// env.add_global("site", "https://infrahub.example");
/// auto t = env.compile("{{ event.event | shout }} on {{ site }}");
/// @endcode
class Environment {
 public:
  /// Prefect's environment (also what a default-constructed Environment is).
  Environment();
  static Environment prefect();
  /// Jinja2's `SandboxedEnvironment()` with its defaults.
  static Environment jinja_sandbox();

  UndefinedPolicy undefined() const noexcept;
  Environment& set_undefined(UndefinedPolicy policy);
  const TemplateLimits& limits() const noexcept;
  Environment& set_limits(const TemplateLimits& limits);
  /// Prefect's short-cut: a source with neither `{{` nor `{%` renders as itself, untouched
  /// (no trailing-newline removal, comments kept).
  bool verbatim_without_markers() const noexcept;
  Environment& set_verbatim_without_markers(bool on);

  /// Registers (or replaces) a filter; built-in names may be overridden.
  Environment& add_filter(std::string name, TemplateFilter filter);
  /// Registers (or replaces) a global variable, visible unless the context has the same name.
  Environment& add_global(std::string name, json value);

  /// Compiles `source` in this environment. Throws TemplateSyntaxError.
  Template compile(std::string_view source) const;

 private:
  friend class Template;
  friend struct detail::ProgramAccess;
  detail::EnvironmentState& mutable_state();
  std::shared_ptr<const detail::EnvironmentState> state_;
};

/// Options for Template::compile.
struct TemplateOptions {
  Environment environment{};
};

/// A compiled template: parse once, render many times.
///
/// Immutable after compile; `render` is const and thread-safe on a shared Template, and reads
/// the context in place (values are never copied out of it for a lookup). Copies share the
/// compiled form.
///
/// @code
/// auto t = eventwire::Template::compile("{{ event.resource['infrahub.branch.name'] }}");
/// t.render({{"event", {{"resource", {{"infrahub.branch.name", "main"}}}}}});  // "main"
/// @endcode
class Template {
 public:
  /// An empty template (renders "").
  Template();
  /// Throws TemplateSyntaxError (with line and column) if `source` does not parse.
  static Template compile(std::string_view source, const TemplateOptions& options = {});

  /// Renders with `context` (a JSON object; its keys are the template's variables). Throws
  /// UndefinedError or TemplateRuntimeError.
  std::string render(const json& context) const;
  /// As render, appending to `out` (reuse one buffer across renders). When it throws, `out`
  /// holds its previous content and possibly part of the output.
  void render_to(std::string& out, const json& context) const;

  /// The source this template was compiled from (newlines normalized to `\n` and one trailing
  /// newline dropped, as Jinja does, unless it is rendered verbatim).
  const std::string& source() const noexcept;
  const Environment& environment() const noexcept;
  /// What rendering can read of a context (see ContextPaths): `{{ event.payload['id'] }}` reads
  /// event/payload/id only.
  ContextPaths reads() const;

 private:
  friend struct detail::ProgramAccess;
  std::shared_ptr<const detail::Program> program_;
};

/// Whether Prefect treats `text` as a template: it contains `{{` or `{%`.
bool is_template(std::string_view text) noexcept;

/// Hydration settings.
struct HydrateOptions {
  /// Prefect >= 3.6.24: a plain string that is one `{{ expr }}` renders as `{{ expr | tojson }}`
  /// and is parsed back, so it keeps its JSON type (a number stays a number, undefined is an
  /// error). Off: it renders to a string, as before 3.6.24 and as Infrahub's `jinja_parameter()`.
  bool typed_single_expressions = true;
};

/// Prefect's parameter hydration (`prefect.utilities.schema_tools.hydration`), with rendering.
///
/// Walks `parameters` (objects and arrays, at any depth):
/// - `{"__prefect_kind": "none", "value": v}` -> v (hydrated);
/// - `{"__prefect_kind": "json", "value": v}` -> v hydrated, then parsed if it is a string
///   (`Invalid JSON: ...` otherwise); without `value` the key is removed;
/// - `{"__prefect_kind": "jinja", "template": t}` -> t rendered to a string;
/// - any other `__prefect_kind` -> its `value` (null if absent);
/// - a plain string containing `{{` or `{%` -> rendered (see HydrateOptions), other values as is.
///
/// Throws HydrationError naming the parameter path.
///
/// @code
/// json params = {{"node_id", "{{ event.payload['data']['node_id'] }}"}, {"timeout", 300}};
/// json out = eventwire::hydrate(params, eventwire::event_context(event));
/// @endcode
json hydrate(const json& parameters, const json& context, const Environment& environment = {},
             const HydrateOptions& options = {});

/// Compiles every template in `parameters` (as hydrate would find them) without rendering, so a
/// trigger registration can reject a broken one up front. Throws HydrationError, e.g.
/// `bad_template: Invalid jinja: unexpected '}'`.
void validate_parameters(const json& parameters, const Environment& environment = {},
                         const HydrateOptions& options = {});

/// An action's parameters with every template compiled once: validate at registration, then
/// hydrate per event without compiling again. Same results and errors as `hydrate`.
///
/// Immutable; `hydrate` is thread-safe. Copies share the compiled templates.
///
/// @code
/// auto compiled = eventwire::CompiledParameters::compile(action.parameters);  // may throw
/// json params = compiled.hydrate(eventwire::event_context(event));
/// @endcode
class CompiledParameters {
 public:
  /// Throws HydrationError naming the first parameter whose template does not compile.
  static CompiledParameters compile(const json& parameters, const Environment& environment = {},
                                    const HydrateOptions& options = {});
  /// Prefect's hydration of the parameters with `context`. Throws HydrationError.
  json hydrate(const json& context) const;
  /// As hydrate(event_context(event)), building only what the templates read of the event's
  /// context, and nothing for a parameter that is one lookup of it (`{{ event.payload['id'] }}`).
  json hydrate(EventTemplateContext& context) const;
  const json& parameters() const noexcept;
  /// What hydration can read of a context: the union of every template's reads (everything
  /// when a template's text is itself produced by hydration).
  const ContextPaths& reads() const noexcept;

  struct State;

 private:
  std::shared_ptr<const State> state_;
};

}  // namespace eventwire
