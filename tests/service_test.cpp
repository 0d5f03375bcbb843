#include "eventwire/service.hpp"

#include <fmt/format.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <latch>
#include <map>
#include <thread>

#include "eventwire/infrahub/events.hpp"
#if defined(EVENTWIRE_HAS_SQLITE)
#include <filesystem>

#include "eventwire/sqlite_store.hpp"
#endif

namespace ew = eventwire;
using namespace ew::infrahub;
using namespace std::chrono_literals;

namespace {

const ew::WorkflowDefinition device_validation{.name = "device-validation",
                                               .required_parameters = {"device_id", "branch"}};

/// The seed's custom trigger.
ew::TriggerDefinition custom_device_validation() {
  return {.name = "custom-device-validation",
          .trigger = {.events = {"infrahub.node.created", "infrahub.node.updated"},
                      .match = {{"infrahub.node.kind", "NetworkDevice"}}},
          .actions = {ew::ExecuteWorkflow{
              .workflow = device_validation,
              .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"},
                             {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}};
}

/// A trigger on `events` running `workflow` (no parameters).
ew::TriggerDefinition simple_trigger(std::string name, std::string event_name,
                                     std::string workflow) {
  return {.name = std::move(name),
          .trigger = {.events = {std::move(event_name)}},
          .actions = {ew::ExecuteWorkflow{.workflow = {.name = std::move(workflow)}}}};
}

/// A trigger on `event_name` whose `data` parameter compiles but fails when hydrated: the
/// rendered text (the event's name) is not JSON.
ew::TriggerDefinition bad_json_trigger(std::string name, std::string event_name) {
  return {
      .name = std::move(name),
      .trigger = {.events = {std::move(event_name)}},
      .actions = {ew::ExecuteWorkflow{
          .workflow = {.name = "never"},
          .parameters = {
              {"data",
               {{"__prefect_kind", "json"},
                {"value", {{"__prefect_kind", "jinja"}, {"template", "{{ event.event }}"}}}}}}}}};
}

ew::InfrahubContext main_branch() {
  return ew::InfrahubContext::init({.name = "main", .id = "0190c2a4-0000-7000-8000-00000000b001"},
                                   {.account_id = "0190c2a4-0000-7000-8000-00000000a001"});
}

NodeCreatedEvent device_created(std::string node_id = "0190c2a4-0000-7000-8000-0000000000d1",
                                std::string kind = "NetworkDevice") {
  return {.meta = ew::EventMeta::from_context(main_branch()),
          .kind = std::move(kind),
          .node_id = std::move(node_id)};
}

ew::Event plain_event(std::string name, std::string id = "test.thing") {
  return ew::Event{.event = std::move(name), .resource = {{"prefect.resource.id", std::move(id)}}};
}

/// Collects service warnings (thread-safe).
struct Warnings {
  std::mutex mutex;
  std::vector<ew::ServiceWarning> seen;
  std::function<void(const ew::ServiceWarning&)> sink() {
    return [this](const ew::ServiceWarning& w) {
      std::lock_guard lock(mutex);
      seen.push_back(w);
    };
  }
  std::size_t count(ew::ServiceWarning::Kind kind) {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(
        seen.begin(), seen.end(), [&](const ew::ServiceWarning& w) { return w.kind == kind; }));
  }
};

std::size_t count_named(ew::EventService& service, const std::string& name) {
  return service.store().count({.event_names = {name}});
}

}  // namespace

TEST_CASE("service: the seed's custom trigger runs its workflow with rendered parameters") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  ew::EventService service{{.executor = recorder}};
  service.register_trigger(custom_device_validation());

  auto created = device_created();
  ew::EventPtr stored = service.emit(created);
  service.flush();

  REQUIRE(recorder->count() == 1);
  const ew::WorkflowRun run = recorder->runs()[0];
  CHECK(run.workflow == "device-validation");
  CHECK(run.trigger == "builtin::custom-device-validation");
  CHECK(run.parameters == ew::json{{"device_id", created.node_id}, {"branch", "main"}});
  REQUIRE(run.event);
  CHECK(run.event->id == stored->id);
  CHECK(run.event->event == "infrahub.node.created");

