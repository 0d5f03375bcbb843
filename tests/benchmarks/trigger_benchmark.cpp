// Which triggers fire on an event: lookup through TriggerRegistry's index + match, against a
// naive scan that matches every registered trigger, measured in the same run. Index_* is
// candidates(event) + compiled().matches() per candidate; Matching_* is for_each_match, the
// dispatcher's fast path.
//
// Targets (issue 4): >= 5 million events/s on one core with 10 000 triggers; going from 10 to
// 100 000 triggers costs at most 2x per event when the extra triggers are for other event names.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <random>

#include "eventwire/trigger.hpp"

namespace ew = eventwire;

namespace {

const char* const node_events[] = {"infrahub.node.created", "infrahub.node.updated",
                                   "infrahub.node.deleted"};
// A schema's worth of node kinds (Infrahub deployments carry hundreds).
const std::vector<std::string>& kinds() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v = {
        "NetworkDevice", "NetworkInterface", "IPAddress",          "IPPrefix", "Tag",
        "Site",          "CoreArtifact",     "CoreStandardWebhook"};
    for (int i = 0; v.size() < 400; ++i)
      v.push_back("Custom" + std::to_string(i));
    return v;
  }();
  return all;
}
const std::string& kind(std::mt19937& rng) {
  return kinds()[rng() % kinds().size()];
}

// An Infrahub-like mix: node triggers with kind lists, branch filters (main / !main), some
// wildcards, and many triggers for the host's own event names. Both the index and the naive
// scan fire exactly the same triggers (`fired` is kept so neither work is optimized away).
ew::TriggerDefinition realistic_trigger(std::size_t i, std::mt19937& rng) {
  ew::TriggerDefinition d{.name = fmt::format("t{}", i)};
  switch (rng() % 10) {
    case 0:
      d.trigger.events = {"infrahub.node.*"};
      break;
    case 1:
      d.trigger.events = {"infrahub.branch.created", "infrahub.branch.merged"};
      break;
    case 2:
    case 3:
    case 4:
      d.trigger.events = {node_events[rng() % 3], node_events[rng() % 3]};
      break;
    default:  // the host's own events: one of many names
      d.trigger.events = {"app.order." + std::to_string(rng() % 5000) + ".placed"};
  }
  d.trigger.match = {{"infrahub.node.kind", {kind(rng), kind(rng)}}};
  if (rng() % 2) {
    d.trigger.match_related = {{"prefect.resource.role", "infrahub.branch"},
                               {"infrahub.resource.label", rng() % 2 ? "main" : "!main"}};
  }
  return d;
}

std::vector<ew::Event> sample_events() {
  std::vector<ew::Event> events;
  std::mt19937 rng(7);
  for (int i = 0; i < 256; ++i) {
    events.push_back(ew::Event{
        .event = i % 8 == 7 ? "app.order." + std::to_string(rng() % 5000) + ".placed"
                            : node_events[rng() % 3],
        .resource = {{"prefect.resource.id", "infrahub.node.1"}, {"infrahub.node.kind", kind(rng)}},
        .related = {
            ew::RelatedResource{{"prefect.resource.id", "infrahub.branch.b"},
                                {"prefect.resource.role", "infrahub.branch"},
                                {"infrahub.resource.label", rng() % 2 ? "main" : "feature"}}}});
  }
  return events;
}

std::unique_ptr<ew::TriggerRegistry> realistic_registry(std::size_t n,
                                                        std::vector<ew::TriggerHandle>& all) {
  auto registry = std::make_unique<ew::TriggerRegistry>();
  std::mt19937 rng(42);
  std::vector<ew::TriggerDefinition> definitions;
  for (std::size_t i = 0; i < n; ++i)
    definitions.push_back(realistic_trigger(i, rng));
  registry->configure_all(std::move(definitions));  // one index build, not one per trigger
  all = registry->list();
  return registry;
}

