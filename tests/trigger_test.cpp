#include "eventwire/trigger.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "eventwire/error.hpp"
#include "eventwire/infrahub/triggers.hpp"
#include "eventwire/template.hpp"

using eventwire::Event;
using eventwire::EventTrigger;
using eventwire::ExecuteWorkflow;
using eventwire::TriggerDefinition;
using eventwire::TriggerRegistry;
using eventwire::TriggerType;
using namespace std::chrono_literals;

namespace {

const eventwire::WorkflowDefinition device_validation{.name = "device-validation",
                                                      .required_parameters = {"device_id"}};

TriggerDefinition trigger_on(std::string name, std::set<std::string> events) {
  return TriggerDefinition{.name = std::move(name), .trigger = {.events = std::move(events)}};
}

Event event_named(std::string name, std::string kind = "NetworkDevice") {
  return Event{.event = std::move(name),
               .resource = {{"prefect.resource.id", "infrahub.node.1"},
                            {"infrahub.node.kind", std::move(kind)}}};
}

template <typename Handles>
std::vector<std::string> names(const Handles& handles) {
  std::vector<std::string> out;
  for (const auto& h : handles)
    out.push_back(h->name());
  return out;
}

}  // namespace

TEST_CASE("names follow Infrahub: <type>::<name>, <type>::<branch>::<name>, webhook::<id>") {
  CHECK(trigger_on("custom-device-validation", {}).generated_name() ==
        "builtin::custom-device-validation");
  CHECK(TriggerDefinition{.name = "0190-id", .type = TriggerType::webhook}.generated_name() ==
        "webhook::0190-id");
  CHECK(TriggerDefinition{.name = "dl", .type = TriggerType::display_label_jinja2, .branch = "main"}
            .generated_name() == "display_label_jinja2::main::dl");
  CHECK(eventwire::to_string(TriggerType::action_trigger_rule) == "action_trigger_rule");
  CHECK(eventwire::to_string(TriggerType::action) == "action");
  CHECK(eventwire::trigger_type_from_string("human_friendly_id") == TriggerType::human_friendly_id);
  CHECK(eventwire::trigger_type_from_string("builtin") == TriggerType::builtin);
  CHECK_FALSE(eventwire::trigger_type_from_string("Builtin"));
}

TEST_CASE(
    "registering a second trigger with the same name is a clear error (seed: Duplicate Triggers)") {
  TriggerRegistry registry;
  registry.add(trigger_on("a", {"infrahub.node.created"}));
  CHECK_THROWS_WITH(
      registry.add(trigger_on("a", {"infrahub.node.updated"})),
      Catch::StartsWith("builtin::a: a trigger with this name is already registered"));
  // The same name under another type is another trigger.
  CHECK_NOTHROW(registry.add(TriggerDefinition{.name = "a", .type = TriggerType::webhook}));
  CHECK(registry.size() == 2);
}

TEST_CASE("registration checks patterns and action parameters, naming the trigger") {
  TriggerRegistry registry;
  auto bad_params = trigger_on("v", {"infrahub.node.created"});
  bad_params.actions = {
      ExecuteWorkflow{.workflow = device_validation, .parameters = {{"branch", "x"}}}};
  CHECK_THROWS_WITH(
      registry.add(bad_params),
      "builtin::v: actions[0].parameters: Missing required parameters: {'device_id'} for "
      "workflow device-validation");
  CHECK_THROWS_AS(registry.add(TriggerDefinition{.name = ""}), eventwire::ValidationError);
  auto unnamed_workflow = trigger_on("w", {"infrahub.node.created"});
  unnamed_workflow.actions.push_back(ExecuteWorkflow{});
  CHECK_THROWS_WITH(registry.add(unnamed_workflow),
                    "builtin::w: actions[0].workflow.name: must be non-empty");
  CHECK(registry.size() == 0);
  TriggerRegistry checked([](const TriggerDefinition& d) {
    if (d.name == "refused") throw eventwire::ValidationError("refused", "by the validator");
  });
  CHECK_THROWS_WITH(checked.add(trigger_on("refused", {})), "refused: by the validator");
  CHECK(checked.size() == 0);
}

TEST_CASE("add, find, replace, remove, list sorted by name") {
  TriggerRegistry registry;
  registry.add(trigger_on("b", {"infrahub.node.created"}));
  registry.add(trigger_on("a", {"infrahub.node.created"}));
  CHECK(names(registry.list()) == std::vector<std::string>{"builtin::a", "builtin::b"});
  REQUIRE(registry.find("builtin::a"));
  CHECK(registry.find("a") == nullptr);
  auto replaced = registry.replace(trigger_on("a", {"infrahub.node.deleted"}));
  CHECK(registry.find("builtin::a") == replaced);
  CHECK(registry.candidates("infrahub.node.created").size() == 1);
  CHECK(registry.candidates("infrahub.node.deleted").size() == 1);
  CHECK(registry.remove("builtin::b"));
  CHECK_FALSE(registry.remove("builtin::b"));
  CHECK(registry.candidates("infrahub.node.created").empty());
}

TEST_CASE("candidates: exact names, patterns, every-event triggers, in registration order") {
  TriggerRegistry registry;
  registry.add(trigger_on("exact", {"infrahub.node.created", "infrahub.node.updated"}));
  registry.add(trigger_on("all-node", {"infrahub.node.*"}));
  registry.add(trigger_on("everything", {}));
  registry.add(trigger_on("star", {"*"}));
  registry.add(trigger_on("branch", {"infrahub.branch.created"}));
  registry.add(trigger_on("both", {"infrahub.node.created", "infrahub.*"}));
  registry.add(trigger_on("mid", {"infrahub.*.created"}));
  CHECK(names(registry.candidates("infrahub.node.created")) ==
        std::vector<std::string>{"builtin::exact", "builtin::all-node", "builtin::everything",
                                 "builtin::star", "builtin::both", "builtin::mid"});
  CHECK(names(registry.candidates("infrahub.branch.created")) ==
        std::vector<std::string>{"builtin::everything", "builtin::star", "builtin::branch",
                                 "builtin::both", "builtin::mid"});
  CHECK(names(registry.candidates("prefect.flow-run.Completed")) ==
        std::vector<std::string>{"builtin::everything", "builtin::star"});
  // Prefect's server: `infrahub.node.*` needs at least one character after the dot.
  CHECK(names(registry.candidates("infrahub.node.")) ==
        std::vector<std::string>{"builtin::everything", "builtin::star", "builtin::both"});
}

