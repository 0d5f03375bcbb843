// End to end: EventService::emit -> store -> registry index -> match -> hydrate -> executor, with
// 1 000 registered triggers, against the same work done by hand in the same run (copy the event,
// look up candidates, match, hydrate): the ratio is the service's overhead.
//
// Each row builds its events one of two ways. In the loop (no suffix): the host's making of the
// event (copying a prototype, a fresh id and time) is timed with the emit, as a host that builds
// each event just before emitting it. `_Prebuilt`: the events' content is copied in batches with
// the timer paused, and each is stamped (id, time) as it is handed out, so the figure is the emit
// and the stamping.
//
// Targets (issue 6), per core: >= 1 million events/s inline when no trigger fires; >= 200 000
// events/s when one trigger with a 3-parameter template fires per event.
#include <benchmark/benchmark.h>

#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "eventwire/infrahub/events.hpp"
#include "eventwire/service.hpp"
#include "sample_events.hpp"

namespace ew = eventwire;

namespace {

constexpr std::size_t kTriggers = 1000;

/// Triggers that never fire on the benchmark's event: other event names and other node kinds.
std::vector<ew::TriggerDefinition> background_triggers() {
  std::vector<ew::TriggerDefinition> out;
  for (std::size_t i = 0; i < kTriggers; ++i) {
    ew::TriggerDefinition d{.name = "bg" + std::to_string(i),
                            .actions = {ew::ExecuteWorkflow{.workflow = {.name = "bg"}}}};
    if (i % 2 == 0) {
      d.trigger.events = {"app.order." + std::to_string(i) + ".placed"};
    } else {
      d.trigger.events = {"infrahub.node.created", "infrahub.node.updated"};
      d.trigger.match = {{"infrahub.node.kind", "Custom" + std::to_string(i)}};
    }
    out.push_back(std::move(d));
  }
  return out;
}

/// The seed's custom trigger with a third parameter: fires on every benchmark event.
ew::TriggerDefinition firing_trigger() {
  return {.name = "custom-device-validation",
          .trigger = {.events = {"infrahub.node.created", "infrahub.node.updated"},
                      .match = {{"infrahub.node.kind", "NetworkDevice"}}},
          .actions = {ew::ExecuteWorkflow{
              .workflow = {.name = "device-validation"},
              .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"},
                             {"branch", "{{ event.resource['infrahub.branch.name'] }}"},
                             {"kind", "{{ event.resource['infrahub.node.kind'] }}"}}}}};
}

bool small_events = false;  // set per benchmark: which prototype fresh_event copies

/// Gives the memory earlier rows freed back to the system, so that each row's history grows into
/// fresh pages as it would in a process of its own: otherwise a row run after another reuses
/// pages already faulted in, and a growing history looks up to twice as cheap as it is.
void fresh_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

ew::Event fresh_event() {
  ew::Event e = small_events ? ew::bench::small_event() : ew::bench::infrahub_event();
  e.id = ew::Uuid::v7();
  e.occurred = ew::now();  // as a host stamps a new event
  return e;
}

/// How a row gets its events: made in the timed loop, or ahead of it (see the top of the file).
enum class Making { in_loop, prebuilt };

/// Hands out fresh events. Prebuilt ones are copied 256 at a time (a batch that stays in cache)
/// with the timer paused, and stamped as they are handed out: stamped in the batch, they would
/// reach the store older than the service's own events of the previous emits, which is another
/// benchmark (late events).
class EventSource {
 public:
  EventSource(benchmark::State& state, Making making) : state_(state), making_(making) {}

  ew::Event next() {
    if (making_ == Making::in_loop) return fresh_event();
    if (next_ == batch_.size()) refill();
    ew::Event& e = batch_[next_++];
    e.id = ew::Uuid::v7();
    e.occurred = ew::now();
    return std::move(e);
  }

 private:
  void refill() {
    state_.PauseTiming();
    batch_.clear();  // the moved-from shells go here, untimed
    for (int i = 0; i < 256; ++i)
      batch_.push_back(small_events ? ew::bench::small_event() : ew::bench::infrahub_event());
    next_ = 0;
    state_.ResumeTiming();
  }

  benchmark::State& state_;
  Making making_;
  std::vector<ew::Event> batch_;
  std::size_t next_ = 0;
};

/// Counts runs; does nothing else (the host's work is not what is measured).
struct CountingExecutor final : ew::Executor {
  std::atomic<std::uint64_t> runs{0};

 protected:
  void run(const ew::WorkflowRun&) override { runs.fetch_add(1, std::memory_order_relaxed); }
};

