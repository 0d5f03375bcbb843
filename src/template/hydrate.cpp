// Prefect's parameter hydration (prefect/utilities/schema_tools/hydration.py) and
// RunDeployment's upgrade of plain template strings (actions.py, _upgrade_v1_templates).
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "detail/json_members.hpp"
#include "detail/python_format.hpp"
#include "detail/utf8.hpp"
#include "template/evaluator.hpp"
#include "template/lookup_template.hpp"
#include "template/program.hpp"

namespace eventwire {
namespace {

constexpr std::string_view kKind = "__prefect_kind";

// Where a value sits in the parameters (`data.items[2]`), spelled out only for an error.
struct ParamPath {
  const ParamPath* parent = nullptr;
  std::string_view key{};
  std::size_t index = 0;
  bool is_index = false;

  ParamPath child(std::string_view k) const { return {this, k, 0, false}; }
  ParamPath item(std::size_t i) const { return {this, {}, i, true}; }

  std::string str() const {
    if (parent == nullptr) return std::string(key);
    std::string head = parent->str();
    if (is_index) return fmt::format("{}[{}]", head, index);
    return head.empty() ? std::string(key) : head + "." + std::string(key);
  }
};

// Prefect >= 3.6.24: a string that is one `{{ expr }}` is rendered as `{{ expr | tojson }}`.
bool single_expression(std::string_view text, std::string& rewritten) {
  std::string_view s = detail::python_strip(text);
  if (s.size() < 4 || s.substr(0, 2) != "{{" || s.substr(s.size() - 2) != "}}") return false;
  if (s.find("{{", 2) != std::string_view::npos) return false;
  std::string_view inner = detail::python_strip(s.substr(2, s.size() - 4));
  rewritten = fmt::format("{{{{ {} | tojson }}}}", inner);
  return true;
}

// A template string of the parameters, compiled: `as_json` when its render is parsed back;
// `lookup` when it is one lookup that an event can answer without a context (see direct()).
struct Leaf {
  const Template* compiled = nullptr;
  bool as_json = false;
  std::optional<detail::LookupTemplate> lookup{};
};

// Where a render's context comes from: a JSON context, or an event's, built only if needed.
struct ContextSource {
  const json* context = nullptr;
  EventTemplateContext* event = nullptr;
  const ContextPaths* reads = nullptr;  // what is needed of the event's

  explicit operator bool() const noexcept { return context || event; }
  const json& get() const { return context ? *context : event->get(*reads); }
};

// What CompiledParameters keeps: templates by source, and by the address of the parameter
// value holding them (so hydration neither re-spells nor re-hashes a source).
struct CompiledTemplates {
  std::unordered_map<std::string, Template> by_source;
  std::unordered_map<const json*, Leaf> by_value;
  bool dynamic = false;  // a template's text is itself produced by hydration
};

// One pass over the parameters. Without a context it only compiles (validation), filling
// `fill` when given; with a context it renders, taking compiled templates from `lookup`
// (read only: it may be shared between threads) and compiling only what it lacks.
class Hydrator {
 public:
  Hydrator(const Environment& env, const HydrateOptions& options, ContextSource context,
           const CompiledTemplates* lookup = nullptr, CompiledTemplates* fill = nullptr)
      : env_(env), options_(options), context_(context), lookup_(lookup), fill_(fill) {}

  // Returns false when the value is to be removed from its parent.
  bool walk(const json& obj, json& out, const ParamPath& path, bool upgrade) {
    if (obj.is_object() && obj.contains(kKind)) return prefect_object(obj, out, path);
    if (obj.is_object()) {
      out = json(json::value_t::object);  // json::object() goes through an initializer list
      auto& members = out.get_ref<json::object_t&>();
      members.reserve(obj.size());
      // The object's own members, not items() (whose proxies cost more than the walk); its keys
      // are distinct, so they are appended without a search.
      for (const auto& [key, value] : obj.get_ref<const json::object_t&>()) {
        json hydrated;
        if (walk(value, hydrated, path.child(key), upgrade))
          detail::append_member(members, key, std::move(hydrated));
      }
      return true;
    }
    if (obj.is_array()) {
      out = json(json::value_t::array);
      for (std::size_t i = 0; i < obj.size(); ++i) {
        json hydrated;
        if (walk(obj[i], hydrated, path.item(i), upgrade)) out.push_back(std::move(hydrated));
      }
      return true;
    }
    if (upgrade && obj.is_string()) {
      if (const Leaf* leaf = known(obj)) {
        if (direct(*leaf, out)) return true;
        out = leaf->as_json ? value_of(*leaf->compiled, path)
                            : json(render_with(*leaf->compiled, path));
        return true;
      }
      const std::string& text = obj.get_ref<const std::string&>();
      if (is_template(text)) {
        std::string rewritten;
        if (options_.typed_single_expressions && single_expression(text, rewritten)) {
          out = render_json(obj, rewritten, path);
        } else {
          out = render(obj, text, path);
        }
        return true;
      }
    }
    out = obj;
    return true;
  }