TEST_CASE("the index returns exactly what a scan of every trigger returns (seeded property test)") {
  std::mt19937 rng(20261127);
  const std::vector<std::string> event_names = {"infrahub.node.created",
                                                "infrahub.node.updated",
                                                "infrahub.node.deleted",
                                                "infrahub.branch.created",
                                                "infrahub.branch.merged",
                                                "infrahub.artifact.generated",
                                                "infrahub.schema.updated",
                                                "prefect.flow-run.Completed",
                                                "infrahub.node.",
                                                "infrahub",
                                                "x",
                                                "",
                                                "\nx"};
  const std::vector<std::string> name_patterns = {"infrahub.node.created",
                                                  "infrahub.node.updated",
                                                  "infrahub.branch.*",
                                                  "infrahub.*",
                                                  "*",
                                                  "infrahub.*.created",
                                                  "infrahub.node.?reated",
                                                  "infrahub.[ab]*",
                                                  "!infrahub.node.created",
                                                  "prefect.*",
                                                  "infrahub.node.*",
                                                  "infrahub.schema.updated",
                                                  "infrahub"};
  const std::vector<std::string> kinds = {"NetworkDevice", "IPAddress", "Tag"};
  const std::vector<std::string> branches = {"main", "!main", "feat*"};
  for (int round = 0; round < 20; ++round) {
    TriggerRegistry registry;
    std::vector<eventwire::TriggerHandle> all;
    int n = std::uniform_int_distribution<int>(1, 60)(rng);
    for (int i = 0; i < n; ++i) {
      std::set<std::string> events;
      int k = std::uniform_int_distribution<int>(0, 3)(rng);
      for (int j = 0; j < k; ++j)
        events.insert(name_patterns[rng() % name_patterns.size()]);
      TriggerDefinition d{.name = "t" + std::to_string(i), .trigger = {.events = events}};
      switch (rng() % 5) {  // plain values (indexed), lists, globs and negations (not indexed)
        case 0:
          d.trigger.match = {{"infrahub.node.kind", kinds[rng() % kinds.size()]}};
          break;
        case 1:
          d.trigger.match = {
              {"infrahub.node.kind", {kinds[rng() % kinds.size()], kinds[rng() % kinds.size()]}}};
          break;
        case 2:
          d.trigger.match = {{"infrahub.node.kind", "!" + kinds[rng() % kinds.size()]}};
          break;
        case 3:
          d.trigger.match = {{"infrahub.node.kind", "*Address"},
                             {"prefect.resource.id", "infrahub.node.1"}};
          break;
        default:
          break;
      }
      if (rng() % 4 == 0) d.trigger.match.set("missing.label", "x");
      switch (rng() % 4) {  // branch filters shared between triggers, one spec or a list
        case 0:
          d.trigger.match_related = {{"prefect.resource.role", "infrahub.branch"},
                                     {"infrahub.resource.label", branches[rng() % 3]}};
          break;
        case 1:
          d.trigger.match_related = eventwire::RelatedSpecification{
              eventwire::ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
                                               {"infrahub.resource.label", "!main"}},
              eventwire::ResourceSpecification{{"prefect.resource.role", "infrahub.account"}}};
          break;
        default:
          break;
      }
      all.push_back(registry.add(d));
    }
    if (round % 3 == 0) registry.remove("builtin::t0");  // the index must follow removals
    std::erase_if(all, [&](const auto& t) { return !registry.find(t->name()); });
    for (int e = 0; e < 100; ++e) {
      Event event =
          event_named(event_names[rng() % event_names.size()], kinds[rng() % kinds.size()]);
      switch (rng() % 3) {
        case 0:
          event.related = {{{"prefect.resource.id", "infrahub.branch.1"},
                            {"prefect.resource.role", "infrahub.branch"},
                            {"infrahub.resource.label", rng() % 2 ? "main" : "feature-1"}}};
          break;
        case 1:
          event.related = {{{"prefect.resource.id", "infrahub.account.1"},
                            {"prefect.resource.role", "infrahub.account"}},
                           {{"prefect.resource.id", "infrahub.branch.2"},
                            {"prefect.resource.role", "infrahub.branch"},
                            {"infrahub.resource.label", "dev"}}};
          break;
        default:
          break;
      }
      std::vector<std::string> indexed, by_event, scanned, fast;
      for (const auto& t : registry.candidates(event.event)) {
        if (t->compiled().matches(event)) indexed.push_back(t->name());
      }
      for (const auto& t : registry.candidates(event)) {
        if (t->compiled().matches(event)) by_event.push_back(t->name());
      }
      for (const auto& t : all) {
        if (t->compiled().matches(event)) scanned.push_back(t->name());
      }
      registry.for_each_match(
          event, [&](const eventwire::TriggerHandle& t) { fast.push_back(t->name()); });
      CAPTURE(round, event.event);
      REQUIRE(indexed == scanned);
      REQUIRE(by_event == scanned);
      REQUIRE(fast == scanned);
      REQUIRE(names(registry.matching(event)) == scanned);
    }
  }
}