  SECTION("another kind does not fire it, and explain says why") {
    auto tag = device_created("0190c2a4-0000-7000-8000-0000000000d2", "BuiltinTag");
    service.emit(tag);
    service.flush();
    CHECK(recorder->count() == 1);
    auto verdict_of = [&](const ew::Event& e, const std::string& name) {
      for (auto& v : service.explain(e))
        if (v.trigger == name) return v.explanation;
      FAIL("no verdict for " << name);
      return ew::MatchExplanation{};
    };
    auto why = verdict_of(to_event(tag), "builtin::custom-device-validation");
    CHECK_FALSE(why.matched);
    CHECK_THAT(why.reason, Catch::Contains("infrahub.node.kind") && Catch::Contains("BuiltinTag") &&
                               Catch::Contains("NetworkDevice"));
    CHECK(verdict_of(to_event(created), "builtin::custom-device-validation").matched);
    CHECK(service.explain(to_event(tag)).size() == service.triggers().size());
    // An event emit would refuse (no resource id) fires nothing: explain says so as emit would.
    ew::Event invalid{.event = "infrahub.node.created",
                      .resource = {{"infrahub.node.kind", "NetworkDevice"}}};
    CHECK_THROWS_AS(service.explain(invalid), ew::ValidationError);
    CHECK_THROWS_WITH(service.explain(invalid), Catch::StartsWith("resource"));
    CHECK_THROWS_WITH(service.emit(invalid), Catch::StartsWith("resource"));
  }
}

TEST_CASE("service: every fired trigger's parameters are hydrated as from the whole context") {
  // Triggers that read different parts of one event (a lookup answered from the event, a part of
  // the payload, the whole event): the service builds the context once, only as far as read, and
  // each run gets what hydrating against the whole context gives.
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  ew::EventService service{{.executor = recorder, .builtin_triggers = false}};
  const std::vector<ew::json> parameter_sets = {
      {{"device_id", "{{ event.payload['data']['node_id'] }}"}},
      {{"changelog",
        {{"__prefect_kind", "json"},
         {"value",
          {{"__prefect_kind", "jinja"},
           {"template", "{{ event.payload['data']['changelog'] | tojson }}"}}}}},
       {"branch", "{{ event.resource['infrahub.branch.name'] }}"}},
      {{"summary",
        "{{ event.event }} on {{ event.resource['infrahub.node.kind'] }} at "
        "{{ event.occurred }}"},
       {"related", "{% for r in event.related %}{{ r['prefect.resource.role'] }};{% endfor %}"}},
      {{"everything", "{{ event | tojson }}"}, {"id", "{{ event.id }}"}}};
  for (std::size_t i = 0; i < parameter_sets.size(); ++i) {
    service.register_trigger(
        {.name = fmt::format("reader-{}", i),
         .trigger = {.events = {"infrahub.node.created"}},
         .actions = {ew::ExecuteWorkflow{.workflow = {.name = fmt::format("w{}", i)},
                                         .parameters = parameter_sets[i]}}});
  }
  ew::EventPtr stored = service.emit(device_created());
  service.flush();
  REQUIRE(recorder->count() == parameter_sets.size());
  const ew::json context = ew::event_context(*stored);
  for (const auto& run : recorder->runs()) {
    const std::size_t i = static_cast<std::size_t>(std::stoi(run.workflow.substr(1)));
    INFO(run.workflow);
    CHECK(run.parameters == ew::hydrate(parameter_sets[i], context));
  }
}

TEST_CASE("service: every accepted event is in the history, with the service's own events") {
  auto recorder = std::make_shared<ew::RecordingExecutor>(std::vector<std::string>{"broken"});
  ew::EventService service{{.executor = recorder}};
  service.register_trigger(simple_trigger("works", "app.thing.happened", "fine"));
  service.register_trigger(simple_trigger("fails", "app.thing.happened", "broken"));

  ew::EventPtr e = service.emit(plain_event("app.thing.happened"));
  service.flush();

  auto page = service.read_events({.event_names = {"app.thing.happened"}});
  REQUIRE(page.events.size() == 1);
  CHECK(page.events[0]->id == e->id);

  CHECK(count_named(service, "eventwire.trigger.fired") == 2);
  CHECK(count_named(service, "eventwire.action.executed") == 1);
  auto failed = service.read_events({.event_names = {"eventwire.action.failed"}});
  REQUIRE(failed.events.size() == 1);
  const ew::Event& f = *failed.events[0];
  CHECK(f.resource.id() == "eventwire.trigger.builtin::fails");
  CHECK(f.resource.get("eventwire.workflow") == "broken");
  REQUIRE(f.find_related("triggering-event"));
  CHECK(f.find_related("triggering-event")->id() == "prefect.event." + e->id.to_string());
  CHECK(f.payload["workflow"] == "broken");
  CHECK_THAT(f.payload["reason"].get<std::string>(), Catch::Contains("broken"));
  REQUIRE(f.follows.has_value());
  auto fired = service.store().get(*f.follows);
  REQUIRE(fired);
  CHECK(fired->event == "eventwire.trigger.fired");
  CHECK(fired->resource.id() == "eventwire.trigger.builtin::fails");

  SECTION("without self-events only the emitted event is stored") {
    ew::EventService quiet{{.executor = recorder, .record_self_events = false}};
    quiet.register_trigger(simple_trigger("works", "app.thing.happened", "fine"));
    quiet.emit(plain_event("app.thing.happened"));
    quiet.flush();
    CHECK(quiet.store().size() == 1);
  }
}

