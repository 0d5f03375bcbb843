// ContextPaths: what a template reads of its context, and the projections built from it. The
// contract under test: a template renders the same with the projected context as with the whole.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "eventwire/infrahub/triggers.hpp"
#include "eventwire/template.hpp"
#include "template_corpus.hpp"

namespace ew = eventwire;
using ew::json;
using Paths = std::vector<std::vector<std::string>>;

namespace {

Paths reads(std::string_view source) {
  return ew::Template::compile(source).reads().paths();
}

// Output or the error's type: what the differential tests compare.
std::string outcome(const ew::Template& t, const json& context) {
  try {
    return "ok:" + t.render(context);
  } catch (const ew::UndefinedError&) {
    return "UndefinedError";
  } catch (const ew::TemplateRuntimeError&) {
    return "TemplateRuntimeError";
  } catch (const ew::TemplateError&) {
    return "TemplateError";
  }
}

nlohmann::json unordered(const json& j) {
  return nlohmann::json::parse(j.dump());
}

// The hydrated parameters as JSON text, or the error.
template <typename Context>
std::string hydrated(const ew::CompiledParameters& parameters, Context& context) {
  try {
    return parameters.hydrate(context).dump(-1, ' ', false, ew::json::error_handler_t::replace);
  } catch (const ew::HydrationError& e) {
    return std::string("error: ") + e.what();
  }
}

ew::Event node_event() {
  return {.event = "infrahub.node.created",
          .resource = {{"prefect.resource.id", "infrahub.node.0190c2a4-d1"},
                       {"infrahub.node.kind", "NetworkDevice"},
                       {"infrahub.branch.name", "main"}},
          .related = {{{"prefect.resource.id", "infrahub.account.a1"},
                       {"prefect.resource.role", "infrahub.account"}}},
          .payload = {{"data", {{"node_id", "0190c2a4-d1"}, {"fields", {"name", "ip"}}}},
                      {"context", {{"branch", {{"name", "main"}}}}}},
          .follows = ew::Uuid::v7()};
}

}  // namespace

TEST_CASE("a template reads the chains of constant lookups it names", "[context_paths]") {
  CHECK(reads("{{ event.payload['data']['node_id'] }}") ==
        Paths{{"event", "payload", "data", "node_id"}});
  CHECK(reads("{{ event.resource['infrahub.branch.name'] }} {{ event.occurred }}") ==
        Paths{{"event", "occurred"}, {"event", "resource", "infrahub.branch.name"}});
  // A shorter read covers a longer one; the order of appearance does not matter.
  CHECK(reads("{{ event.payload.data.x }}{{ event.payload | tojson }}") ==
        Paths{{"event", "payload"}});
  // Used other than by a constant lookup: read whole from there.
  CHECK(reads("{% for k in event.payload %}{{ k }}{% endfor %}") ==
        Paths{{"event", "payload"}, {"k"}});
  CHECK(reads("{{ event.payload[event.event] }}") ==
        Paths{{"event", "event"}, {"event", "payload"}});
  CHECK(reads("{{ event.related[0]['prefect.resource.id'] }}") == Paths{{"event", "related"}});
  // Dict methods depend on every key: `items`, and `get` even when written as a subscript.
  CHECK(reads("{{ event.payload.items() | list }}") == Paths{{"event", "payload"}});
  CHECK(reads("{{ event.payload['get'] }}") == Paths{{"event", "payload"}});
  CHECK(reads("{{ event }}") == Paths{{"event"}});
  // Text without markers is passed through and reads nothing.
  CHECK(reads("plain text").empty());
}

TEST_CASE("ContextPaths keeps its paths sorted and minimal", "[context_paths]") {
  ew::ContextPaths p;
  const std::string_view deep[] = {"event", "payload", "data"};
  const std::string_view shallow[] = {"event", "payload"};
  const std::string_view other[] = {"event", "id"};
  p.add(deep);
  p.add(other);
  CHECK(p.paths() == Paths{{"event", "id"}, {"event", "payload", "data"}});
  p.add(shallow);
  CHECK(p.paths() == Paths{{"event", "id"}, {"event", "payload"}});
  p.add(deep);  // covered
  CHECK(p.paths() == Paths{{"event", "id"}, {"event", "payload"}});
  CHECK_FALSE(p.reads_everything());
  p.merge(ew::ContextPaths::everything());
  CHECK(p.reads_everything());
  CHECK(p.paths() == Paths{{}});
}

TEST_CASE("project keeps only what is read, absent keys stay absent", "[context_paths]") {
  const json context = {
      {"event", {{"payload", {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}}}, {"event", "x"}}},
      {"other", 5}};
  auto t = ew::Template::compile("{{ event.payload.b.c }}{{ event.payload.zz }}{{ nope }}");
  CHECK(t.reads().project(context) == json{{"event", {{"payload", {{"b", {{"c", 2}}}}}}}});
  CHECK(ew::ContextPaths().project(context) == json::object());
  CHECK(ew::ContextPaths::everything().project(context) == context);
}

TEST_CASE("every corpus template renders the same from its projected context", "[context_paths]") {
  const json contexts = json::parse(corpus::contexts_json);
  ew::Environment env = ew::Environment::prefect();
  std::size_t compared = 0, projected_smaller = 0;
  for (const auto& c : corpus::templates()) {
    ew::Template t;
    try {
      t = env.compile(c.source);
    } catch (const ew::TemplateError&) {
      continue;  // syntax errors are the differential tests' business
    }
    const json& context = contexts.at(c.context);
    const json projected = t.reads().project(context);
    INFO(c.source);
    CHECK(outcome(t, projected) == outcome(t, context));
    ++compared;
    if (projected.dump().size() < context.dump().size()) ++projected_smaller;
  }
  CHECK(compared > 400);
  CHECK(projected_smaller > compared / 2);  // the projection does save work
}