TEST_CASE("candidates(event) narrows by the plain values a trigger pins its match to") {
  TriggerRegistry registry;
  registry.add(
      TriggerDefinition{.name = "ipam",
                        .trigger = {.events = {"infrahub.node.created"},
                                    .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}}});
  registry.add(TriggerDefinition{.name = "devices",
                                 .trigger = {.events = {"infrahub.node.*"},
                                             .match = {{"infrahub.node.kind", "NetworkDevice"}}}});
  registry.add(TriggerDefinition{
      .name = "not-tags",
      .trigger = {.events = {"infrahub.node.created"}, .match = {{"infrahub.node.kind", "!Tag"}}}});
  registry.add(TriggerDefinition{
      .name = "never",
      .trigger = {.events = {"infrahub.node.created"},
                  .match = {{"infrahub.node.kind", std::vector<std::string>{}}}}});
  CHECK(names(registry.candidates(event_named("infrahub.node.created", "IPPrefix"))) ==
        std::vector<std::string>{"builtin::ipam", "builtin::not-tags"});
  CHECK(names(registry.candidates(event_named("infrahub.node.created", "NetworkDevice"))) ==
        std::vector<std::string>{"builtin::devices", "builtin::not-tags"});
  CHECK(names(registry.candidates(event_named("infrahub.node.created", "Tag"))) ==
        std::vector<std::string>{"builtin::not-tags"});
  Event no_kind{.event = "infrahub.node.created", .resource = {{"prefect.resource.id", "x"}}};
  CHECK(names(registry.candidates(no_kind)) == std::vector<std::string>{"builtin::not-tags"});
  CHECK(registry.candidates("infrahub.node.created").size() == 4);
}

TEST_CASE("configure_all reconciles and reports created, updated, unchanged, deleted") {
  TriggerRegistry registry;
  registry.add(trigger_on("keep", {"infrahub.node.created"}));
  registry.add(trigger_on("change", {"infrahub.node.created"}));
  registry.add(trigger_on("drop", {"infrahub.node.created"}));
  registry.add(TriggerDefinition{
      .name = "hook-1", .type = TriggerType::webhook, .trigger = {.events = {"infrahub.*"}}});
  auto keep = registry.find("builtin::keep");

  auto report = registry.configure_all({trigger_on("keep", {"infrahub.node.created"}),
                                        trigger_on("change", {"infrahub.node.updated"}),
                                        trigger_on("new", {"infrahub.branch.created"})},
                                       TriggerType::builtin);
  CHECK(report.created == std::vector<std::string>{"builtin::new"});
  CHECK(report.updated == std::vector<std::string>{"builtin::change"});
  CHECK(report.unchanged == std::vector<std::string>{"builtin::keep"});
  CHECK(report.deleted == std::vector<std::string>{"builtin::drop"});
  CHECK(registry.find("builtin::keep") == keep);  // unchanged: the same registration
  CHECK(registry.find("webhook::hook-1"));        // outside the scope: kept

  report = registry.configure_all({trigger_on("keep", {"infrahub.node.created"})});  // no scope
  CHECK(report.deleted ==
        std::vector<std::string>{"builtin::change", "builtin::new", "webhook::hook-1"});
  CHECK(registry.size() == 1);

  // A bad definition anywhere in the desired set changes nothing.
  auto bad = trigger_on("bad", {});
  bad.actions = {ExecuteWorkflow{.workflow = device_validation}};
  CHECK_THROWS_AS(registry.configure_all({trigger_on("other", {}), bad}),
                  eventwire::ValidationError);
  CHECK(names(registry.list()) == std::vector<std::string>{"builtin::keep"});
  CHECK_THROWS_WITH(registry.configure_all({trigger_on("x", {}), trigger_on("x", {"a"})}),
                    Catch::Contains("appears twice"));
}

TEST_CASE(
    "a trigger added during a dispatch does not see that event; lookups keep their snapshot") {
  TriggerRegistry registry;
  registry.add(trigger_on("first", {"infrahub.node.created"}));
  auto during = registry.candidates("infrahub.node.created");
  registry.add(trigger_on("second", {"infrahub.node.created"}));
  CHECK(during.size() == 1);
  CHECK(registry.candidates("infrahub.node.created").size() == 2);
}

TEST_CASE("remove waits for a dispatch in progress, and the trigger is never entered afterwards") {
  TriggerRegistry registry;
  auto handle = registry.add(trigger_on("slow", {"infrahub.node.created"}));
  std::atomic<bool> inside{false}, finished{false}, removed{false};
  std::thread dispatcher([&] {
    eventwire::TriggerEntry entry(*handle);
    REQUIRE(entry);
    inside = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  while (!inside)
    std::this_thread::yield();
  registry.remove("builtin::slow");
  removed = true;
  CHECK(finished);  // remove returned only after the dispatch left
  dispatcher.join();
  eventwire::TriggerEntry late(*handle);
  CHECK_FALSE(late);
}

TEST_CASE("a workflow may remove the trigger that is running it without deadlock") {
  TriggerRegistry registry;
  auto handle = registry.add(trigger_on("self", {}));
  eventwire::TriggerEntry entry(*handle);
  REQUIRE(entry);
  CHECK(registry.remove("builtin::self"));
  CHECK_FALSE(handle->active());
}

TEST_CASE("concurrent lookups while triggers are added and removed") {
  TriggerRegistry registry;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      registry.add(
          trigger_on("t" + std::to_string(i), {i % 2 ? "infrahub.node.created" : "infrahub.*"}));
      if (i >= 10) registry.remove("builtin::t" + std::to_string(i - 10));
    }
    stop = true;
  });
  std::vector<std::thread> readers;
  std::atomic<std::size_t> total{0};
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        for (const auto& t : registry.candidates("infrahub.node.created")) {
          if (eventwire::TriggerEntry entry{*t}) total++;
        }
      }
    });
  }
  writer.join();
  for (auto& r : readers)
    r.join();
  CHECK(registry.candidates("infrahub.node.created").size() == 10);
  CHECK(total > 0);
}

