// `eventwire render` and `eventwire hydrate`: templates and Prefect parameter hydration over
// JSON Lines, for checking what a trigger's parameters will become.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/json_lines.hpp"
#include "eventwire/error.hpp"
#include "eventwire/template.hpp"

namespace eventwire::cli {
namespace {

std::string optional_string(const json& line, const char* key, std::string fallback) {
  auto it = line.find(key);
  if (it == line.end() || it->is_null()) return fallback;
  if (!it->is_string()) throw ValidationError(key, "must be a string");
  return it->get<std::string>();
}

// "prefect" (default) or "jinja", with "undefined" overriding the environment's policy.
Environment environment_of(const json& line) {
  std::string name = optional_string(line, "environment", "prefect");
  Environment environment;
  if (name == "prefect") {
    environment = Environment::prefect();
  } else if (name == "jinja") {
    environment = Environment::jinja_sandbox();
  } else {
    throw ValidationError("environment", "must be \"prefect\" or \"jinja\", got \"" + name + "\"");
  }
  std::string undefined = optional_string(line, "undefined", "");
  if (undefined == "default" || undefined == "lenient") {  // Jinja's name, and the C++ enum's
    environment.set_undefined(UndefinedPolicy::lenient);
  } else if (undefined == "chainable") {
    environment.set_undefined(UndefinedPolicy::chainable);
  } else if (undefined == "strict") {
    environment.set_undefined(UndefinedPolicy::strict);
  } else if (!undefined.empty()) {
    throw ValidationError(
        "undefined", "must be \"default\" (or \"lenient\"), \"chainable\" or \"strict\", got \"" +
                         undefined + "\"");
  }
  return environment;
}

const json& object_member(const json& line, const char* key, const char* shape) {
  if (!line.is_object()) throw ValidationError("line", std::string("must be an object: ") + shape);
  auto it = line.find(key);
  if (it == line.end()) throw ValidationError(key, std::string("is required: ") + shape);
  return *it;
}

// The line's "context", an object (names to values, as a template reads them); {} when absent.
const json& context_of(const json& line) {
  static const json empty = json::object();
  auto it = line.find("context");
  if (it == line.end()) return empty;
  if (!it->is_object()) {
    throw ValidationError("context",
                          std::string("must be an object of names, got ") + it->type_name());
  }
  return *it;
}

json render_line(const json& line) {
  const char* shape = R"({"template": "...", "context": {...}})";
  const json& source = object_member(line, "template", shape);
  if (!source.is_string()) throw ValidationError("template", "must be a string");
  const json& context = context_of(line);
  auto compiled =
      Template::compile(source.get<std::string>(), {.environment = environment_of(line)});
  return {{"output", compiled.render(context)}};
}

json hydrate_line(const json& line) {
  const char* shape = R"({"parameters": {...}, "context": {...}})";
  const json& parameters = object_member(line, "parameters", shape);
  return {{"parameters", hydrate(parameters, context_of(line), environment_of(line))}};
}

}  // namespace

void add_template_commands(CLI::App& app) {
  auto* render = app.add_subcommand(
      "render",
      "JSON Lines on stdin, {\"template\", \"context\", \"environment\", \"undefined\"} each; "
      "writes {\"output\"} or {\"error\"}. environment: \"prefect\" (default) or \"jinja\"; "
      "undefined: \"default\" (lenient), \"chainable\" or \"strict\" (default: the "
      "environment's)");
  render->callback([] {
    if (int status = process_json_lines(std::cin, std::cout, render_line))
      throw CLI::RuntimeError(status);
  });
  auto* hydrate_cmd = app.add_subcommand("hydrate",
                                         "JSON Lines on stdin, {\"parameters\", \"context\", "
                                         "\"environment\", \"undefined\"} each (as render); "
                                         "writes {\"parameters\"} or {\"error\"}");
  hydrate_cmd->callback([] {
    if (int status = process_json_lines(std::cin, std::cout, hydrate_line))
      throw CLI::RuntimeError(status);
  });
}

}  // namespace eventwire::cli
