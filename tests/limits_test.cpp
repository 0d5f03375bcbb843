// Every limit of docs/limits.md, crossed: the default holds at the boundary, one past it is
// refused with the typed error and the message the document promises, and a configured value
// moves the boundary. The defaults are read from docs/limits.md's table and compared with the
// structs', so the document cannot drift from the code.
#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "eventwire/error.hpp"
#include "eventwire/event.hpp"
#include "eventwire/match.hpp"
#include "eventwire/service.hpp"
#include "eventwire/store.hpp"
#include "eventwire/template.hpp"
#include "eventwire/trigger.hpp"

using eventwire::Environment;
using eventwire::Event;
using eventwire::EventLimits;
using eventwire::LimitError;
using eventwire::RelatedResource;
using eventwire::TemplateLimits;

#ifndef EVENTWIRE_SOURCE_DIR
#error "EVENTWIRE_SOURCE_DIR must name the source tree (for docs/limits.md)"
#endif

namespace {

Event minimal() {
  return Event{.event = "infrahub.node.created",
               .resource = {{"prefect.resource.id", "infrahub.node.1"}}};
}

/// The error `f` throws, as type E (the test fails when it throws nothing or something else).
template <typename E>
E error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  FAIL("no exception of the expected type");
  throw;
}

std::string nested_json(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string event_text_with_payload(const std::string& payload_value) {
  return R"({"occurred": "2025-01-01T00:00:00Z", "event": "e", "resource": )"
         R"({"prefect.resource.id": "r"}, "payload": {"p": )" +
         payload_value + "}}";
}

/// `name -> default` from the table of docs/limits.md (first column `name`, third the default).
std::map<std::string, std::string> documented_defaults() {
  std::ifstream file(EVENTWIRE_SOURCE_DIR "/docs/limits.md");
  REQUIRE(file);
  // Rows read "| `Name.member` | what it bounds | default | error |". Plain string handling,
  // not std::regex: GCC 12 warns inside <regex> under the sanitizer presets.
  auto trim = [](std::string text) {
    const auto first = text.find_first_not_of(' ');
    const auto last = text.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  };
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');)
      cells.push_back(trim(cell));
    if (cells.size() < 3 || cells[0].size() < 3 || cells[0].back() != '`') continue;
    out[cells[0].substr(1, cells[0].size() - 2)] = cells[2];
  }
  return out;
}

std::string with_separators(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), "'");
  }
  return digits;
}

}  // namespace

TEST_CASE("docs/limits.md states every default the code has") {
  const auto doc = documented_defaults();
  const EventLimits event;
  const TemplateLimits prefect = Environment::prefect().limits();
  const TemplateLimits sandbox = Environment::jinja_sandbox().limits();
  const eventwire::MemoryStoreLimits store;
  const eventwire::ServiceOptions service;
  const std::map<std::string, std::string> code{
      {"EventLimits.max_labels_per_resource", with_separators(event.max_labels_per_resource)},
      {"EventLimits.max_related_resources", with_separators(event.max_related_resources)},
      {"EventLimits.max_event_name_length", with_separators(event.max_event_name_length)},
      {"EventLimits.max_event_size_bytes", with_separators(event.max_event_size_bytes)},
      {"EventLimits.max_input_bytes", with_separators(event.max_input_bytes)},
      {"EventLimits.max_json_depth", with_separators(event.max_json_depth)},
      {"TemplateLimits.max_source_bytes", with_separators(prefect.max_source_bytes)},
      {"TemplateLimits.max_nesting_depth", with_separators(prefect.max_nesting_depth)},
      {"TemplateLimits.max_output_bytes", with_separators(prefect.max_output_bytes)},
      {"TemplateLimits.max_loop_iterations", with_separators(prefect.max_loop_iterations)},
      {"TemplateLimits.max_range_length",
       with_separators(prefect.max_range_length) + " (Prefect), " +
           with_separators(sandbox.max_range_length) + " (Jinja sandbox)"},
      {"MemoryStoreLimits.max_events", with_separators(store.max_events)},
      {"MemoryStoreLimits.max_bytes", store.max_bytes == 0 ? "0 (unbounded)" : "?"},
      {"ServiceOptions.queue_capacity", with_separators(service.queue_capacity)},
      {"ServiceOptions.max_level", with_separators(static_cast<std::uint64_t>(service.max_level))},
  };
  for (const auto& [name, value] : code) {
    INFO(name);
    REQUIRE(doc.count(name) == 1);
    CHECK(doc.at(name) == value);
  }
}