TEST_CASE("service: one failing action never stops the others, and is counted and reported") {
  auto recorder = std::make_shared<ew::RecordingExecutor>(std::vector<std::string>{"broken"});
  Warnings warnings;
  ew::EventService service{{.executor = recorder, .on_warning = warnings.sink()}};
  service.register_trigger(simple_trigger("a-fails", "app.x", "broken"));
  // A template that compiles but fails at run time: the rendered text is not JSON.
  service.register_trigger(bad_json_trigger("b-bad-json", "app.x"));
  service.register_trigger(simple_trigger("c-works", "app.x", "fine"));

  for (int i = 0; i < 3; ++i)
    service.emit(plain_event("app.x"));
  service.flush();

  auto runs = recorder->runs();
  CHECK(std::count_if(runs.begin(), runs.end(), [](auto& r) { return r.workflow == "fine"; }) == 3);
  CHECK(std::count_if(runs.begin(), runs.end(), [](auto& r) { return r.workflow == "broken"; }) ==
        3);
  CHECK(std::none_of(runs.begin(), runs.end(), [](auto& r) { return r.workflow == "never"; }));

  auto a = service.metrics("builtin::a-fails");
  CHECK(a.matched == 3);
  CHECK(a.runs == 3);
  CHECK(a.failed == 3);
  auto b = service.metrics("builtin::b-bad-json");
  CHECK(b.matched == 3);
  CHECK(b.runs == 0);
  CHECK(b.failed == 3);
  auto c = service.metrics("builtin::c-works");
  CHECK(c.runs == 3);
  CHECK(c.failed == 0);
  CHECK(c.total_duration >= c.max_duration);
  CHECK(service.metrics("builtin::unknown").matched == 0);
  CHECK(service.metrics().size() == 3);

  auto stats = service.stats();
  CHECK(stats.accepted == 3);
  CHECK(stats.fired == 9);
  CHECK(stats.runs_started == 6);
  CHECK(stats.runs_ok == 3);
  CHECK(stats.runs_failed == 3);
  CHECK(stats.hydration_failed == 3);

  CHECK(warnings.count(ew::ServiceWarning::Kind::action_failed) == 3);
  REQUIRE(warnings.count(ew::ServiceWarning::Kind::hydration_failed) == 3);
  for (const auto& w : warnings.seen) {
    if (w.kind != ew::ServiceWarning::Kind::hydration_failed) continue;
    CHECK(w.trigger == "builtin::b-bad-json");
    CHECK_THAT(w.message, Catch::Contains("data: Invalid JSON"));
  }
  CHECK(count_named(service, "eventwire.action.failed") == 6);
}

TEST_CASE("service: bad events are refused with a typed error and nothing is stored") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  ew::EventService service{{.executor = recorder, .record_self_events = false}};
  service.register_trigger(simple_trigger("t", "app.x", "w"));

  ew::Event no_id = plain_event("app.x", "");
  CHECK_THROWS_AS(service.emit(no_id), ew::ValidationError);
  ew::Event too_long = plain_event(std::string(2000, 'x'));
  CHECK_THROWS_AS(service.emit(too_long), ew::LimitError);
  CHECK(service.store().size() == 0);
  CHECK(service.stats().rejected == 2);

  SECTION("limits are the service's") {
    ew::EventService strict{{.executor = recorder,
                             .limits = {.max_event_name_length = 4},
                             .record_self_events = false}};
    CHECK_THROWS_WITH(strict.emit(plain_event("app.x")),
                      Catch::Contains("event") && Catch::Contains("max_event_name_length"));
  }
  SECTION("an event without an id gets one") {
    ew::Event nil = plain_event("app.x");
    nil.id = ew::Uuid{};
    auto stored = service.emit(nil);
    CHECK_FALSE(stored->id.is_nil());
    CHECK(service.store().get(stored->id));
  }
}

