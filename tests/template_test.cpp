#include "eventwire/template.hpp"

#include <unistd.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "eventwire/event.hpp"
#include "eventwire/timestamp.hpp"
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
    if (!want.contains("error")) {
      ++outputs;
      CHECK(got == want);
    } else if (!got.contains("error")) {
      ++errors;
      CHECK(got == want);
    } else {
      ++errors;
      CHECK(got["error"]["type"] == want["error"]["type"]);
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

namespace {

// An Infrahub `infrahub.node.updated` event, as the seed's triggers receive it.
eventwire::Event node_updated_event() {
  return eventwire::Event{
      .occurred = eventwire::parse_timestamp("2025-03-14T09:26:53.589793Z"),
      .event = "infrahub.node.updated",
      .resource = {{"prefect.resource.id", "infrahub.node.1803d0c5"},
                   {"infrahub.node.kind", "NetworkDevice"},
                   {"infrahub.branch.name", "main"},
                   {"infrahub.account.id", "18a0e5b2"}},
      .related = {{{"prefect.resource.id", "infrahub.branch.7f3c"},
                   {"prefect.resource.role", "infrahub.branch"},
                   {"infrahub.resource.label", "main"}}},
      .payload = json::parse(R"({"data": {"node_id": "1803d0c5", "kind": "NetworkDevice",
          "changelog": {"display_label": "Hook <a & 'b'> – Zürich 🚀", "node_id": "1803d0c5",
                        "attributes": {"weight": {"value": 1.0, "value_previous": 0.25}},
                        "relationships": {}}, "count": 3, "members": ["m1", "m2"]},
          "context": {"branch": {"name": "main"}, "account": {"id": "18a0e5b2"}}})"),
      .id = eventwire::Uuid::parse("0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f")};
}

json jinja_case(std::string_view template_text) {
  return {{"__prefect_kind", "jinja"}, {"template", template_text}};
}
json json_case(const json& value) {
  return {{"__prefect_kind", "json"}, {"value", value}};
}