// Events through `candidates_of(event)` + match, counting what fires.
template <typename Candidates>
void run_events(benchmark::State& state, const std::vector<ew::Event>& events,
                Candidates candidates_of) {
  std::size_t i = 0, fired = 0;
  // Steady state: the index computes each event name's entry on first sight (for patterned
  // triggers, a pass over all of them), which is not what a long-running service pays per event.
  for (const auto& e : events)
    for (const auto& t : candidates_of(e))
      fired += t->compiled().matches(e);
  for (auto _ : state) {
    const auto& e = events[i++ % events.size()];
    for (const auto& t : candidates_of(e))
      fired += t->compiled().matches(e);
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
}

void BM_Index_RealisticMix(benchmark::State& state) {
  std::vector<ew::TriggerHandle> all;
  auto registry = realistic_registry(static_cast<std::size_t>(state.range(0)), all);
  run_events(state, sample_events(), [&](const ew::Event& e) { return registry->candidates(e); });
}

// The dispatcher's fast path: for_each_match (index, then only the checks the index does not
// guarantee, each shared check evaluated once per event).
void BM_Matching_RealisticMix(benchmark::State& state) {
  std::vector<ew::TriggerHandle> all;
  auto registry = realistic_registry(static_cast<std::size_t>(state.range(0)), all);
  auto events = sample_events();
  std::size_t i = 0, fired = 0;
  for (const auto& e : events)  // steady state, as run_events
    registry->for_each_match(e, [&](const ew::TriggerHandle&) { ++fired; });
  for (auto _ : state) {
    registry->for_each_match(events[i++ % events.size()],
                             [&](const ew::TriggerHandle&) { ++fired; });
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
}

void BM_NaiveScan_RealisticMix(benchmark::State& state) {
  std::vector<ew::TriggerHandle> all;
  auto registry = realistic_registry(static_cast<std::size_t>(state.range(0)), all);
  run_events(state, sample_events(),
             [&](const ew::Event&) -> const std::vector<ew::TriggerHandle>& { return all; });
}

// 10 triggers on node events, plus (n - 10) on other event names; and the node events.
void configure_other_names(ew::TriggerRegistry& registry, std::size_t n,
                           std::vector<ew::Event>& events) {
  std::mt19937 rng(42);
  std::vector<ew::TriggerDefinition> definitions;
  for (std::size_t i = 0; i < 10; ++i) {
    auto d = realistic_trigger(i, rng);
    d.trigger.events = {node_events[i % 3]};
    definitions.push_back(d);
  }
  for (std::size_t i = 10; i < n; ++i) {
    definitions.push_back(
        ew::TriggerDefinition{.name = "other" + std::to_string(i),
                              .trigger = {.events = {"app.event." + std::to_string(i)}}});
  }
  registry.configure_all(std::move(definitions));
  events = sample_events();
  std::erase_if(events, [](const ew::Event& e) { return !e.event.starts_with("infrahub."); });
}

// 10 triggers on node events, plus (n - 10) on other event names: the cost per node event must
// barely move with n.
void BM_Index_OtherNames(benchmark::State& state) {
  ew::TriggerRegistry registry;
  std::vector<ew::Event> events;
  configure_other_names(registry, static_cast<std::size_t>(state.range(0)), events);
  run_events(state, events, [&](const ew::Event& e) { return registry.candidates(e); });
}

// BM_Index_OtherNames through for_each_match.
void BM_Matching_OtherNames(benchmark::State& state) {
  ew::TriggerRegistry registry;
  std::vector<ew::Event> events;
  configure_other_names(registry, static_cast<std::size_t>(state.range(0)), events);
  std::size_t i = 0, fired = 0;
  for (const auto& e : events)  // steady state, as run_events
    registry.for_each_match(e, [&](const ew::TriggerHandle&) { ++fired; });
  for (auto _ : state) {
    registry.for_each_match(events[i++ % events.size()],
                            [&](const ew::TriggerHandle&) { ++fired; });
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Index_RealisticMix)->Arg(10)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_Matching_RealisticMix)->Arg(10)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_NaiveScan_RealisticMix)->Arg(10)->Arg(1000)->Arg(10000);
BENCHMARK(BM_Index_OtherNames)->Arg(10)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_Matching_OtherNames)->Arg(10)->Arg(1000)->Arg(10000)->Arg(100000);

BENCHMARK_MAIN();