std::vector<ew::TriggerDefinition> triggers(bool fires) {
  auto all = background_triggers();
  if (fires) all.push_back(firing_trigger());
  return all;
}

void service_inline(benchmark::State& state, bool fires, bool self_events,
                    std::size_t history = ew::MemoryStoreLimits{}.max_events,
                    Making making = Making::in_loop) {
  fresh_heap();
  auto executor = std::make_shared<CountingExecutor>();
  ew::EventService service{{.executor = executor,
                            .store = std::make_shared<ew::MemoryEventStore>(
                                ew::MemoryStoreLimits{.max_events = history}),
                            .record_self_events = self_events,
                            .triggers = triggers(fires)}};
  EventSource events(state, making);
  for (auto _ : state) {
    benchmark::DoNotOptimize(service.emit(events.next()));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["runs"] = static_cast<double>(executor->runs.load());
}

void service_queued(benchmark::State& state, bool fires) {
  fresh_heap();
  auto executor = std::make_shared<CountingExecutor>();
  ew::EventService service{{.executor = executor,
                            .dispatch = ew::DispatchMode::queued,
                            .record_self_events = false,
                            .triggers = triggers(fires)}};
  constexpr int batch = 1000;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      service.emit(fresh_event());
    service.flush();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

/// The baseline: what the service does for an event, written out by hand with no store, no
/// validation, no accounting.
void by_hand(benchmark::State& state, bool fires, Making making = Making::in_loop) {
  ew::TriggerRegistry registry;
  registry.configure_all(triggers(fires));
  CountingExecutor executor;
  EventSource events(state, making);
  for (auto _ : state) {
    auto event = std::make_shared<const ew::Event>(events.next());
    ew::EventTemplateContext context(*event);  // built only as far as the templates read
    for (const auto& trigger : registry.candidates(*event)) {
      if (!trigger->compiled().matches(*event)) continue;
      for (std::size_t i = 0; i < trigger->definition().actions.size(); ++i) {
        executor.execute({.workflow = trigger->definition().actions[i].workflow.name,
                          .parameters = trigger->parameters(i).hydrate(context),
                          .event = event,
                          .trigger = trigger->name()});
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Arg 0: a realistic Infrahub node event (~2 KB of JSON: context, changelog, 6 related
// resources); arg 1: a small event (3 labels).
#define EVENTWIRE_SERVICE_BENCHMARK(name, call) \
  void name(benchmark::State& s) {              \
    small_events = s.range(0) == 1;             \
    call;                                       \
  }
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Service_Inline, service_inline(s, false, true))
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Service_Inline_History10k,
                            service_inline(s, false, true, 10'000))
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Service_Queued, service_queued(s, false))
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Baseline_ByHand, by_hand(s, false))
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Service_Inline_Prebuilt,
                            service_inline(s, false, true, ew::MemoryStoreLimits{}.max_events,
                                           Making::prebuilt))
EVENTWIRE_SERVICE_BENCHMARK(BM_NoFire_Baseline_ByHand_Prebuilt, by_hand(s, false, Making::prebuilt))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Service_Inline, service_inline(s, true, true))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Service_Inline_NoSelfEvents, service_inline(s, true, false))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Service_Inline_History10k,
                            service_inline(s, true, true, 10'000))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Service_Queued, service_queued(s, true))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Baseline_ByHand, by_hand(s, true))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Service_Inline_Prebuilt,
                            service_inline(s, true, true, ew::MemoryStoreLimits{}.max_events,
                                           Making::prebuilt))
EVENTWIRE_SERVICE_BENCHMARK(BM_OneFires_Baseline_ByHand_Prebuilt,
                            by_hand(s, true, Making::prebuilt))

}  // namespace

BENCHMARK(BM_NoFire_Service_Inline)->Arg(0)->Arg(1);
BENCHMARK(BM_NoFire_Service_Inline_History10k)->Arg(0)->Arg(1);
BENCHMARK(BM_NoFire_Service_Queued)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_NoFire_Baseline_ByHand)->Arg(0)->Arg(1);
BENCHMARK(BM_NoFire_Service_Inline_Prebuilt)->Arg(0)->Arg(1);
BENCHMARK(BM_NoFire_Baseline_ByHand_Prebuilt)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Service_Inline)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Service_Inline_NoSelfEvents)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Service_Inline_History10k)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Service_Queued)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_OneFires_Baseline_ByHand)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Service_Inline_Prebuilt)->Arg(0)->Arg(1);
BENCHMARK(BM_OneFires_Baseline_ByHand_Prebuilt)->Arg(0)->Arg(1);
BENCHMARK_MAIN();