TEST_CASE("service: emit_many validates everything first and is all or nothing") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  ew::EventService service{{.executor = recorder, .record_self_events = false}};
  service.register_trigger(simple_trigger("t", "app.x", "w"));

  std::vector<ew::Event> batch{plain_event("app.x"), plain_event("app.x", ""),
                               plain_event("app.x")};
  CHECK_THROWS_WITH(service.emit_many(batch), Catch::StartsWith("events[1].resource"));
  service.flush();
  CHECK(service.store().size() == 0);
  CHECK(recorder->count() == 0);

  batch[1] = plain_event("app.x");
  auto stored = service.emit_many(batch);
  service.flush();
  REQUIRE(stored.size() == 3);
  CHECK(service.store().size() == 3);
  REQUIRE(recorder->count() == 3);
  auto runs = recorder->runs();
  for (std::size_t i = 0; i < 3; ++i)
    CHECK(runs[i].event->id == stored[i]->id);  // in order

  SECTION("redelivered ids are stored and dispatched once") {
    std::vector<ew::Event> again{*stored[0], plain_event("app.x")};
    again.push_back(again[1]);  // the same new event twice in one batch
    service.emit_many(again);
    service.emit(*stored[2]);
    service.flush();
    CHECK(service.store().size() == 4);
    CHECK(recorder->count() == 4);
    CHECK(service.stats().duplicates == 3);
  }
}

TEST_CASE("service: a duplicate id returns the event stored under it, and is reported") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  Warnings warnings;
  ew::EventService service{{.executor = recorder,
                            .record_self_events = false,
                            .builtin_triggers = false,
                            .on_warning = warnings.sink()}};
  service.register_trigger(custom_device_validation());
  // A typed event re-emitted with its EventMeta (so its id) and another node: a duplicate.
  NodeCreatedEvent created = device_created("node-1");
  const ew::EventPtr first = service.emit(created);
  created.node_id = "node-2";
  const ew::EventPtr second = service.emit(created);
  service.flush();
  CHECK(recorder->count() == 1);
  CHECK(service.stats().duplicates == 1);
  REQUIRE(second);
  CHECK(second->id == first->id);
  CHECK(second->resource.id() == "infrahub.node.node-1");  // what is stored, not what was given
  REQUIRE(warnings.count(ew::ServiceWarning::Kind::duplicate) == 1);
  const ew::ServiceWarning& w = warnings.seen.back();
  CHECK(ew::to_string(w.kind) == "duplicate");
  CHECK_THAT(w.message,
             Catch::Contains(first->id.to_string()) && Catch::Contains("already stored"));
  REQUIRE(w.event);
  CHECK(w.event->resource.id() == "infrahub.node.node-2");  // the one refused

  // In a batch: a repeat of a stored id, and one new id twice.
  ew::Event fresh = plain_event("app.y", "y-1");
  ew::Event refused = fresh;
  refused.resource.set("prefect.resource.id", "y-2");
  auto stored = service.emit_many({*first, fresh, refused});
  REQUIRE(stored.size() == 3);
  CHECK(stored[0] == first);  // the stored event itself: the memory store keeps it
  CHECK(stored[2]->id == fresh.id);
  CHECK(stored[2]->resource.id() == "y-1");
  CHECK(service.stats().duplicates == 3);
  CHECK(warnings.count(ew::ServiceWarning::Kind::duplicate) == 3);
  CHECK(ew::to_string(ew::ServiceWarning::Kind::loop_guard) == "loop_guard");
}

TEST_CASE("service: context propagates to child events, and the loop guard stops runaway loops") {
  auto runner = std::make_shared<ew::CallbackExecutor>();
  Warnings warnings;
  ew::EventService service{{.executor = runner, .max_level = 3, .on_warning = warnings.sink()}};
  std::atomic<int> generated{0};
  // The workflow generates an artifact for the node: a child event, which fires the next trigger.
  runner->on("generate-artifact", [&](const ew::WorkflowRun& run) {
    ++generated;
    service.emit(ArtifactGeneratedEvent{.meta = run.child_meta(),
                                        .node_id = "0190c2a4-0000-7000-8000-0000000000f1",
                                        .artifact_definition_id = "def",
                                        .target_id = "t",
                                        .target_kind = "NetworkDevice",
                                        .checksum = "c0ffee"});
  });
  // A loop: every artifact event generates another artifact.
  service.register_trigger(
      simple_trigger("artifacts", "infrahub.node.created", "generate-artifact"));
  service.register_trigger(
      simple_trigger("again", "infrahub.artifact.generated", "generate-artifact"));

  auto root = device_created();
  service.emit(root);
  service.flush();

  // Levels 0 (the node event) to 3 dispatch; the level-4 artifact is stored, not dispatched.
  CHECK(generated == 4);
  CHECK(service.stats().loop_guarded == 1);
  REQUIRE(warnings.count(ew::ServiceWarning::Kind::loop_guard) == 1);
  CHECK_THAT(warnings.seen[0].message,
             Catch::Contains("level 4") && Catch::Contains("max_level 3"));
  auto guarded = service.read_events({.event_names = {"eventwire.event.loop_guarded"}});
  REQUIRE(guarded.events.size() == 1);
  CHECK(guarded.events[0]->payload["level"] == 4);
  CHECK(guarded.events[0]->payload["event"] == "infrahub.artifact.generated");

  auto family = service.store().family(root.meta.id);
  REQUIRE(family.size() == 5);
  for (std::size_t i = 0; i < family.size(); ++i) {
    CHECK(family[i].second == static_cast<int>(i));
    CHECK(ew::event_level(*family[i].first) == static_cast<int>(i));
  }
  const ew::Event& child = *family[1].first;
  REQUIRE(child.find_related("infrahub.child_event"));
  CHECK(child.find_related("infrahub.child_event")->get("infrahub.event_parent.id") ==
        root.meta.id.to_string());
  CHECK(child.payload["context"]["branch"]["name"] == "main");
}

