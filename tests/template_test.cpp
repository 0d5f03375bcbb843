#include "eventwire/template.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "eventwire/event.hpp"
#include "template_corpus.hpp"

using eventwire::Environment;
using eventwire::HydrationError;
using eventwire::json;
using eventwire::Template;
using eventwire::TemplateRuntimeError;
using eventwire::TemplateSyntaxError;
using eventwire::UndefinedError;
using eventwire::UndefinedPolicy;

namespace {

const char* const env_names[] = {"prefect", "default", "strict"};

Environment environment(std::string_view name) {
  if (name == "prefect") return Environment::prefect();
  if (name == "strict") return Environment::jinja_sandbox().set_undefined(UndefinedPolicy::strict);
  return Environment::jinja_sandbox();
}

// Our outcome in the oracle's shape: {"output": ...} or {"error": {"type", "python_type", ...}}.
json outcome(const std::string& source, const json& context, std::string_view env) {
  try {
    return {{"output", environment(env).compile(source).render(context)}};
  } catch (const TemplateSyntaxError& e) {
    return {{"error", {{"type", "syntax"}, {"message", e.what()}}}};
  } catch (const UndefinedError& e) {
    return {{"error", {{"type", "undefined"}, {"message", e.what()}}}};
  } catch (const TemplateRuntimeError& e) {
    return {
        {"error", {{"type", "runtime"}, {"python_type", e.python_type()}, {"message", e.what()}}}};
  }
}

// Runs tests/jinja_oracle.py (real Jinja2) on `request` and returns its answer.
json ask_jinja(const json& request) {
  auto dir = std::filesystem::temp_directory_path() /
             ("eventwire-template-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto in = dir / "request.json", out = dir / "answer.json";
  std::ofstream(in) << request.dump();
  std::string command =
      "python3 " EVENTWIRE_TEST_DIR "/jinja_oracle.py < " + in.string() + " > " + out.string();
  int status = std::system(command.c_str());
  REQUIRE(status == 0);
  std::ifstream answer(out);
  std::stringstream text;
  text << answer.rdbuf();
  std::filesystem::remove_all(dir);
  return json::parse(text.str());
}

const json& contexts() {
  static const json parsed = json::parse(corpus::contexts_json);
  return parsed;
}

}  // namespace

TEST_CASE("every corpus template renders as Jinja2 does, in all three environments") {
  auto templates = corpus::templates();
  json request = {{"contexts", contexts()}, {"cases", json::array()}};
  for (std::size_t i = 0; i < templates.size(); ++i) {
    for (auto env : env_names) {
      request["cases"].push_back({{"id", std::to_string(i) + "/" + env},
                                  {"template", templates[i].source},
                                  {"ctx", templates[i].context},
                                  {"env", env}});
    }
  }
  json answers = ask_jinja(request)["cases"];
  std::size_t compared = 0, outputs = 0, errors = 0, python_type_differs = 0;
  for (const auto& c : request["cases"]) {
    const json& want = answers.at(c["id"].get<std::string>());
    if (want.contains("skip")) continue;
    json got = outcome(c["template"], contexts()[c["ctx"].get<std::string>()],
                       c["env"].get<std::string>());
    INFO("case " << c["id"].get<std::string>()
                 << " template: " << c["template"].get<std::string>());
    INFO("jinja2:    " << want.dump());
    INFO("eventwire: " << got.dump());
    ++compared;
    if (want.contains("output")) {
      ++outputs;
      CHECK(got == want);
    } else {
      ++errors;
      CHECK(got.contains("error"));
      CHECK(got.value("/error/type"_json_pointer, "") == want["error"]["type"]);
      if (want["error"]["type"] == "runtime" &&
          got["error"].value("python_type", "") != want["error"]["python_type"]) {
        ++python_type_differs;
        WARN("python exception type differs: jinja2 " << want["error"]["python_type"]
                                                      << ", eventwire "
                                                      << got["error"].value("python_type", ""));
      }
    }
  }
  WARN("compared " << compared << " cases with Jinja2: " << outputs << " outputs, " << errors
                   << " errors (" << python_type_differs << " with another Python exception type)");
  CHECK(compared > 800);
}