TEST_CASE("a broken parameter template is an error at registration, naming the parameter") {
  TriggerRegistry registry;
  auto d = trigger_on("templated", {"infrahub.node.created"});
  d.actions = {ExecuteWorkflow{
      .workflow = {.name = "w"},
      .parameters = {{"good", "{{ event.id }}"}, {"bad_template", "{{ event.payload['data' }}"}}}};
  try {
    registry.add(d);
    FAIL("accepted");
  } catch (const eventwire::ValidationError& e) {
    CHECK(e.field() == "builtin::templated: actions[0].parameters");
    CHECK_THAT(e.rule(), Catch::StartsWith("bad_template: Invalid jinja: "));
  }
  CHECK(registry.size() == 0);
  d.actions[0].parameters["bad_template"] = "{{ event.payload['data']['node_id'] }}";
  auto t = registry.add(d);
  Event e = event_named("infrahub.node.created");
  e.payload = {{"data", {{"node_id", "n-1"}}}};
  auto params = t->parameters(0).hydrate(eventwire::event_context(e));
  CHECK(params["bad_template"] == "n-1");
  CHECK(params["good"] == e.id.to_string());
}

TEST_CASE("for_each_match: in registration order across index lists, and re-entrant") {
  TriggerRegistry registry;
  auto main_only = eventwire::RelatedSpecification{{"prefect.resource.role", "infrahub.branch"},
                                                   {"infrahub.resource.label", "main"}};
  registry.add(TriggerDefinition{.name = "a", .trigger = {.events = {"infrahub.node.created"}}});
  registry.add(TriggerDefinition{
      .name = "b",
      .trigger = {.events = {"infrahub.node.*"}, .match = {{"infrahub.node.kind", "Tag"}}}});
  registry.add(TriggerDefinition{
      .name = "c", .trigger = {.events = {"infrahub.node.created"}, .match_related = main_only}});
  registry.add(TriggerDefinition{.name = "d",
                                 .trigger = {.events = {"infrahub.node.created"},
                                             .match = {{"prefect.resource.id", "infrahub.node.1"}},
                                             .match_related = main_only}});
  registry.add(TriggerDefinition{
      .name = "e", .trigger = {.events = {}, .match = {{"infrahub.node.kind", {"Tag", "Site"}}}}});
  Event tag = event_named("infrahub.node.created", "Tag");
  tag.related = {{{"prefect.resource.id", "infrahub.branch.1"},
                  {"prefect.resource.role", "infrahub.branch"},
                  {"infrahub.resource.label", "main"}}};
  Event other = event_named("infrahub.node.created", "Site");  // no branch: c and d do not fire
  std::vector<std::string> outer, inner;
  registry.for_each_match(tag, [&](const eventwire::TriggerHandle& t) {
    outer.push_back(t->name());
    if (outer.size() == 2) {  // a workflow run inline matching its own event
      registry.for_each_match(
          other, [&](const eventwire::TriggerHandle& u) { inner.push_back(u->name()); });
    }
  });
  CHECK(outer == std::vector<std::string>{"builtin::a", "builtin::b", "builtin::c", "builtin::d",
                                          "builtin::e"});
  CHECK(inner == std::vector<std::string>{"builtin::a", "builtin::e"});
  // The empty name is not an event every-event triggers fire on (Prefect's `.+`).
  CHECK(registry.matching(event_named("", "Tag")).empty());
}

TEST_CASE("for_each_match equals a scan over label values of every length (seeded property test)") {
  // Values and patterns of 0 to 20 bytes, sharing prefixes and suffixes, so that the index's
  // hashing and byte compares meet every length class; labels absent from some resources.
  std::mt19937 rng(4242);
  const std::vector<std::string> values = {"",
                                           "a",
                                           "ab",
                                           "abc",
                                           "abd",
                                           "main",
                                           "mains",
                                           "main-1",
                                           "feature",
                                           "feature1",
                                           "feature2",
                                           "featureX1",
                                           "infrahub.branch",
                                           "infrahub.branch2",
                                           "infrahub.branch.1",
                                           "infrahub.branchXXX.1",
                                           "Custom10",
                                           "Custom11",
                                           "Custom110"};
  const std::vector<std::string> labels = {"k", "role", "infrahub.resource.label",
                                           "infrahub.resource.labe1"};
  auto value = [&] { return values[rng() % values.size()]; };
  auto pattern = [&] {
    switch (rng() % 5) {
      case 0:
        return "!" + value();
      case 1:
        return value() + "*";
      default:
        return value();
    }
  };
  auto resource = [&](bool related) {
    eventwire::RelatedResource r{{"prefect.resource.id", "r." + value()}};
    if (related) r.set("prefect.resource.role", "role");
    for (const auto& label : labels)
      if (rng() % 3 != 0) r.set(label, value());
    return r;
  };
  // Rounds from 30 on register enough triggers that the event name has more distinct checks
  // than its results fit in a word (at most 64 per event on the stack): the per-thread memo then
  // holds them, and the label values read.
  for (int round = 0; round < 40; ++round) {
    TriggerRegistry registry;
    std::vector<eventwire::TriggerHandle> all;
    const int n = round < 30 ? std::uniform_int_distribution<int>(1, 40)(rng) : 200;
    for (int i = 0; i < n; ++i) {
      TriggerDefinition d{.name = "t" + std::to_string(i), .trigger = {.events = {"e"}}};
      const int match_labels = static_cast<int>(rng() % 3);
      for (int j = 0; j < match_labels; ++j) {
        std::vector<std::string> patterns(1 + rng() % 2);
        for (auto& p : patterns)
          p = rng() % 2 ? value() : pattern();  // plain lists are indexed, the rest checked
        d.trigger.match.set(labels[rng() % labels.size()], patterns);
      }
      if (rng() % 2) {
        eventwire::ResourceSpecification spec;
        const int related_labels = 1 + static_cast<int>(rng() % 2);
        for (int j = 0; j < related_labels; ++j)
          spec.set(labels[rng() % labels.size()], pattern());
        d.trigger.match_related = spec;
      }
      if (round >= 30 && i % 2 == 0) {  // a check of its own: at least 100 distinct checks
        d.trigger.match.set("prefect.resource.id", {"!r." + std::to_string(i), "r.*"});
      }
      all.push_back(registry.add(d));
    }
    for (int k = 0; k < 60; ++k) {
      Event event{.event = "e"};
      event.resource = resource(false);
      const int related = static_cast<int>(rng() % 4);
      for (int j = 0; j < related; ++j)
        event.related.push_back(resource(true));
      std::vector<std::string> expected;
      for (const auto& t : all)
        if (t->compiled().matches(event)) expected.push_back(t->name());
      std::vector<std::string> got;
      registry.for_each_match(event,
                              [&](const eventwire::TriggerHandle& t) { got.push_back(t->name()); });
      INFO("round " << round << ", event " << k);
      CHECK(got == expected);  // `all` is in registration order, as for_each_match
    }
  }
}