TEST_CASE("Event limits: one past the default is a LimitError naming the field and the limit") {
  SECTION("labels per resource, counted while reading, before anything is built") {
    std::string labels = R"("prefect.resource.id": "r")";
    for (int i = 1; i < 500; ++i)
      labels += ", \"l" + std::to_string(i) + "\": \"v\"";
    const std::string at_limit = R"({"occurred": "2025-01-01T00:00:00Z", "event": "e", )"
                                 R"("resource": {)" +
                                 labels + "}}";
    CHECK(Event::parse(at_limit).resource.size() == 500);
    const std::string over = R"({"occurred": "2025-01-01T00:00:00Z", "event": "e", )"
                             R"("resource": {)" +
                             labels + R"(, "one": "more"}})";
    const auto e = error_of<LimitError>([&] { Event::parse(over); });
    CHECK(e.field() == "resource");
    CHECK(e.rule() == "has 501 labels; at most 500 are allowed (max_labels_per_resource)");
    CHECK(Event::parse(over, {.max_labels_per_resource = 501}).resource.size() == 501);
  }
  SECTION("labels per related resource") {
    Event event = minimal();
    event.related.push_back(
        RelatedResource{{"prefect.resource.id", "r"}, {"prefect.resource.role", "x"}, {"a", "1"}});
    const auto e = error_of<LimitError>([&] { event.validate({.max_labels_per_resource = 2}); });
    CHECK(e.field() == "related[0]");
    CHECK(e.rule() == "has 3 labels; at most 2 are allowed (max_labels_per_resource)");
  }
  SECTION("related resources") {
    Event event = minimal();
    for (int i = 0; i < 101; ++i) {
      event.related.push_back(RelatedResource{{"prefect.resource.id", std::to_string(i)},
                                              {"prefect.resource.role", "r"}});
    }
    const auto e = error_of<LimitError>([&] { event.validate(); });
    CHECK(
        e.what() ==
        std::string("related: has 101 resources; at most 100 are allowed (max_related_resources)"));
    event.related.pop_back();
    CHECK_NOTHROW(event.validate());
  }
  SECTION("event name length, in characters") {
    Event event = minimal();
    event.event = std::string(1023, 'a') + "\xc3\xa9";  // 1024 characters, 1025 bytes
    CHECK_NOTHROW(event.validate());
    event.event += "b";
    const auto e = error_of<LimitError>([&] { event.validate(); });
    CHECK(e.field() == "event");
    CHECK(e.rule() ==
          "is 1025 characters; event names must be at most 1024 characters "
          "(max_event_name_length)");
    CHECK_NOTHROW(event.validate({.max_event_name_length = 1025}));
  }
  SECTION("event size as compact JSON") {
    Event event = minimal();
    const std::size_t base = event.dump().size();
    const EventLimits limits{.max_event_size_bytes = base + 100};
    event.payload["p"] = "";
    const std::size_t with_key = event.dump().size();  // `"p":""` added
    event.payload["p"] = std::string(base + 100 - with_key, 'x');
    CHECK(event.dump().size() == base + 100);
    CHECK_NOTHROW(event.validate(limits));
    event.payload["p"] = event.payload["p"].get<std::string>() + "x";
    const auto e = error_of<LimitError>([&] { event.validate(limits); });
    CHECK(e.field() == "event");
    CHECK(e.rule() == "is " + std::to_string(base + 101) + " bytes as JSON; at most " +
                          std::to_string(base + 100) + " bytes are allowed (max_event_size_bytes)");
  }
  SECTION("raw input size, checked before parsing") {
    const std::string text = event_text_with_payload("\"" + std::string(100, 'x') + "\"");
    const EventLimits limits{.max_input_bytes = text.size() - 1};
    const auto e = error_of<LimitError>([&] { Event::parse(text, limits); });
    CHECK(e.field() == "event JSON");
    CHECK(e.rule() == "is " + std::to_string(text.size()) + " bytes; at most " +
                          std::to_string(text.size() - 1) + " bytes are read");
    CHECK_NOTHROW(Event::parse(text, {.max_input_bytes = text.size()}));
  }
  SECTION("payload depth, in text and in a built event") {
    // payload {"p": [[...]]}: the payload itself is one level.
    CHECK_NOTHROW(Event::parse(event_text_with_payload(nested_json(199))));
    const auto parsed =
        error_of<LimitError>([&] { Event::parse(event_text_with_payload(nested_json(200))); });
    CHECK_THAT(parsed.rule(), Catch::Contains("nests deeper than 200 levels (max_json_depth)"));

    Event event = minimal();
    event.payload = eventwire::json::parse(R"({"p": )" + nested_json(199) + "}");
    CHECK_NOTHROW(event.validate());
    event.payload = eventwire::json::parse(R"({"p": )" + nested_json(200) + "}");
    const auto built = error_of<LimitError>([&] { event.validate(); });
    CHECK(built.what() == std::string("payload: nests deeper than 200 levels (max_json_depth)"));
    CHECK_NOTHROW(event.validate({.max_json_depth = 201}));
    // Invalid UTF-8 met first does not end the depth check: the event is never written out.
    event.payload["a"] = "\xff";
    CHECK(error_of<LimitError>([&] { event.validate(); }).field() == "payload");
    event.payload = {{"a", "\xff"}, {"p", eventwire::json::array()}};
    CHECK_THROWS_AS(event.validate(), eventwire::ValidationError);
    // A payload far deeper than the limit is refused without walking it all.
    eventwire::json deep = eventwire::json::array();
    for (int i = 0; i < 100'000; ++i) {
      eventwire::json outer = eventwire::json::array();
      outer.push_back(std::move(deep));
      deep = std::move(outer);
    }
    event.payload = {{"p", std::move(deep)}};
    CHECK(error_of<LimitError>([&] { event.validate(); }).field() == "payload");
  }
  SECTION("trigger JSON depth") {
    const std::string deep = R"({"events": [], "match": {"a": )" + nested_json(300) + "}}";
    const auto e = error_of<LimitError>([&] { eventwire::EventTrigger::parse(deep); });
    CHECK(e.field() == "trigger JSON");
    CHECK(e.rule() == "nests deeper than 200 levels (max_json_depth)");
  }
  SECTION("trigger definition JSON depth and size") {
    const std::string deep = R"({"name": "n", "trigger": {}, "actions": [{"workflow": {"name":)"
                             R"( "w"}, "parameters": {"p": )" +
                             nested_json(300) + "}}]}";
    const auto e = error_of<LimitError>([&] { eventwire::TriggerDefinition::parse(deep); });
    CHECK(e.field() == "trigger definition JSON");
    CHECK(e.rule() == "nests deeper than 200 levels (max_json_depth)");
    const std::string big =
        R"({"name": ")" + std::string(EventLimits{}.max_input_bytes, 'x') + R"(", "trigger": {}})";
    CHECK(error_of<LimitError>([&] { eventwire::TriggerDefinition::parse(big); }).field() ==
          "trigger definition JSON");
  }
}