 private:
  const Environment& env_;
  const HydrateOptions& options_;
  ContextSource context_;
  const CompiledTemplates* lookup_;
  CompiledTemplates* fill_;
  std::optional<Template> scratch_;  // a default Template allocates: made only when needed

  bool prefect_object(const json& obj, json& out, const ParamPath& path) {
    const json& kind = obj[kKind];
    auto value = obj.find("value");
    if (kind == "none") {
      if (value == obj.end())
        throw HydrationError(path.str(), "Missing 'value' key in __prefect object");
      if (value->is_object()) return walk(*value, out, path, false);
      out = *value;
      return true;
    }
    if (kind == "json") {
      if (value == obj.end()) return false;  // RemoveValue
      // {"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": "..."}}
      if (value->is_object() && value->value(kKind, json()) == "jinja" &&
          value->contains("template") && (*value)["template"].is_string()) {
        const json& source = (*value)["template"];
        out = render_json(source, source.get_ref<const std::string&>(), path);
        return true;
      }
      json v = *value;
      if (v.is_object()) {
        json hydrated;
        if (!walk(*value, hydrated, path, false)) return false;
        v = std::move(hydrated);
      }
      out = v.is_string() ? parse_json(v.get<std::string>(), path) : std::move(v);
      return true;
    }
    if (kind == "jinja") {
      auto t = obj.find("template");
      if (t == obj.end())
        throw HydrationError(path.str(), "Missing 'template' key in __prefect object");
      if (t->is_object()) {
        json source;
        if (fill_) fill_->dynamic = true;
        if (!walk(*t, source, path, false)) return false;
        if (!source.is_string())
          throw HydrationError(path.str(), "Invalid jinja: template must be a string");
        out = render(source, source.get_ref<const std::string&>(), path, false);
        return true;
      }
      if (!t->is_string())
        throw HydrationError(path.str(), "Invalid jinja: template must be a string");
      out = render(*t, t->get_ref<const std::string&>(), path);
      return true;
    }
    if (kind == "workspace_variable") {
      throw HydrationError(path.str(), "workspace variables are not supported by eventwire");
    }
    out = value == obj.end() ? json(nullptr) : *value;
    return true;
  }

  // The compiled template of a parameter value seen at compile time, if any.
  const Leaf* known(const json& value) const {
    if (!lookup_ || !context_) return nullptr;
    auto it = lookup_->by_value.find(&value);
    return it == lookup_->by_value.end() ? nullptr : &it->second;
  }

  // A lookup answered from the event itself, when that gives what rendering would: a string
  // rendered as is, or a scalar through tojson (parsed back). Anything else (a missing key, a
  // dict whose tojson sorts its keys, text that is not UTF-8) takes the full path.
  bool direct(const Leaf& leaf, json& out) const {
    if (!leaf.lookup || !context_.event || leaf.lookup->tojson != leaf.as_json) return false;
    std::optional<json> value = context_.event->lookup(leaf.lookup->path);
    if (!value || value->is_structured()) return false;
    if (value->is_string()) {
      if (!detail::is_valid_utf8(value->get_ref<const std::string&>())) return false;
    } else if (!leaf.as_json) {
      return false;  // str() of a number or a bool: Python's spelling, left to the renderer
    }
    out = std::move(*value);
    return true;
  }

  // Compiles (and validates as Prefect's validate_user_template does); renders with a context.
  // `node` holds the source in the parameters unless `stable` is false (a hydrated text).
  std::string render(const json& node, const std::string& source, const ParamPath& path,
                     bool stable = true) {
    const Template& t = compiled(node, source, path, false, stable);
    return context_ ? render_with(t, path) : std::string();
  }

  std::string render_with(const Template& t, const ParamPath& path) const {
    try {
      return t.render(context_.get());
    } catch (const TemplateError& e) {
      throw HydrationError(path.str(), std::string("Invalid jinja: ") + e.what());
    }
  }

  // json.loads of the rendered template.
  json render_json(const json& node, const std::string& source, const ParamPath& path) {
    const Template& t = compiled(node, source, path, true, true);
    return context_ ? value_of(t, path) : json(nullptr);
  }