// The seed's ExecuteWorkflow parameters, and the hydration forms around them.
std::vector<std::pair<std::string, json>> seed_parameters() {
  return {
      {"webhook-configure-one",
       {{"webhook_name", "{{ event.payload['data']['changelog']['display_label'] }}"},
        {"event_data", json_case(jinja_case("{{ event.payload['data'] | tojson }}"))}}},
      {"custom-device-validation",
       {{"device_id", "{{ event.payload['data']['node_id'] }}"},
        {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}},
      {"ipam-auto-validate",
       {{"node_id", "{{ event.payload['data']['node_id'] }}"},
        {"node_kind", "{{ event.payload['data']['kind'] }}"},
        {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}},
      {"schema-auto-migrate", {{"branch", "{{ event.resource['infrahub.branch.name'] }}"}}},
      {"audit-trail",
       {{"event_type", "{{ event.event }}"},
        {"node_id", "{{ event.payload['data']['node_id'] }}"},
        {"account_id", "{{ event.resource['infrahub.account.id'] }}"},
        {"timestamp", "{{ event.occurred }}"},
        {"changelog", json_case(jinja_case("{{ event.payload['data']['changelog'] | tojson }}"))}}},
      {"parameter-templating",
       {{"branch_name", "{{ event.resource['infrahub.branch.name'] }}"},
        {"event_data", json_case(jinja_case("{{ event.payload['data'] | tojson }}"))},
        {"timeout", 300}}},
      {"kinds",
       {{"none", {{"__prefect_kind", "none"}, {"value", {{"keep", "{{ not rendered }}"}}}}},
        {"json_missing_value", {{"__prefect_kind", "json"}}},
        {"json_non_string", json_case(json::array({1, 2}))},
        {"json_string", json_case("{\"a\": [1, 2.5, null]}")},
        {"jinja_plain", jinja_case("{{ event.payload['data']['count'] }}")},
        {"other", {{"__prefect_kind", "something"}, {"value", 7}}},
        {"other_without_value", {{"__prefect_kind", "something"}}},
        {"static", {{"list", {1, "two", nullptr, true}}, {"float", 1.5}}}}},
      {"strings",
       {{"count", "{{ event.payload['data']['count'] }}"},
        {"members", " {{ event.payload['data']['members'] }} "},
        {"data", "{{ event.payload['data']['changelog']['attributes'] }}"},
        {"sentence",
         "node {{ event.payload['data']['node_id'] }} on {{ event.resource['infrahub.branch.name'] "
         "}}"},
        {"block", "{% if event.payload['data']['count'] > 2 %}many{% endif %}"},
        {"in_list",
         {"{{ event.event }}", "plain", {{"deep", "{{ event.payload['data']['kind'] }}"}}}},
        {"missing_label", "{{ event.resource['infrahub.missing'] }}x"}}},
      {"invalid_json", {{"bad", json_case("{not json")}}},
      {"invalid_json_from_template", {{"bad", json_case(jinja_case("{{ event.event }}"))}}},
      {"typed_undefined", {{"bad", "{{ event.resource['infrahub.missing'] }}"}}},
      {"render_error", {{"bad", jinja_case("{{ 1 / 0 }}")}}},
  };
}

}  // namespace

TEST_CASE("event_context renders event.occurred as Python's str(datetime)") {
  json context = eventwire::event_context(node_updated_event());
  CHECK(context["event"]["occurred"] == "2025-03-14 09:26:53.589793+00:00");
  CHECK(Template::compile("{{ event.occurred }}|{{ event.id }}|{{ event.follows }}")
            .render(context) ==
        "2025-03-14 09:26:53.589793+00:00|0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f|None");
  CHECK(Template::compile("{{ event.resource['infrahub.branch.name'] }}").render(context) ==
        "main");
}

TEST_CASE("hydrate gives what Prefect's hydration with Jinja2 gives, for the seed's parameters") {
  json context = eventwire::event_context(node_updated_event());
  json request = {{"contexts", {{"event", context}}}, {"hydrate", json::array()}};
  auto cases = seed_parameters();
  for (const auto& [name, parameters] : cases) {
    for (bool typed : {true, false}) {
      request["hydrate"].push_back({{"id", name + (typed ? "/typed" : "/strings")},
                                    {"parameters", parameters},
                                    {"ctx", "event"},
                                    {"typed", typed}});
    }
  }
  json answers = ask_jinja(request)["hydrate"];
  for (const auto& c : request["hydrate"]) {
    const json& want = answers.at(c["id"].get<std::string>());
    INFO("case " << c["id"].get<std::string>() << ": " << c["parameters"].dump());
    INFO("prefect+jinja2: " << want.dump());
    try {
      json got = eventwire::hydrate(c["parameters"], context, Environment::prefect(),
                                    {.typed_single_expressions = c["typed"].get<bool>()});
      INFO("eventwire: " << got.dump());
      CHECK(want.contains("parameters"));
      CHECK(got == want.value("parameters", json()));
    } catch (const HydrationError& e) {
      INFO("eventwire error: " << e.what());
      REQUIRE(want.contains("error"));
      // Same failure class: "Invalid jinja: ..." or "Invalid JSON: ...".
      std::string want_message = want["error"]["message"];
      CHECK(e.message().substr(0, 13) == want_message.substr(0, 13));
    }
  }
}

TEST_CASE("hydrate keeps the seed's values typed and names failing parameters") {
  json context = eventwire::event_context(node_updated_event());
  json out = eventwire::hydrate(seed_parameters()[5].second, context);
  CHECK(out["timeout"] == 300);
  CHECK(out["branch_name"] == "main");
  CHECK(out["event_data"]["count"] == 3);
  CHECK(out["event_data"]["changelog"]["attributes"]["weight"]["value"].is_number_float());
  json broken = {{"outer", {{"list", json::array({"ok", json_case("{nope")})}}}};
  try {
    eventwire::hydrate(broken, context);
    FAIL("no error");
  } catch (const HydrationError& e) {
    CHECK(e.path() == "outer.list[1]");
    CHECK(std::string(e.what()).rfind("outer.list[1]: Invalid JSON: ", 0) == 0);
  }
}

TEST_CASE("validate_parameters rejects a broken template at registration, naming it") {
  json parameters = {{"good", "{{ event.id }}"}, {"bad_template", "{{ event.id }"}};
  try {
    eventwire::validate_parameters(parameters);
    FAIL("no error");
  } catch (const HydrationError& e) {
    CHECK(e.path() == "bad_template");
    CHECK(std::string(e.what()) == "bad_template: Invalid jinja: unexpected '}'");
  }
  CHECK_NOTHROW(eventwire::validate_parameters(seed_parameters()[0].second));
  CHECK_THROWS_AS(eventwire::validate_parameters({{"x", jinja_case("{{ x | nosuchfilter }}")}}),
                  HydrationError);
  // Prefect's validate_user_template: at most 10 for loops, nested at most 2 deep.
  std::string eleven;
  for (int i = 0; i < 11; ++i)
    eleven += "{% for x in y %}{% endfor %}";
  CHECK_THROWS_WITH(eventwire::validate_parameters({{"p", eleven}}),
                    Catch::Contains("Contains 11 for loops"));
  CHECK_THROWS_WITH(eventwire::validate_parameters({{"p",
                                                     "{% for a in x %}{% for b in a %}{% for c in "
                                                     "b %}{% endfor %}{% endfor %}{% endfor %}"}}),
                    Catch::Contains("depth of 3"));
}

TEST_CASE("syntax errors carry Jinja's message, line and column") {
  try {
    Template::compile("line one\n{{ a b }}");
    FAIL("no error");
  } catch (const TemplateSyntaxError& e) {
    CHECK(std::string(e.what()) == "expected token 'end of print statement', got 'b'");
    CHECK(e.line() == 2);
    CHECK(e.column() == 6);
  }
  CHECK_THROWS_WITH(Template::compile("{{ x | nope }}"), "No filter named 'nope'.");
  CHECK_THROWS_WITH(
      Template::compile("{% if x %}"),
      Catch::StartsWith("Unexpected end of template. Jinja was looking for the following "
                        "tags: 'elif' or 'else' or 'endif'."));
  CHECK_THROWS_AS(Template::compile("{% include 'x' %}").render({}), TemplateRuntimeError);
}

TEST_CASE("undefined policies raise Jinja's UndefinedError with its message") {
  json context = {{"d", json::object()}};
  auto lenient = Environment::jinja_sandbox();
  CHECK(lenient.compile("[{{ missing }}]").render(context) == "[]");
  CHECK_THROWS_WITH(lenient.compile("{{ d.nokey.deeper }}").render(context),
                    "'dict object' has no attribute 'nokey'");
  CHECK(Environment::prefect().compile("[{{ d.nokey.deeper }}]").render(context) == "[]");
  auto strict = Environment::prefect().set_undefined(UndefinedPolicy::strict);
  CHECK_THROWS_WITH(strict.compile("{{ missing }}").render(context), "'missing' is undefined");
  CHECK(strict.compile("{{ missing is defined }}{{ missing | default('d') }}").render(context) ==
        "Falsed");
}

TEST_CASE("str.format is a method of strings only; unknown methods still fail when called") {
  auto env = Environment::jinja_sandbox();
  // Methods are looked up when the template runs: these compile, and fail as Jinja2 does.
  auto misspelt = env.compile("{{ '{0}'.formatt(1) }}");
  CHECK_THROWS_WITH(misspelt.render({}), "'str object' has no attribute 'formatt'");
  CHECK_THROWS_AS(env.compile("{{ n.format(1) }}").render({{"n", 1}}), UndefinedError);
  CHECK_THROWS_AS(env.compile("{{ d.format_map(d) }}").render({{"d", json::object()}}),
                  UndefinedError);
  CHECK(env.compile("{{ '{}-{x}'.format(1, x='y') }}").render({}) == "1-y");
  // Python's exception types, as TemplateRuntimeError::python_type.
  auto python_type = [&](const std::string& source) {
    try {
      env.compile(source).render({});
    } catch (const TemplateRuntimeError& e) {
      return e.python_type();
    }
    return std::string("no error");
  };
  CHECK(python_type("{{ '{}{0}'.format(1) }}") == "ValueError");
  CHECK(python_type("{{ '{1}'.format(1) }}") == "IndexError");
  CHECK(python_type("{{ '{x}'.format(1) }}") == "KeyError");
  CHECK(python_type("{{ '{:q}'.format(1) }}") == "ValueError");
  CHECK(python_type("{{ '{:>5}'.format(none) }}") == "TypeError");
}

TEST_CASE("str.format's widths and precisions are bounded by max_output_bytes") {
  eventwire::TemplateLimits limits;
  limits.max_output_bytes = 10'000;
  auto env = Environment::jinja_sandbox().set_limits(limits);
  CHECK(env.compile("{{ '{:9999}'.format(1) | length }}").render({}) == "9999");
  CHECK_THROWS_AS(env.compile("{{ '{:100000}'.format(1) }}").render({}), TemplateRuntimeError);
  CHECK_THROWS_AS(env.compile("{{ '{:é>100000}'.format('x') }}").render({}), TemplateRuntimeError);
  CHECK_THROWS_AS(env.compile("{{ '{:.100000f}'.format(1.5) }}").render({}), TemplateRuntimeError);
  CHECK_THROWS_AS(env.compile("{{ '{:.100000}'.format(1.5) }}").render({}), TemplateRuntimeError);
  CHECK_THROWS_AS(
      env.compile("{% for i in range(200) %}{{ '{:>100}'.format(i) }}{% endfor %}").render({}),
      TemplateRuntimeError);
}

TEST_CASE("host filters and globals, environments copied on write") {
  auto env = Environment::prefect();
  env.add_filter("shout", [](const json& value, std::span<const json> args) {
    std::string suffix = args.empty() ? "!" : args[0].get<std::string>();
    return json(value.get<std::string>() + suffix);
  });
  env.add_global("site", "https://infrahub.example");
  CHECK(env.compile("{{ event | shout }} {{ event | shout('?') }} {{ site }} {{ ['a'] | "
                    "map('shout') | list }}")
            .render({{"event", "created"}}) == "created! created? https://infrahub.example ['a!']");
  // The context wins over a global.
  CHECK(env.compile("{{ site }}").render({{"site", "mine"}}) == "mine");
  // A copy configured further does not change the original, nor templates compiled before.
  auto copy = env;
  auto before = env.compile("{{ 1 | shout }}");
  copy.add_filter("shout", [](const json&, std::span<const json>) { return json("replaced"); });
  CHECK_THROWS_AS(before.render({}), TemplateRuntimeError);  // 1 is not a string: the filter throws
  CHECK(copy.compile("{{ 1 | shout }}").render({}) == "replaced");
  CHECK_THROWS_AS(Environment::prefect().compile("{{ 1 | shout }}"), TemplateSyntaxError);
}

TEST_CASE("Prefect's environment returns text without markers verbatim") {
  CHECK(Template::compile("Hello\n").render({}) == "Hello\n");
  CHECK(Template::compile("a {# x #} b").render({}) == "a {# x #} b");
  CHECK(Environment::jinja_sandbox().compile("Hello\n").render({}) == "Hello");
  CHECK_THROWS_AS(Template::compile("{# unclosed"), TemplateSyntaxError);
  CHECK(eventwire::is_template("a {{ b }}"));
  CHECK(eventwire::is_template("{% if %}"));
  CHECK_FALSE(eventwire::is_template("a { b } {# c #}"));
}

TEST_CASE("limits bound output, loops, nesting and source size") {
  eventwire::TemplateLimits limits;
  limits.max_output_bytes = 10'000;
  limits.max_loop_iterations = 500;
  limits.max_nesting_depth = 20;
  limits.max_source_bytes = 5'000;
  limits.max_range_length = 1000;
  auto env = Environment::prefect().set_limits(limits);
  CHECK_THROWS_AS(env.compile("{% for i in range(100) %}{{ 'x' * 1000 }}{% endfor %}").render({}),
                  TemplateRuntimeError);
  CHECK_THROWS_AS(env.compile("{{ 'x' * 100000000000 }}").render({}), TemplateRuntimeError);
  CHECK_THROWS_AS(
      env.compile("{% for i in range(30) %}{% for j in range(30) %}{% endfor %}{% endfor %}")
          .render({}),
      TemplateRuntimeError);
  CHECK_THROWS_AS(env.compile("{{ " + std::string(50, '(') + "1" + std::string(50, ')') + " }}"),
                  TemplateSyntaxError);
  std::string deep_ifs;
  for (int i = 0; i < 50; ++i)
    deep_ifs += "{% if true %}";
  CHECK_THROWS_AS(env.compile(deep_ifs), TemplateSyntaxError);
  CHECK_THROWS_AS(env.compile(std::string(6'000, 'x')), TemplateSyntaxError);
  CHECK_THROWS_AS(Template::compile("{{ range(101) | list }}").render({}), TemplateRuntimeError);
  CHECK(Environment::jinja_sandbox().compile("{{ range(1000) | length }}").render({}) == "1000");
}

TEST_CASE("a compiled template renders concurrently without copying the context") {
  json context = eventwire::event_context(node_updated_event());
  auto t = Template::compile(
      "{% for r in event.related %}{{ r['prefect.resource.role'] }}{% endfor %} "
      "{{ event.payload['data'] | tojson }} {% set ns = namespace(n=0) %}{% for m in "
      "event.payload['data']['members'] %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
  std::string expected = t.render(context);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      std::string out;
      for (int k = 0; k < 500; ++k) {
        out.clear();
        t.render_to(out, context);
        if (out != expected) ++mismatches;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(mismatches == 0);
}

TEST_CASE("no input crashes the engine: random token soup compiles or fails with a TemplateError") {
  const char* pieces[] = {
      "{{",  "}}",        "{%",      "%}",     "{#",        "#}",     "-",       "+",
      "if",  "for",       "in",      "else",   "endif",     "endfor", "set",     "=",
      "x",   "d",         "'s'",     "\"",     "1",         "2.5",    "(",       ")",
      "[",   "]",         "{",       "}",      "|",         "upper",  "tojson",  "default",
      "is",  "defined",   "not",     "and",    "or",        "~",      "*",       "**",
      "/",   "//",        "%",       ".",      ",",         ":",      "loop",    "range",
      " ",   "\n",        "raw",     "endraw", "namespace", "ns.a",   "items()", "é",
      "\\",  "0",         "-1",      "macro",  "endmacro",  "call",   "endcall", "caller()",
      "m()", "recursive", "loop(x)", "'%s'",   "**d",       "*x",     "varargs"};
  json context = {{"x", {1, 2, 3}}, {"d", {{"a", {{"b", nullptr}}}}}, {"s", "text"}};
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  int compiled = 0, rendered = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string source;
    auto length = next() % 24;
    for (std::size_t k = 0; k < length; ++k)
      source += pieces[next() % std::size(pieces)];
    for (auto env : {Environment::prefect(), Environment::jinja_sandbox()}) {
      try {
        auto t = env.compile(source);
        ++compiled;
        t.render(context);
        ++rendered;
      } catch (const eventwire::TemplateError&) {
      }
    }
  }
  CHECK(compiled > 0);
  CHECK(rendered > 0);
}

TEST_CASE("CompiledParameters compiles once and hydrates like hydrate, from many threads") {
  json context = eventwire::event_context(node_updated_event());
  for (const auto& [name, parameters] : seed_parameters()) {
    INFO(name);
    json direct;
    std::string direct_error;
    try {
      direct = eventwire::hydrate(parameters, context);
    } catch (const HydrationError& e) {
      direct_error = e.what();
    }
    auto compiled = eventwire::CompiledParameters::compile(parameters);
    CHECK(compiled.parameters() == parameters);
    if (direct_error.empty()) {
      CHECK(compiled.hydrate(context) == direct);
    } else {
      CHECK_THROWS_WITH(compiled.hydrate(context), direct_error);
    }
  }
  CHECK_THROWS_WITH(eventwire::CompiledParameters::compile({{"bad_template", "{{ x }"}}),
                    "bad_template: Invalid jinja: unexpected '}'");
  auto compiled = eventwire::CompiledParameters::compile(seed_parameters()[0].second);
  json expected = compiled.hydrate(context);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k)
        mismatches += compiled.hydrate(context) != expected;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(mismatches == 0);
}