TEST_CASE("Template limits: crossing one is a template error naming the limit") {
  const eventwire::json context = {{"n", 3}};
  auto with = [](auto change) {
    TemplateLimits limits = Environment::prefect().limits();
    change(limits);
    return Environment::prefect().set_limits(limits);
  };
  SECTION("source size") {
    const auto env = with([](TemplateLimits& l) { l.max_source_bytes = 10; });
    CHECK_NOTHROW(env.compile("{{ 1234 }}"));
    const auto e = error_of<eventwire::TemplateSyntaxError>([&] { env.compile("{{ 12345 }}"); });
    CHECK(e.what() == std::string("template is 11 bytes; at most 10 are compiled "
                                  "(max_source_bytes)"));
  }
  SECTION("nesting depth") {
    auto parens = [](std::size_t depth) {
      return "{{ " + std::string(depth, '(') + "1" + std::string(depth, ')') + " }}";
    };
    const auto env = with([](TemplateLimits& l) { l.max_nesting_depth = 8; });
    const auto e = error_of<eventwire::TemplateSyntaxError>([&] { env.compile(parens(20)); });
    CHECK_THAT(e.what(), Catch::Contains("template nesting is deeper than 8 levels "
                                         "(max_nesting_depth)"));
    CHECK_NOTHROW(Environment::prefect().compile(parens(20)));
    CHECK_THROWS_AS(Environment::prefect().compile(parens(100)), eventwire::TemplateSyntaxError);
  }
  SECTION("output size, also of one string expression") {
    const auto env = with([](TemplateLimits& l) { l.max_output_bytes = 10; });
    CHECK(env.compile("{{ 'x' * 10 }}").render(context) == "xxxxxxxxxx");
    for (const char* source : {"{{ 'x' * 11 }}", "{% for i in range(11) %}x{% endfor %}"}) {
      INFO(source);
      const auto e =
          error_of<eventwire::TemplateRuntimeError>([&] { env.compile(source).render(context); });
      CHECK(e.python_type() == "OverflowError");
      CHECK(e.what() == std::string("output exceeds 10 bytes (max_output_bytes)"));
    }
  }
  SECTION("loop iterations, all loops together") {
    const auto env = with([](TemplateLimits& l) { l.max_loop_iterations = 6; });
    CHECK(env.compile("{% for i in range(3) %}{% for j in range(1) %}.{% endfor %}{% endfor %}")
              .render(context) == "...");
    const auto e = error_of<eventwire::TemplateRuntimeError>([&] {
      env.compile("{% for i in range(3) %}{% for j in range(2) %}.{% endfor %}{% endfor %}")
          .render(context);
    });
    CHECK(e.python_type() == "OverflowError");
    CHECK(e.what() == std::string("more than 6 loop iterations (max_loop_iterations)"));
  }
  SECTION("range length: Prefect's 100, the Jinja sandbox's 100000") {
    CHECK_NOTHROW(Environment::prefect().compile("{{ range(100) | list }}").render(context));
    const auto e = error_of<eventwire::TemplateRuntimeError>(
        [&] { Environment::prefect().compile("{{ range(101) | list }}").render(context); });
    CHECK(e.python_type() == "OverflowError");
    CHECK(e.what() ==
          std::string("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100)."));
    CHECK_NOTHROW(Environment::jinja_sandbox().compile("{{ range(100000) | length }}").render({}));
    CHECK_THROWS_AS(Environment::jinja_sandbox().compile("{{ range(100001) | length }}").render({}),
                    eventwire::TemplateRuntimeError);
  }
  SECTION("range bounds anywhere in int64 (its length was computed with signed overflow)") {
    // Expected output from Jinja2's ImmutableSandboxedEnvironment (python3, jinja2 3.1).
    const auto env = Environment::prefect();
    CHECK(env.compile("{{ range(-9223372036854775807, 9223372036854775807, 9223372036854775807)"
                      " | list }}")
              .render(context) == "[-9223372036854775807, 0]");
    CHECK(env.compile("{{ range(9223372036854775807, -9223372036854775807, -9223372036854775807)"
                      " | list }}")
              .render(context) == "[9223372036854775807, 0]");
    const auto e = error_of<eventwire::TemplateRuntimeError>([&] {
      env.compile("{{ range(-9223372036854775807, 9223372036854775807) | length }}")
          .render(context);
    });
    CHECK(e.python_type() == "OverflowError");
  }
  SECTION("in hydration the error names the parameter") {
    const eventwire::json parameters = {{"ids", "{{ range(101) | list | join(',') }}"}};
    const auto e = error_of<eventwire::HydrationError>(
        [&] { eventwire::hydrate(parameters, context, Environment::prefect()); });
    CHECK_THAT(e.what(), Catch::StartsWith("ids: ") && Catch::Contains("MAX_RANGE (100)"));
  }
}

