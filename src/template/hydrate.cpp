// Prefect's parameter hydration (prefect/utilities/schema_tools/hydration.py) and
// RunDeployment's upgrade of plain template strings (actions.py, _upgrade_v1_templates).
#include <unordered_map>

#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "template/evaluator.hpp"
#include "template/program.hpp"

namespace eventwire {
namespace {

constexpr std::string_view kKind = "__prefect_kind";

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}
std::string index_path(const std::string& parent, std::size_t i) {
  return fmt::format("{}[{}]", parent, i);
}

// Prefect >= 3.6.24: a string that is one `{{ expr }}` is rendered as `{{ expr | tojson }}`.
bool single_expression(std::string_view text, std::string& rewritten) {
  std::string_view s = detail::python_strip(text);
  if (s.size() < 4 || s.substr(0, 2) != "{{" || s.substr(s.size() - 2) != "}}") return false;
  if (s.find("{{", 2) != std::string_view::npos) return false;
  std::string_view inner = detail::python_strip(s.substr(2, s.size() - 4));
  rewritten = fmt::format("{{{{ {} | tojson }}}}", inner);
  return true;
}

using TemplateCache = std::unordered_map<std::string, Template>;

// One pass over the parameters. Without a context it only compiles (validation), filling
// `fill` when given; with a context it renders, taking compiled templates from `lookup`
// (read only: it may be shared between threads) and compiling only what it lacks.
class Hydrator {
 public:
  Hydrator(const Environment& env, const HydrateOptions& options, const json* context,
           const TemplateCache* lookup = nullptr, TemplateCache* fill = nullptr)
      : env_(env), options_(options), context_(context), lookup_(lookup), fill_(fill) {}

  // Returns false when the value is to be removed from its parent.
  bool walk(const json& obj, json& out, const std::string& path, bool upgrade) {
    if (obj.is_object() && obj.contains(kKind)) return prefect_object(obj, out, path);
    if (obj.is_object()) {
      out = json::object();
      for (const auto& [key, value] : obj.items()) {
        json hydrated;
        if (walk(value, hydrated, child_path(path, key), upgrade)) out[key] = std::move(hydrated);
      }
      return true;
    }
    if (obj.is_array()) {
      out = json::array();
      for (std::size_t i = 0; i < obj.size(); ++i) {
        json hydrated;
        if (walk(obj[i], hydrated, index_path(path, i), upgrade))
          out.push_back(std::move(hydrated));
      }
      return true;
    }
    if (upgrade && obj.is_string() && is_template(obj.get_ref<const std::string&>())) {
      const std::string& text = obj.get_ref<const std::string&>();
      std::string rewritten;
      if (options_.typed_single_expressions && single_expression(text, rewritten)) {
        out = render_json(rewritten, path);
      } else {
        out = render(text, path);
      }
      return true;
    }
    out = obj;
    return true;
  }

 private:
  const Environment& env_;
  const HydrateOptions& options_;
  const json* context_;
  const TemplateCache* lookup_;
  TemplateCache* fill_;

  bool prefect_object(const json& obj, json& out, const std::string& path) {
    const json& kind = obj[kKind];
    auto value = obj.find("value");
    if (kind == "none") {
      if (value == obj.end()) throw HydrationError(path, "Missing 'value' key in __prefect object");
      if (value->is_object()) return walk(*value, out, path, false);
      out = *value;
      return true;
    }
    if (kind == "json") {
      if (value == obj.end()) return false;  // RemoveValue
      // {"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": "..."}}
      if (value->is_object() && value->value(kKind, json()) == "jinja" &&
          value->contains("template") && (*value)["template"].is_string()) {
        out = render_json((*value)["template"].get<std::string>(), path);
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
      if (t == obj.end()) throw HydrationError(path, "Missing 'template' key in __prefect object");
      json source = *t;
      if (source.is_object()) {
        json hydrated;
        if (!walk(*t, hydrated, path, false)) return false;
        source = std::move(hydrated);
      }
      if (!source.is_string())
        throw HydrationError(path, "Invalid jinja: template must be a string");
      out = render(source.get<std::string>(), path);
      return true;
    }
    if (kind == "workspace_variable") {
      throw HydrationError(path, "workspace variables are not supported by eventwire");
    }
    out = value == obj.end() ? json(nullptr) : *value;
    return true;
  }

  // Compiles (and validates as Prefect's validate_user_template does); renders with a context.
  std::string render(const std::string& source, const std::string& path) {
    const Template& t = compiled(source, path);
    if (!context_) return {};
    try {
      return t.render(*context_);
    } catch (const TemplateError& e) {
      throw HydrationError(path, std::string("Invalid jinja: ") + e.what());
    }
  }

  // json.loads of the rendered template; `{{ expr | tojson }}` skips the text round trip.
  json render_json(const std::string& source, const std::string& path) {
    const Template& t = compiled(source, path);
    if (!context_) return nullptr;
    const auto& program = detail::ProgramAccess::of(t);
    if (!detail::is_tojson_expression(program)) return parse_json(render(source, path), path);
    try {
      return detail::tojson_value(program, detail::ProgramAccess::state(t), *context_);
    } catch (const TemplateError& e) {
      throw HydrationError(path, std::string("Invalid jinja: ") + e.what());
    }
  }

  const Template& compiled(const std::string& source, const std::string& path) {
    if (lookup_) {
      if (auto it = lookup_->find(source); it != lookup_->end()) return it->second;
    }
    Template t;
    try {
      t = env_.compile(source);
    } catch (const TemplateError& e) {
      throw HydrationError(path, std::string("Invalid jinja: ") + e.what());
    }
    detail::check_template_security(detail::ProgramAccess::of(t), path);
    if (fill_) return fill_->emplace(source, std::move(t)).first->second;
    // A template known only now (its text came out of another template): used once.
    scratch_ = std::move(t);
    return scratch_;
  }

  Template scratch_;

  json parse_json(const std::string& text, const std::string& path) const {
    if (!context_) return nullptr;  // validation: nothing rendered, nothing to parse
    try {
      return json::parse(text);
    } catch (const json::parse_error& e) {
      std::string message = e.what();
      if (auto at = message.find("parse error"); at != std::string::npos)
        message = message.substr(at);
      throw HydrationError(path, "Invalid JSON: " + message);
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
  if (!Hydrator(environment, options, &context).walk(parameters, out, "", true))
    out = json::object();
  return out;
}

void validate_parameters(const json& parameters, const Environment& environment,
                         const HydrateOptions& options) {
  json ignored;
  Hydrator(environment, options, nullptr).walk(parameters, ignored, "", true);
}

struct CompiledParameters::State {
  json parameters;
  Environment environment;
  HydrateOptions options;
  TemplateCache templates;
};

CompiledParameters CompiledParameters::compile(const json& parameters,
                                               const Environment& environment,
                                               const HydrateOptions& options) {
  auto state = std::make_shared<State>();
  state->parameters = parameters;
  state->environment = environment;
  state->options = options;
  json ignored;
  Hydrator(environment, options, nullptr, nullptr, &state->templates)
      .walk(parameters, ignored, "", true);
  CompiledParameters out;
  out.state_ = std::move(state);
  return out;
}

json CompiledParameters::hydrate(const json& context) const {
  json out;
  if (!Hydrator(state_->environment, state_->options, &context, &state_->templates)
           .walk(state_->parameters, out, "", true)) {
    out = json::object();
  }
  return out;
}

const json& CompiledParameters::parameters() const noexcept {
  return state_->parameters;
}

}  // namespace eventwire