TEST_CASE("for_each_match follows every change: the same thread's next dispatch, nested ones") {
  // Dispatch reads the snapshot this thread used last while the registry is unchanged; each
  // step here would see a stale snapshot if that check were wrong.
  TriggerRegistry registry;
  registry.add(trigger_on("a", {"infrahub.node.created"}));
  registry.add(trigger_on("c", {"infrahub.node.created"}));
  const Event created = event_named("infrahub.node.created");
  auto fired = [&] { return names(registry.matching(created)); };
  CHECK(fired() == std::vector<std::string>{"builtin::a", "builtin::c"});

  std::vector<std::string> outer, inner;
  registry.for_each_match(created, [&](const eventwire::TriggerHandle& t) {
    outer.push_back(t->name());
    if (t->name() == "builtin::a") {
      registry.add(trigger_on("b", {"infrahub.node.created"}));  // not seen by this dispatch
      registry.for_each_match(created, [&](const eventwire::TriggerHandle& u) {
        inner.push_back(u->name());  // a dispatch started after the add sees it
      });
    }
  });
  CHECK(outer == std::vector<std::string>{"builtin::a", "builtin::c"});
  CHECK(inner == std::vector<std::string>{"builtin::a", "builtin::c", "builtin::b"});
  CHECK(fired() == std::vector<std::string>{"builtin::a", "builtin::c", "builtin::b"});

  std::thread([&] { registry.remove("builtin::a"); }).join();  // changed by another thread
  CHECK(fired() == std::vector<std::string>{"builtin::c", "builtin::b"});
  registry.replace(trigger_on("c", {"infrahub.node.deleted"}));
  CHECK(fired() == std::vector<std::string>{"builtin::b"});

  // Registries made and destroyed in turn (often at the same address): each sees its own.
  for (int i = 0; i < 5; ++i) {
    auto fresh = std::make_unique<TriggerRegistry>();
    fresh->add(trigger_on("r" + std::to_string(i), {"infrahub.node.created"}));
    CHECK(names(fresh->matching(created)) ==
          std::vector<std::string>{"builtin::r" + std::to_string(i)});
  }
}

TEST_CASE("concurrent dispatch never returns a trigger whose remove returned before it began") {
  TriggerRegistry registry;
  const Event created = event_named("infrahub.node.created");
  constexpr int total = 400;
  std::atomic<int> removed_up_to{-1};  // t0..tN removed, and those remove() calls returned
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < total; ++i) {
      registry.add(trigger_on("t" + std::to_string(i), {"infrahub.node.created"}));
      if (i >= 5) {
        registry.remove("builtin::t" + std::to_string(i - 5));
        removed_up_to.store(i - 5, std::memory_order_release);
      }
    }
    stop = true;
  });
  std::atomic<int> violations{0};
  std::atomic<std::size_t> dispatches{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        const int before = removed_up_to.load(std::memory_order_acquire);
        registry.for_each_match(created, [&](const eventwire::TriggerHandle& t) {
          if (std::stoi(t->name().substr(std::string_view("builtin::t").size())) <= before) {
            ++violations;
          }
        });
        ++dispatches;
      }
    });
  }
  writer.join();
  for (auto& r : readers)
    r.join();
  CHECK(violations == 0);
  CHECK(dispatches > 0);
  CHECK(registry.matching(created).size() == 5);
}

TEST_CASE("for_each_match with more related resources than the per-event label memo holds") {
  // 9 000 related resources x 2 labels read: past the memo's limit, labels are looked up per
  // check; the result is the same. With more distinct checks than fit in a word, the per-thread
  // memo is in use (its label memo then refused); with one, results are kept on the stack.
  const int distinct_checks = GENERATE(1, 70);
  TriggerRegistry registry;
  registry.add(
      TriggerDefinition{.name = "on-main",
                        .trigger = {.events = {"infrahub.node.created"},
                                    .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                                      {"infrahub.resource.label", "main"}}}});
  for (int i = 1; i < distinct_checks; ++i) {  // never fire: no related resource has role x<i>
    registry.add(TriggerDefinition{
        .name = "other" + std::to_string(i),
        .trigger = {.events = {"infrahub.node.created"},
                    .match_related = {{"prefect.resource.role", "x" + std::to_string(i)}}}});
  }
  Event event = event_named("infrahub.node.created");
  for (int i = 0; i < 9000; ++i) {
    event.related.push_back({{"prefect.resource.id", "infrahub.account." + std::to_string(i)},
                             {"prefect.resource.role", "infrahub.account"},
                             {"infrahub.resource.label", "main"}});
  }
  CHECK(registry.matching(event).empty());
  event.related.push_back({{"prefect.resource.id", "infrahub.branch.1"},
                           {"prefect.resource.role", "infrahub.branch"},
                           {"infrahub.resource.label", "main"}});
  CHECK(names(registry.matching(event)) == std::vector<std::string>{"builtin::on-main"});
  CHECK(registry.find("builtin::on-main")->compiled().matches(event));
}

// --- JSON form of a TriggerDefinition ----------------------------------------------------------