TEST_CASE("Store limits evict the earliest events; they never refuse one") {
  using namespace std::chrono_literals;
  const auto t0 = eventwire::parse_timestamp("2025-01-01T00:00:00Z");
  auto event_at = [&](int hour) {
    auto e = std::make_shared<Event>(minimal());
    e->occurred = t0 + std::chrono::hours(hour);
    return e;
  };
  SECTION("max_events") {
    eventwire::MemoryEventStore store({.max_events = 3});
    for (int hour : {4, 1, 5, 2, 3})
      CHECK(store.append(event_at(hour)));
    CHECK(store.size() == 3);
    const auto page = store.query({});
    REQUIRE(page.events.size() == 3);
    for (const auto& e : page.events)
      CHECK(e->occurred >= t0 + 3h);
  }
  SECTION("max_bytes") {
    // bytes() is kept only when max_bytes is set: measure one event in a store that bounds it.
    eventwire::MemoryEventStore probe({.max_events = 0, .max_bytes = std::size_t{1} << 40});
    probe.append(event_at(0));
    REQUIRE(probe.bytes() > 0);
    const std::size_t one = probe.bytes();
    eventwire::MemoryEventStore store({.max_events = 0, .max_bytes = 2 * one});
    for (int hour : {1, 2, 3})
      store.append(event_at(hour));
    CHECK(store.size() == 2);
    CHECK(store.bytes() <= 2 * one);
    for (const auto& e : store.query({}).events)
      CHECK(e->occurred >= t0 + 2h);
  }
}