  // `{{ expr | tojson }}` skips the text round trip.
  json value_of(const Template& t, const ParamPath& path) const {
    const auto& program = detail::ProgramAccess::of(t);
    if (!detail::is_tojson_expression(program)) return parse_json(render_with(t, path), path);
    try {
      return detail::tojson_value(program, detail::ProgramAccess::state(t), context_.get());
    } catch (const TemplateError& e) {
      throw HydrationError(path.str(), std::string("Invalid jinja: ") + e.what());
    }
  }

  const Template& compiled(const json& node, const std::string& source, const ParamPath& path,
                           bool as_json, bool stable) {
    if (lookup_) {
      if (auto it = lookup_->by_source.find(source); it != lookup_->by_source.end())
        return it->second;
    }
    Template t;
    try {
      t = env_.compile(source);
    } catch (const TemplateError& e) {
      throw HydrationError(path.str(), std::string("Invalid jinja: ") + e.what());
    }
    detail::check_template_security(detail::ProgramAccess::of(t), path.str());
    if (fill_) {
      const Template& kept = fill_->by_source.emplace(source, std::move(t)).first->second;
      if (stable) {
        fill_->by_value.emplace(
            &node, Leaf{&kept, as_json, detail::lookup_template(detail::ProgramAccess::of(kept))});
      }
      return kept;
    }
    // A template known only now (its text came out of another template): used once.
    scratch_ = std::move(t);
    return *scratch_;
  }

  json parse_json(const std::string& text, const ParamPath& path) const {
    if (!context_) return nullptr;  // validation: nothing rendered, nothing to parse
    try {
      return json::parse(text);
    } catch (const json::parse_error& e) {
      std::string message = e.what();
      if (auto at = message.find("parse error"); at != std::string::npos)
        message = message.substr(at);
      throw HydrationError(path.str(), "Invalid JSON: " + message);
    }
  }
};

}  // namespace

namespace detail {
// Prefect's validate_user_template: at most 10 for loops, nested at most 2 deep.
void check_template_security(const Program& p, const std::string& path) {
  if (p.for_loops > 10) {
    throw HydrationError(
        path, fmt::format("Invalid jinja: Contains {} for loops. Templates can contain no "
                          "more than 10 for loops.",
                          p.for_loops));
  }
  if (p.for_depth > 2) {
    throw HydrationError(path,
                         fmt::format("Invalid jinja: Contains nested for loops at a depth of {}. "
                                     "Templates can nest for loops no more than 2 loops deep.",
                                     p.for_depth));
  }
}
}  // namespace detail

json hydrate(const json& parameters, const json& context, const Environment& environment,
             const HydrateOptions& options) {
  json out;
  if (!Hydrator(environment, options, ContextSource{.context = &context})
           .walk(parameters, out, {}, true))
    out = json::object();
  return out;
}

void validate_parameters(const json& parameters, const Environment& environment,
                         const HydrateOptions& options) {
  json ignored;
  Hydrator(environment, options, ContextSource{}).walk(parameters, ignored, {}, true);
}

struct CompiledParameters::State {
  json parameters;
  Environment environment;
  HydrateOptions options;
  CompiledTemplates templates;
  ContextPaths reads;
};

CompiledParameters CompiledParameters::compile(const json& parameters,
                                               const Environment& environment,
                                               const HydrateOptions& options) {
  auto state = std::make_shared<State>();
  state->parameters = parameters;
  state->environment = environment;
  state->options = options;
  json ignored;
  Hydrator(environment, options, ContextSource{}, nullptr, &state->templates)
      .walk(state->parameters, ignored, {}, true);
  if (state->templates.dynamic) {
    state->reads = ContextPaths::everything();
  } else {
    for (const auto& [source, t] : state->templates.by_source)
      state->reads.merge(t.reads());
  }
  CompiledParameters out;
  out.state_ = std::move(state);
  return out;
}

namespace {
json hydrate_compiled(const CompiledParameters::State& state, ContextSource context) {
  json out;
  if (!Hydrator(state.environment, state.options, context, &state.templates)
           .walk(state.parameters, out, {}, true)) {
    out = json::object();
  }
  return out;
}
}  // namespace

json CompiledParameters::hydrate(const json& context) const {
  return hydrate_compiled(*state_, {.context = &context});
}

json CompiledParameters::hydrate(EventTemplateContext& context) const {
  return hydrate_compiled(*state_, {.event = &context, .reads = &state_->reads});
}

const json& CompiledParameters::parameters() const noexcept {
  return state_->parameters;
}

const ContextPaths& CompiledParameters::reads() const noexcept {
  static const ContextPaths nothing;
  return state_ ? state_->reads : nothing;
}

}  // namespace eventwire