namespace {

// The message of the ValidationError `read` throws, or "" when it does not throw one.
template <typename Read>
std::string validation_message(Read&& read) {
  try {
    read();
  } catch (const eventwire::ValidationError& e) {
    return e.what();
  }
  return "";
}

std::string from_json_error(const char* text) {
  return validation_message([&] { TriggerDefinition::from_json(eventwire::json::parse(text)); });
}

TriggerDefinition rich_definition() {
  return TriggerDefinition{
      .name = "dl-device",
      .type = TriggerType::display_label_jinja2,
      .trigger = {.events = {"infrahub.node.updated", "infrahub.node.created"},
                  .match = {{"infrahub.node.kind", "NetworkDevice"},
                            {"infrahub.node.id", {"abc"}}},  // a list of one stays a list
                  .match_related = {eventwire::ResourceSpecification{
                                        {"prefect.resource.role", "infrahub.branch"},
                                        {"infrahub.resource.label", "!b1"}},
                                    eventwire::ResourceSpecification{
                                        {"infrahub.resource.label", {"!b2", "!b3"}}}}},
      .actions = {ExecuteWorkflow{.workflow = device_validation,
                                  .parameters = {{"device_id", "{{ event.resource['x'] }}"}}},
                  ExecuteWorkflow{
                      .workflow = {.name = "audit",
                                   .required_parameters = {"data"},
                                   .optional_parameters = {"timeout", "context"}},
                      .parameters = {{"timeout", 300},
                                     {"data",
                                      {{"__prefect_kind", "json"},
                                       {"value",
                                        {{"__prefect_kind", "jinja"},
                                         {"template", "{{ event.payload | tojson }}"}}}}},
                                     {"context", nullptr}}}},
      .description = "Display label of devices | hash:1f2e",
      .branch = "main"};
}

}  // namespace

TEST_CASE("TriggerDefinition JSON: Infrahub's shape, read back equal") {
  const auto definition = rich_definition();
  const auto j = definition.to_json();
  CHECK(j == eventwire::json::parse(R"({
    "name": "dl-device", "type": "display_label_jinja2",
    "description": "Display label of devices | hash:1f2e",
    "trigger": {"events": ["infrahub.node.created", "infrahub.node.updated"],
                "match": {"infrahub.node.kind": "NetworkDevice", "infrahub.node.id": ["abc"]},
                "match_related": [{"prefect.resource.role": "infrahub.branch",
                                   "infrahub.resource.label": "!b1"},
                                  {"infrahub.resource.label": ["!b2", "!b3"]}]},
    "actions": [
      {"workflow": {"name": "device-validation", "required_parameters": ["device_id"],
                    "optional_parameters": []},
       "parameters": {"device_id": "{{ event.resource['x'] }}"}},
      {"workflow": {"name": "audit", "required_parameters": ["data"],
                    "optional_parameters": ["timeout", "context"]},
       "parameters": {"timeout": 300,
                      "data": {"__prefect_kind": "json",
                               "value": {"__prefect_kind": "jinja",
                                         "template": "{{ event.payload | tojson }}"}},
                      "context": null}}],
    "branch": "main"})"));
  CHECK(TriggerDefinition::from_json(j) == definition);
  CHECK(TriggerDefinition::parse(j.dump()) == definition);
  CHECK(TriggerDefinition::from_json(j).generated_name() ==
        "display_label_jinja2::main::dl-device");

  // Defaults read back as the struct's: one specification is not a list, no branch, no actions.
  const TriggerDefinition plain{.name = "p"};
  CHECK_FALSE(plain.to_json().contains("branch"));
  CHECK(TriggerDefinition::from_json(plain.to_json()) == plain);
  const TriggerDefinition every_type_named{.name = "w", .type = TriggerType::webhook};
  CHECK(TriggerDefinition::from_json(every_type_named.to_json()) == every_type_named);
}

TEST_CASE("TriggerDefinition JSON: every built-in trigger of the catalogue reads back equal") {
  for (const auto& definition : eventwire::infrahub::builtin_triggers()) {
    INFO(definition.name);
    CHECK(TriggerDefinition::from_json(definition.to_json()) == definition);
  }
  for (const auto& definition : eventwire::infrahub::example_triggers()) {
    INFO(definition.name);
    CHECK(TriggerDefinition::from_json(definition.to_json()) == definition);
  }
}

TEST_CASE("TriggerDefinition JSON: only name and trigger are required; a Prefect trigger is read") {
  auto minimal = TriggerDefinition::from_json(
      eventwire::json::parse(R"({"name": "n", "trigger": {"events": ["a.b"]}})"));
  CHECK(minimal == trigger_on("n", {"a.b"}));
  auto prefect = TriggerDefinition::from_json(eventwire::json::parse(
      R"({"name": "n", "previous_names": [], "branch": null,
          "trigger": {"type": "event", "expect": ["a.b"], "posture": "Reactive", "threshold": 1,
                      "within": 0.0, "after": [], "for_each": [], "match": {}, "match_related": {}},
          "actions": [{"workflow": {"name": "w"}}]})"));
  CHECK(prefect.trigger == EventTrigger{.events = {"a.b"}});
  REQUIRE(prefect.actions.size() == 1);
  CHECK(prefect.actions[0] == ExecuteWorkflow{.workflow = {.name = "w"}});
  TriggerRegistry registry;
  CHECK(registry.add(prefect)->name() == "builtin::n");
}