TEST_CASE("service: triggers added or removed during a dispatch") {
  auto runner = std::make_shared<ew::CallbackExecutor>();
  ew::EventService service{{.executor = runner, .record_self_events = false}};
  std::vector<std::string> ran;
  runner->otherwise([&](const ew::WorkflowRun& run) { ran.push_back(run.workflow); });
  runner->on("first", [&](const ew::WorkflowRun& run) {
    ran.push_back(run.workflow);
    service.remove_trigger("builtin::second");
    service.register_trigger(simple_trigger("third", "app.x", "third"));
  });
  service.register_trigger(simple_trigger("first", "app.x", "first"));
  service.register_trigger(simple_trigger("second", "app.x", "second"));

  service.emit(plain_event("app.x"));
  // `second` was removed before its turn: never invoked. `third` arrived during the dispatch:
  // it does not see this event.
  CHECK(ran == std::vector<std::string>{"first"});

  runner->on("first", [&](const ew::WorkflowRun& run) { ran.push_back(run.workflow); });
  service.emit(plain_event("app.x"));
  CHECK(ran == std::vector<std::string>{"first", "first", "third"});
}

TEST_CASE("service: a workflow may emit, and flush from a workflow is an error, not a deadlock") {
  const auto mode = GENERATE(ew::DispatchMode::inline_on_emit, ew::DispatchMode::queued);
  auto runner = std::make_shared<ew::CallbackExecutor>();
  ew::EventService service{
      {.executor = runner, .dispatch = mode, .queue_capacity = 1, .record_self_events = false}};
  std::atomic<int> followups{0};
  std::string flush_error;
  runner->on("fan-out", [&](const ew::WorkflowRun&) {
    try {
      service.flush();
    } catch (const ew::error& e) {
      flush_error = e.what();
    }
    for (int i = 0; i < 10; ++i)
      service.emit(plain_event("app.followup"));  // overfills: no block
    // Everything else the service offers is callable from a workflow too: no lock is held.
    CHECK(service.stats().fired >= 1);
    CHECK(service.metrics("builtin::fan-out").matched == 1);
    CHECK_FALSE(service.read_events({.event_names = {"app.start"}}).events.empty());
    CHECK(service.explain(plain_event("app.start")).size() == service.triggers().size());
    service.triggers().replace(simple_trigger("late", "app.never", "count"));
  });
  runner->on("count", [&](const ew::WorkflowRun&) { ++followups; });
  service.register_trigger(simple_trigger("fan-out", "app.start", "fan-out"));
  service.register_trigger(simple_trigger("count", "app.followup", "count"));

  service.emit(plain_event("app.start"));
  service.flush();
  CHECK(followups == 10);
  CHECK_THAT(flush_error, Catch::Contains("would wait for itself"));
}