TEST_CASE("event_context(event, reads) is the projection of event_context(event)",
          "[context_paths]") {
  const ew::Event event = node_event();
  const json full = ew::event_context(event);
  for (const char* source :
       {"{{ event.payload['data']['node_id'] }}", "{{ event.resource['infrahub.branch.name'] }}",
        "{{ event.resource.missing }}{{ event.follows }}{{ event.id }}",
        "{{ event.occurred }} {{ event.event }} {{ event.related | tojson }}",
        "{{ event.resource | tojson }}", "{{ event | tojson }}", "{{ other }}", "text"}) {
    INFO(source);
    const ew::ContextPaths reads = ew::Template::compile(source).reads();
    // Objects on the way to a read value are only looked into, so their key order is free.
    CHECK(unordered(ew::event_context(event, reads)) == unordered(reads.project(full)));
  }
  CHECK(ew::event_context(event, ew::ContextPaths::everything()) == full);
}

TEST_CASE("parameters hydrate the same from the context their templates read", "[context_paths]") {
  const ew::Event event = node_event();
  const json full = ew::event_context(event);
  std::size_t actions = 0;
  auto all = ew::infrahub::builtin_triggers();
  for (const auto& d : ew::infrahub::example_triggers())
    all.push_back(d);
  for (const auto& definition : all) {
    for (const auto& action : definition.actions) {
      auto compiled = ew::CompiledParameters::compile(action.parameters);
      INFO(definition.name << ": " << action.parameters.dump());
      const json partial = ew::event_context(event, compiled.reads());
      ew::EventTemplateContext lazy(event);
      const std::string expected = hydrated(compiled, full);
      CHECK(hydrated(compiled, partial) == expected);
      CHECK(hydrated(compiled, lazy) == expected);
      ++actions;
    }
  }
  CHECK(actions > 20);
}

TEST_CASE("a template whose text comes from hydration makes the parameters read everything",
          "[context_paths]") {
  const json dynamic = {
      {"p",
       {{"__prefect_kind", "jinja"}, {"template", {{"__prefect_kind", "none"}, {"value", "x"}}}}}};
  CHECK(ew::CompiledParameters::compile(dynamic).reads().reads_everything());
  const json fixed = {{"p", "{{ event.payload.data }}"}, {"q", 3}};
  CHECK(ew::CompiledParameters::compile(fixed).reads().paths() ==
        Paths{{"event", "payload", "data"}});
}

TEST_CASE("a parameter that is one lookup hydrates from the event as from its context",
          "[context_paths]") {
  ew::Event event = node_event();
  event.payload["v"] = {
      {"n", 3},   {"f", 1.5},      {"b", true},  {"z", nullptr}, {"o", {{"b", 1}, {"a", 2}}},
      {"s", "x"}, {"bad", "\xff"}, {"l", {3, 1}}};
  event.follows.reset();
  std::vector<std::string> lookups = {"event.event",
                                      "event.occurred",
                                      "event.id",
                                      "event.follows",
                                      "event.resource['infrahub.node.kind']",
                                      "event.resource['absent']",
                                      "event.resource",
                                      "event.related",
                                      "event.payload.missing.x",
                                      "event.payload['data'].node_id"};
  for (const char* key : {"n", "f", "b", "z", "o", "s", "bad", "l"})
    lookups.push_back(fmt::format("event.payload.v['{}']", key));
  const json full = ew::event_context(event);
  for (bool typed : {true, false}) {
    for (const auto& lookup : lookups) {
      for (const json& parameters :
           {json{{"p", fmt::format("{{{{ {} }}}}", lookup)}},
            ew::infrahub::json_parameter(fmt::format("{{{{ {} | tojson }}}}", lookup))}) {
        INFO(parameters.dump() << " typed=" << typed);
        auto compiled = ew::CompiledParameters::compile(parameters, ew::Environment::prefect(),
                                                        {.typed_single_expressions = typed});
        ew::EventTemplateContext lazy(event);
        CHECK(hydrated(compiled, lazy) == hydrated(compiled, full));
      }
    }
  }
}

TEST_CASE("an EventTemplateContext builds once, and wider only when a reader needs more",
          "[context_paths]") {
  const ew::Event event = node_event();
  ew::EventTemplateContext context(event);
  const auto payload = ew::Template::compile("{{ event.payload.data.node_id }}").reads();
  const auto resource = ew::Template::compile("{{ event.resource['infrahub.node.kind'] }}").reads();
  const json* first = &context.get(payload);
  CHECK(*first == json{{"event", {{"payload", {{"data", {{"node_id", "0190c2a4-d1"}}}}}}}});
  CHECK(&context.get(payload) == first);  // covered: not rebuilt
  const json& wider = context.get(resource);
  CHECK(wider["event"]["payload"]["data"]["node_id"] == "0190c2a4-d1");
  CHECK(wider["event"]["resource"] == json{{"infrahub.node.kind", "NetworkDevice"}});
  CHECK(unordered(context.get(ew::ContextPaths::everything())) ==
        unordered(ew::event_context(event)));
}
