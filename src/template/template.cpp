// The public Environment and Template: configuration, compile, render.
#include <fmt/format.h>

#include "template/evaluator.hpp"
#include "template/lexer.hpp"
#include "template/program.hpp"

namespace eventwire {
namespace {

std::shared_ptr<const detail::EnvironmentState> prefect_state() {
  static const auto state = std::make_shared<const detail::EnvironmentState>();
  return state;
}

std::shared_ptr<const detail::EnvironmentState> jinja_state() {
  static const auto state = [] {
    auto s = std::make_shared<detail::EnvironmentState>();
    s->undefined = UndefinedPolicy::lenient;
    s->verbatim_without_markers = false;
    s->limits.max_range_length = 100'000;  // jinja2.sandbox.MAX_RANGE
    return std::shared_ptr<const detail::EnvironmentState>(s);
  }();
  return state;
}

}  // namespace

Environment::Environment() : state_(prefect_state()) {}
Environment Environment::prefect() {
  return Environment();
}
Environment Environment::jinja_sandbox() {
  Environment env;
  env.state_ = jinja_state();
  return env;
}

detail::EnvironmentState& Environment::mutable_state() {
  // Copy on write: compiled templates keep the state they were compiled with.
  auto copy = std::make_shared<detail::EnvironmentState>(*state_);
  state_ = copy;
  return *copy;
}

UndefinedPolicy Environment::undefined() const noexcept {
  return state_->undefined;
}
Environment& Environment::set_undefined(UndefinedPolicy policy) {
  mutable_state().undefined = policy;
  return *this;
}
const TemplateLimits& Environment::limits() const noexcept {
  return state_->limits;
}
Environment& Environment::set_limits(const TemplateLimits& limits) {
  mutable_state().limits = limits;
  return *this;
}
bool Environment::verbatim_without_markers() const noexcept {
  return state_->verbatim_without_markers;
}
Environment& Environment::set_verbatim_without_markers(bool on) {
  mutable_state().verbatim_without_markers = on;
  return *this;
}
Environment& Environment::add_filter(std::string name, TemplateFilter filter) {
  mutable_state().filters[std::move(name)] = std::move(filter);
  return *this;
}
Environment& Environment::add_global(std::string name, json value) {
  mutable_state().globals[std::move(name)] = std::move(value);
  return *this;
}

Template Environment::compile(std::string_view source) const {
  return Template::compile(source, TemplateOptions{.environment = *this});
}

bool is_template(std::string_view text) noexcept {
  return text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos;
}

Template::Template() : program_(std::make_shared<const detail::Program>()) {}

Template Template::compile(std::string_view source, const TemplateOptions& options) {
  const auto& env = *options.environment.state_;
  if (source.size() > env.limits.max_source_bytes) {
    throw TemplateSyntaxError(
        fmt::format("template is {} bytes; at most {} are compiled (max_source_bytes)",
                    source.size(), env.limits.max_source_bytes),
        1, 1);
  }
  auto program = std::make_shared<detail::Program>();
  program->environment = options.environment;
  program->verbatim = env.verbatim_without_markers && !is_template(source);
  if (program->verbatim) {
    program->source.assign(source);
    // Prefect still validates what it will not render: a broken comment is an error.
    detail::Program check;
    check.source = detail::normalize_newlines(source);
    detail::parse_program(check, env);
  } else {
    program->source = detail::normalize_newlines(source);
    detail::parse_program(*program, env);
  }
  Template t;
  t.program_ = std::move(program);
  return t;
}

void Template::render_to(std::string& out, const json& context) const {
  const auto& p = *program_;
  if (p.verbatim) {
    out += p.source;
    return;
  }
  detail::render_program(p, *p.environment.state_, context, out);
}

std::string Template::render(const json& context) const {
  std::string out;
  render_to(out, context);
  return out;
}

const std::string& Template::source() const noexcept {
  return program_->source;
}
const Environment& Template::environment() const noexcept {
  return program_->environment;
}

}  // namespace eventwire