TEST_CASE("service: a full queue rejects or blocks as configured, never drops") {
  auto runner = std::make_shared<ew::CallbackExecutor>();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch first_running(1);
  std::atomic<int> ran{0};
  runner->on("slow", [&](const ew::WorkflowRun& run) {
    if (run.event->payload.value("first", false)) {
      first_running.count_down();
      released.wait();
    }
    ++ran;
  });
  const bool reject = GENERATE(true, false);
  ew::EventService service{
      {.executor = runner,
       .dispatch = ew::DispatchMode::queued,
       .queue_capacity = 2,
       .when_full = reject ? ew::QueueFullPolicy::reject : ew::QueueFullPolicy::block,
       .record_self_events = false}};
  service.register_trigger(simple_trigger("slow", "app.x", "slow"));

  ew::Event first = plain_event("app.x");
  first.payload["first"] = true;
  service.emit(first);
  first_running.wait();  // the dispatch thread is busy with it
  service.emit(plain_event("app.x"));
  service.emit(plain_event("app.x"));  // the queue is now full
  CHECK(service.stats().queue_depth == 2);

  if (reject) {
    ew::Event refused = plain_event("app.x");
    CHECK_THROWS_AS(service.emit(refused), ew::QueueFullError);
    CHECK_THROWS_AS(service.emit_many({plain_event("app.x")}), ew::QueueFullError);
    CHECK_FALSE(service.store().get(refused.id));
    CHECK(service.stats().rejected == 2);
    release.set_value();
    service.flush();
    CHECK(ran == 3);
    CHECK(service.store().size() == 3);
  } else {
    auto blocked = std::async(std::launch::async, [&] { service.emit(plain_event("app.x")); });
    CHECK(blocked.wait_for(100ms) == std::future_status::timeout);
    release.set_value();
    blocked.get();
    service.flush();
    CHECK(ran == 4);
    CHECK(service.store().size() == 4);
  }
  // More events than the queue can ever hold: refused under either policy.
  CHECK_THROWS_AS(service.emit_many(std::vector<ew::Event>(3, plain_event("app.x"))),
                  ew::QueueFullError);
  CHECK_THROWS_WITH(
      service.emit_many(std::vector<ew::Event>(3, plain_event("app.x"))),
      Catch::Contains("3 events at once can never fit") && Catch::Contains("queue_capacity 2"));
}

TEST_CASE("service: flush waits for runs on a thread pool; shutdown drains and then refuses") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  auto slow = std::make_shared<ew::CallbackExecutor>();
  slow->otherwise([](const ew::WorkflowRun&) { std::this_thread::sleep_for(2ms); });
  auto pool = std::make_shared<ew::ThreadPoolExecutor>(3, slow);
  ew::EventService service{{.executor = pool,
                            .dispatch = ew::DispatchMode::queued,
                            .dispatch_threads = 2,
                            .record_self_events = false}};
  service.register_trigger(simple_trigger("t", "app.x", "w"));
  for (int i = 0; i < 50; ++i)
    service.emit(plain_event("app.x"));
  service.flush();
  CHECK(service.metrics("builtin::t").runs == 50);

  for (int i = 0; i < 50; ++i)
    service.emit(plain_event("app.x"));
  service.shutdown();
  CHECK(service.metrics("builtin::t").runs == 100);
  CHECK_THROWS_AS(service.emit(plain_event("app.x")), ew::ServiceStoppedError);
  service.shutdown();  // idempotent
  CHECK(service.store().size() == 100);
}

TEST_CASE("service: options are checked, and start-up triggers are configured") {
  CHECK_THROWS_WITH(ew::EventService({}), Catch::StartsWith("executor: is required"));
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  CHECK_THROWS_AS(ew::EventService({.executor = recorder, .queue_capacity = 0}),
                  ew::ValidationError);

  ew::EventService service{
      {.executor = recorder,
       .builtin_triggers = false,
       .triggers = {custom_device_validation(), simple_trigger("other", "app.x", "w")}}};
  CHECK(service.triggers().size() == 2);
  auto report = ew::trigger_configure_all(service, {custom_device_validation()});
  CHECK(report.unchanged == std::vector<std::string>{"builtin::custom-device-validation"});
  CHECK(report.deleted == std::vector<std::string>{"builtin::other"});
  CHECK(service.triggers().size() == 1);
  CHECK_THROWS_AS(service.register_trigger(custom_device_validation()), ew::ValidationError);
}

TEST_CASE(
    "service: Infrahub's built-in triggers are configured at start-up and fire on its events") {
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  ew::EventService service{{.executor = recorder, .record_self_events = false}};
  const auto builtins = ew::infrahub::builtin_triggers();
  CHECK(service.triggers().size() == builtins.size());
  REQUIRE(service.triggers().find("builtin::webhook-configure"));

  NodeCreatedEvent webhook =
      device_created("0190c2a4-0000-7000-8000-0000000000e9", "CoreStandardWebhook");
  webhook.changelog.display_label = "hook-1";
  auto stored = service.emit(webhook);
  service.flush();
  bool configured = false;
  for (const auto& run : recorder->runs()) {
    if (run.trigger != "builtin::webhook-configure") continue;
    configured = true;
    CHECK(run.workflow == "webhook-configure");
    CHECK(run.parameters["event_type"] == "infrahub.node.created");
    // tojson (sorted keys), parsed back: the same object as the payload's data, as in Python
    auto unordered = [](const ew::json& j) { return nlohmann::json::parse(j.dump()); };
    CHECK(unordered(run.parameters["event_data"]) == unordered(stored->payload["data"]));
  }
  CHECK(configured);
  CHECK(service.metrics("builtin::webhook-configure").matched == 1);

  ew::EventService bare{{.executor = recorder, .builtin_triggers = false}};
  CHECK(bare.triggers().size() == 0);
}