TEST_CASE("TriggerDefinition JSON: bad input is a ValidationError naming the field and the rule") {
  CHECK(from_json_error(R"({"name": "", "trigger": {}})") == "name: must be non-empty");
  CHECK(from_json_error(R"({"trigger": {}})") == "name: is required");
  CHECK(from_json_error(R"({"name": "n"})") == "trigger: is required");
  CHECK(from_json_error(R"({"name": 5, "trigger": {}})") == "name: must be a string, got int");
  CHECK(from_json_error(R"([1])") == "definition: must be an object, got list");
  CHECK(
      from_json_error(R"({"name": "n", "trigger": {}, "actions": [{"workflow": {"name": ""}}]})") ==
      "actions[0].workflow.name: must be non-empty");
  CHECK(from_json_error(
            R"({"name": "n", "trigger": {}, "actions": [{"workflow": {"name": "w"}}, {}]})") ==
        "actions[1].workflow: is required");
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "actions": {}})") ==
        "actions: must be a list, got dict");
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w", "required_parameters": ["a", 2]}}]})") ==
        "actions[0].workflow.required_parameters[1]: must be a string, got int");
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w"}, "parameters": [1]}]})") ==
        "actions[0].parameters: must be an object of named parameters, got list");
  // The workflow's parameters are checked as registration checks them.
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w", "required_parameters": ["a"]}, "parameters": {"b": 1}}]})") ==
        "actions[0].parameters: Missing required parameters: {'a'} for workflow w");

  // Infrahub's own dump of a workflow says how it deploys the flow: read and ignored.
  const auto dumped = TriggerDefinition::from_json(eventwire::json::parse(R"({
      "name": "n", "trigger": {"events": ["infrahub.node.created"]},
      "actions": [{"workflow": {"name": "w", "type": "user", "module": "infrahub.x",
                                "function": "f", "cron": null, "default_priority": 2,
                                "tags": [], "concurrency_limit": null,
                                "concurrency_limit_strategy": null}}]})"));
  CHECK(dumped.actions.at(0).workflow == eventwire::WorkflowDefinition{.name = "w"});

  // Unknown fields, at every level.
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {}, "enabeld": true})"),
             Catch::StartsWith("enabeld: is not a field of a trigger definition (name, type, "));
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w", "modul": "infrahub.x"}}]})"),
             Catch::StartsWith("actions[0].workflow.modul: is not a field of a workflow (name, "
                               "required_parameters, optional_parameters, type, module, "));
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w"}, "params": {}}]})"),
             Catch::StartsWith("actions[0].params: is not a field of an action"));
  // An action in Infrahub's form with a stray `type` is still read as Infrahub's.
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {}, "actions": [
            {"workflow": {"name": "w"}, "type": "run-deployment"}]})"),
             Catch::StartsWith("actions[0].type: is not a field of an action"));
  CHECK(from_json_error(R"({"name": "n", "trigger": {"event": ["a"]}})") ==
        "trigger.event: is not a field of a trigger (events, match, match_related)");
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {"expect": [], "bucket": 1}})"),
             Catch::StartsWith("trigger.bucket: is not a field of Prefect's event trigger"));

  // The trigger's own errors name their field within `trigger`.
  CHECK(from_json_error(R"({"name": "n", "trigger": {"events": ["a", 1]}})") ==
        "trigger.events[1]: must be a string, got int");
  CHECK_THAT(from_json_error(R"({"name": "n", "trigger": {"expect": [], "posture": "Proactive"}})"),
             Catch::StartsWith("trigger.posture: must be \"Reactive\""));
  CHECK(from_json_error(R"({"name": "n", "trigger": []})") ==
        "trigger: must be an object, got list");

  CHECK(from_json_error(R"({"name": "n", "type": "object", "trigger": {}})") ==
        "type: must be one of builtin, webhook, action, action_trigger_rule, "
        "computed_attr_jinja2, computed_attr_python, computed_attr_python_query, "
        "display_label_jinja2, human_friendly_id, got \"object\"");
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "branch": ""})") ==
        "branch: must be non-empty when set (it is part of the name)");
  CHECK(from_json_error(R"({"name": "n", "trigger": {}, "previous_names": ["old"]})") ==
        "previous_names: must be [] (eventwire does not rename triggers), got [\"old\"]");

  CHECK_THROWS_AS(TriggerDefinition::parse("{\"name\": "), eventwire::ParseError);
}

TEST_CASE("TriggerDefinition::validate holds the rules registration applies") {
  auto definition = trigger_on("v", {"x"});
  definition.actions = {ExecuteWorkflow{}};
  CHECK(validation_message([&] { definition.validate(); }) ==
        "actions[0].workflow.name: must be non-empty");
  definition.actions = {
      ExecuteWorkflow{.workflow = device_validation, .parameters = {{"device_id", "x"}}}};
  CHECK_NOTHROW(definition.validate());
  definition.branch = "";
  CHECK(validation_message([&] { TriggerRegistry().add(definition); }) ==
        "builtin::::v: branch: must be non-empty when set (it is part of the name)");
}