TEST_CASE("service: 4 producers, queued dispatch, every event stored once and every run once") {
  const std::size_t total = [] {
    const char* env = std::getenv("EVENTWIRE_STRESS_EVENTS");
    return env ? std::stoul(env) : std::size_t{1'000'000};
  }();
  constexpr std::size_t producers = 4;
  auto counted = std::make_shared<ew::CallbackExecutor>();
  std::vector<std::atomic<std::uint8_t>> runs_of(total);
  counted->on("count", [&](const ew::WorkflowRun& run) {
    const auto n = run.parameters["n"].get<std::size_t>();
    runs_of[n].fetch_add(1, std::memory_order_relaxed);
  });
  auto store = std::make_shared<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 0});
  ew::EventService service{{.executor = counted,
                            .store = store,
                            .dispatch = ew::DispatchMode::queued,
                            .queue_capacity = 4096,
                            .dispatch_threads = 2,
                            .record_self_events = false}};
  // Fires for one event in ten, on a label.
  service.register_trigger({.name = "tenth",
                            .trigger = {.events = {"app.item.*"}, .match = {{"app.bucket", "0"}}},
                            .actions = {ew::ExecuteWorkflow{
                                .workflow = {.name = "count"},
                                .parameters = {{"n", "{{ event.resource['app.n'] | int }}"}}}}});

  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      std::vector<ew::Event> batch;
      for (std::size_t n = p; n < total; n += producers) {
        ew::Event e{.event = "app.item.created",
                    .resource = {{"prefect.resource.id", "app.item." + std::to_string(n)},
                                 {"app.n", std::to_string(n)},
                                 {"app.bucket", std::to_string(n % 10)}}};
        if (n % 3 == 0) {
          service.emit(std::move(e));
        } else {
          batch.push_back(std::move(e));
          if (batch.size() == 64) service.emit_many(std::exchange(batch, {}));
        }
      }
      if (!batch.empty()) service.emit_many(std::move(batch));
    });
  }
  for (auto& t : threads)
    t.join();
  service.flush();

  CHECK(store->size() == total);
  CHECK(service.stats().accepted == total);
  std::size_t wrong = 0;
  for (std::size_t n = 0; n < total; ++n) {
    const unsigned expected = n % 10 == 0 ? 1 : 0;
    if (runs_of[n].load() != expected) ++wrong;
  }
  CHECK(wrong == 0);
  CHECK(service.metrics("builtin::tenth").runs == (total + 9) / 10);
}

#if defined(EVENTWIRE_HAS_SQLITE)
TEST_CASE("service: with a SQLite store, the history outlives the service") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("eventwire_service_" + ew::Uuid::v4().to_string() + ".db");
  auto recorder = std::make_shared<ew::RecordingExecutor>();
  std::vector<ew::Uuid> ids;
  {
    ew::EventService service{
        {.executor = recorder, .store = std::make_shared<ew::SqliteEventStore>(path.string())}};
    service.register_trigger(custom_device_validation());
    ids.push_back(service.emit(device_created())->id);
    for (auto& e : service.emit_many({plain_event("app.x"), plain_event("app.y")}))
      ids.push_back(e->id);
    service.flush();
    CHECK(recorder->count() == 1);
  }
  ew::EventService reopened{
      {.executor = recorder, .store = std::make_shared<ew::SqliteEventStore>(path.string())}};
  for (const auto& id : ids)
    CHECK(reopened.store().get(id));
  auto page = reopened.read_events({.event_names = {"infrahub.node.created"}});
  REQUIRE(page.events.size() == 1);
  CHECK(page.events[0]->id == ids[0]);
  CHECK(reopened.read_events({.event_names = {"eventwire.action.executed"}}).events.size() == 1);
  // Re-emitting a stored event (a redelivery) does not run its trigger again.
  reopened.register_trigger(custom_device_validation());
  reopened.emit(*page.events[0]);
  reopened.flush();
  CHECK(recorder->count() == 1);
  std::filesystem::remove(path);
}
#endif