TEST_CASE("TriggerDefinition JSON: Prefect's automation, as Infrahub creates it") {
  // setup_triggers: AutomationCore(name=generate_name(), description=get_description(),
  // enabled=True, trigger=get_prefect(), actions=[RunDeployment(...)]), read back from Prefect.
  const char* automation = R"json({
    "id": "5c2a6b1e-4c58-4bd4-9a9e-0a3f6d9d1c10",
    "created": "2025-03-01T10:00:00Z", "updated": "2025-03-01T10:00:00Z",
    "name": "computed_attr_jinja2::main::Device_description",
    "description": "Automation for Trigger Device_description of type computed_attr_jinja2 (v1.2.0)",
    "enabled": true, "tags": [],
    "trigger": {"type": "event", "id": "0b9f2a4e-9d8c-4c62-b2f5-3a7f8c1d2e3f",
                "match": {"infrahub.node.kind": "Device"},
                "match_related": {"prefect.resource.role": "infrahub.branch",
                                  "infrahub.resource.label": "main"},
                "after": [], "expect": ["infrahub.node.updated"], "for_each": [],
                "posture": "Reactive", "threshold": 1, "within": 0.0},
    "actions": [{"type": "run-deployment", "source": "selected",
                 "deployment_id": "8e2b3c4d-0000-4000-8000-000000000001",
                 "parameters": {"branch_name": "{{ event.resource['infrahub.branch.name'] }}"},
                 "job_variables": {}}],
    "actions_on_trigger": [], "actions_on_resolve": []})json";
  const eventwire::WorkflowDefinition process{.name = "process_computed_macro",
                                              .required_parameters = {"branch_name"}};
  auto workflows = [&](std::string_view id) -> std::optional<eventwire::WorkflowDefinition> {
    if (id == "8e2b3c4d-0000-4000-8000-000000000001") return process;
    return std::nullopt;
  };
  auto j = eventwire::json::parse(automation);
  auto definition = TriggerDefinition::from_json(j, workflows);
  CHECK(definition == TriggerDefinition::from_prefect_json(j, workflows));
  CHECK(definition.generated_name() == "computed_attr_jinja2::main::Device_description");
  CHECK(definition.name == "Device_description");
  CHECK(definition.type == TriggerType::computed_attr_jinja2);
  CHECK(definition.branch == "main");
  CHECK(definition.trigger ==
        EventTrigger{.events = {"infrahub.node.updated"},
                     .match = {{"infrahub.node.kind", "Device"}},
                     .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                       {"infrahub.resource.label", "main"}}});
  REQUIRE(definition.actions.size() == 1);
  CHECK(definition.actions[0] ==
        ExecuteWorkflow{
            .workflow = process,
            .parameters = {{"branch_name", "{{ event.resource['infrahub.branch.name'] }}"}}});
  // Its Infrahub form reads back the same definition.
  CHECK(TriggerDefinition::from_json(definition.to_json()) == definition);

  // A name Infrahub did not generate is kept whole; a builtin has no branch.
  auto named = [&](const char* name) {
    auto copy = j;
    copy["name"] = name;
    copy["actions"] = eventwire::json::array();
    return TriggerDefinition::from_prefect_json(copy);
  };
  CHECK(named("my automation").name == "my automation");
  CHECK(named("my automation").type == TriggerType::builtin);
  CHECK(named("builtin::a::b").name == "a::b");
  CHECK_FALSE(named("builtin::a::b").branch);
  CHECK(named("builtin::a::b").generated_name() == "builtin::a::b");
  CHECK(named("nope::a").name == "nope::a");

  // What cannot be read as an Infrahub trigger is refused, naming the field.
  CHECK_THAT(validation_message([&] { TriggerDefinition::from_json(j); }),
             Catch::StartsWith("actions[0].deployment_id: names a Prefect deployment, not a "
                               "workflow"));
  CHECK(validation_message([&] {
          TriggerDefinition::from_json(
              j, [](std::string_view) { return std::optional<eventwire::WorkflowDefinition>{}; });
        }) ==
        "actions[0].deployment_id: no workflow is known for deployment "
        "'8e2b3c4d-0000-4000-8000-000000000001'");
  auto changed = [&](const char* pointer, eventwire::json value) {
    auto copy = j;
    copy[eventwire::json::json_pointer(pointer)] = std::move(value);
    return validation_message([&] { TriggerDefinition::from_json(copy, workflows); });
  };
  CHECK_THAT(changed("/enabled", false), Catch::StartsWith("enabled: must be true"));
  CHECK_THAT(
      changed("/actions/0",
              eventwire::json{{"type", "send-notification"}, {"subject", "s"}, {"body", "b"}}),
      Catch::StartsWith("actions[0].type: must be \"run-deployment\""));
  CHECK_THAT(changed("/actions/0/schedule_after", "\xff"),  // invalid UTF-8 is still reported
             Catch::StartsWith("actions[0].schedule_after: must be 0"));
  CHECK(changed("/actions/0/schedule_after", 0.0).empty());
  CHECK_THAT(changed("/actions/0/source", "inferred"),
             Catch::StartsWith("actions[0].source: must be \"selected\""));
  CHECK_THAT(changed("/actions/0/job_variables", eventwire::json{{"image", "x"}}),
             Catch::StartsWith("actions[0].job_variables: must be {}"));
  CHECK_THAT(changed("/actions_on_trigger",
                     eventwire::json::array({eventwire::json{{"type", "do-nothing"}}})),
             Catch::StartsWith("actions_on_trigger: must be []"));
  CHECK_THAT(changed("/trigger/threshold", 2), Catch::StartsWith("trigger.threshold: must be 1"));
  CHECK_THAT(changed("/owner", "x"), Catch::StartsWith("owner: is not a field of Prefect's "
                                                       "automation"));
  CHECK_THAT(changed("/actions/0/parameters", eventwire::json{{"other", 1}}),
             Catch::StartsWith("actions[0].parameters: Missing required parameters: "
                               "{'branch_name'}"));
}

TEST_CASE(
    "TriggerDefinition JSON: Prefect's automation with owner_resource, as its client dumps it") {
  // prefect.events.schemas.automations.AutomationCore (what Infrahub builds) declares
  // `owner_resource: Optional[str] = None`: its model_dump, and an automation read back, carry
  // it. It says which resource owns the automation (a deployment's triggers), not what it does.
  auto j = eventwire::json::parse(R"json({
    "name": "builtin::on-branch", "description": "", "enabled": true, "tags": [],
    "trigger": {"type": "event", "expect": ["infrahub.branch.created"], "match": {},
                "match_related": {}, "after": [], "for_each": [], "posture": "Reactive",
                "threshold": 1, "within": 0.0},
    "actions": [], "actions_on_trigger": [], "actions_on_resolve": [],
    "owner_resource": null})json");
  const TriggerDefinition expected{.name = "on-branch",
                                   .trigger = {.events = {"infrahub.branch.created"}}};
  CHECK(validation_message([&] { TriggerDefinition::from_prefect_json(j); }).empty());
  CHECK(validation_message([&] { TriggerDefinition::from_json(j); }).empty());
  if (validation_message([&] { TriggerDefinition::from_json(j); }).empty()) {
    CHECK(TriggerDefinition::from_json(j) == expected);
  }
  j["owner_resource"] = "prefect.deployment.8e2b3c4d-0000-4000-8000-000000000001";
  CHECK(validation_message([&] { TriggerDefinition::from_prefect_json(j); }).empty());
}