TEST_CASE("service: self-events carry exactly the documented labels and payload") {
  // Every field of eventwire.trigger.fired / action.executed / action.failed, label order and
  // payload member order included: the wire form of these events is what a reader of the
  // history (or a trigger on them) sees.
  auto recorder = std::make_shared<ew::RecordingExecutor>(std::vector<std::string>{"broken"});
  ew::EventService service{{.executor = recorder, .builtin_triggers = false}};
  service.register_trigger(custom_device_validation());
  service.register_trigger(simple_trigger("fails", "infrahub.node.created", "broken"));
  service.register_trigger(bad_json_trigger("bad-json", "infrahub.node.created"));

  const ew::Timestamp before = ew::now();
  const ew::EventPtr e = service.emit(device_created());
  service.flush();
  const ew::Timestamp after = ew::now();
  const std::string id = e->id.to_string();

  using Labels = std::vector<std::pair<std::string, std::string>>;
  auto labels_of = [](const ew::Resource& r) {
    Labels out;
    for (const auto [name, value] : r)
      out.emplace_back(name, value);
    return out;
  };
  const Labels triggering = {{"prefect.resource.id", "prefect.event." + id},
                             {"prefect.resource.role", "triggering-event"}};
  auto trigger_labels = [](const std::string& name) {
    return Labels{{"prefect.resource.id", "eventwire.trigger." + name},
                  {"prefect.resource.name", name}};
  };
  auto named = [&](const std::string& event_name) {
    return service.read_events({.event_names = {event_name}}).events;
  };
  auto check_common = [&](const ew::Event& self) {
    CHECK_FALSE(self.id.is_nil());
    CHECK(self.id != e->id);
    CHECK(self.occurred >= before);
    CHECK(self.occurred <= after);
    REQUIRE(self.related.size() == 1);
    CHECK(labels_of(self.related[0]) == triggering);
    CHECK_NOTHROW(self.validate());
  };

  const auto fired = named("eventwire.trigger.fired");
  REQUIRE(fired.size() == 3);
  std::map<std::string, ew::EventPtr> fired_by_trigger;
  for (const auto& f : fired) {
    check_common(*f);
    const std::string name{f->resource.name()};
    CHECK(labels_of(f->resource) == trigger_labels(name));
    CHECK(f->payload.dump() ==
          R"({"triggering_event":{"id":")" + id + R"(","event":"infrahub.node.created"}})");
    CHECK_FALSE(f->follows.has_value());
    fired_by_trigger[name] = f;
  }
  REQUIRE(fired_by_trigger.size() == 3);

  auto action_labels = [&](const std::string& name, const std::string& workflow) {
    Labels labels = trigger_labels(name);
    labels.emplace_back("eventwire.workflow", workflow);
    return labels;
  };

  const auto executed = named("eventwire.action.executed");
  REQUIRE(executed.size() == 1);
  const ew::Event& x = *executed[0];
  check_common(x);
  const std::string custom = "builtin::custom-device-validation";
  CHECK(labels_of(x.resource) == action_labels(custom, "device-validation"));
  REQUIRE(x.payload.size() == 3);
  auto member = x.payload.begin();
  CHECK(member.key() == "action_index");
  CHECK(*member == 0);
  CHECK((++member).key() == "workflow");
  CHECK(*member == "device-validation");
  CHECK((++member).key() == "duration_seconds");
  CHECK(member->is_number_float());
  CHECK(member->get<double>() >= 0.0);
  CHECK(x.follows == fired_by_trigger.at(custom)->id);

  const auto failed = named("eventwire.action.failed");
  REQUIRE(failed.size() == 2);
  for (const auto& f : failed) {
    check_common(*f);
    const std::string name{f->resource.name()};
    REQUIRE(fired_by_trigger.count(name));
    CHECK(f->follows == fired_by_trigger.at(name)->id);
    REQUIRE(f->payload.size() == 4);
    auto it = f->payload.begin();
    CHECK(it.key() == "action_index");
    CHECK(*it == 0);
    CHECK((++it).key() == "workflow");
    CHECK((++it).key() == "duration_seconds");
    CHECK(it->is_number_float());
    CHECK((++it).key() == "reason");
    if (name == "builtin::fails") {
      CHECK(labels_of(f->resource) == action_labels(name, "broken"));
      CHECK(f->payload["workflow"] == "broken");
      CHECK(f->payload["reason"] == "RecordingExecutor: workflow 'broken' fails on purpose");
    } else {
      CHECK(name == "builtin::bad-json");
      CHECK(labels_of(f->resource) == action_labels(name, "never"));
      CHECK(f->payload["workflow"] == "never");
      CHECK(f->payload["duration_seconds"] == 0.0);
      CHECK_THAT(f->payload["reason"].get<std::string>(),
                 Catch::StartsWith("builtin::bad-json: actions[0] (never): parameters: ") &&
                     Catch::Contains("Invalid JSON"));
    }
  }
  CHECK(service.store().size() == 1 + 3 + 1 + 2);
}
