// Concurrency soak of a queued EventService: 4 producers calling emit and emit_many into a small
// bounded queue (reject policy, so it fills up), a thread adding and removing triggers, workflows
// that randomly throw or are slow on a thread pool. Checked at the end:
// - every accepted event is in the store exactly once; every refused emit got an error and
//   stored nothing;
// - every run of a trigger registered for the whole soak ran exactly once per matching event;
//   triggers that came and went ran at most once per event;
// - no deadlock: a watchdog fails the run when it overruns.
//
// Usage: eventwire_soak [seconds=5]. Exit status 0 when every invariant holds. scripts/check runs
// it for 60 s (under TSan too); ctest for a few seconds.
#include <eventwire/eventwire.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace ew = eventwire;
using namespace std::chrono_literals;

namespace {

constexpr int kProducers = 4;
constexpr int kStableTriggers = 3;  // never removed: exactly one run per matching event

/// Runs per (trigger slot, event number), filled by the workflows.
struct RunLog {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::uint32_t> runs;  // key: slot << 40 | n
  void add(std::uint64_t slot, std::uint64_t n) {
    std::lock_guard lock(mutex);
    ++runs[slot << 40 | n];
  }
  std::uint32_t count(std::uint64_t slot, std::uint64_t n) {
    std::lock_guard lock(mutex);
    auto it = runs.find(slot << 40 | n);
    return it == runs.end() ? 0 : it->second;
  }
};

/// Trigger `slot` fires on `soak.item.*` events whose `soak.bucket` is `slot % 4`.
ew::TriggerDefinition trigger_for(int slot) {
  return {
      .name = "soak-" + std::to_string(slot),
      .trigger = {.events = {"soak.item.*"}, .match = {{"soak.bucket", std::to_string(slot % 4)}}},
      .actions = {ew::ExecuteWorkflow{
          .workflow = {.name = "soak"},
          .parameters = {{"slot", slot}, {"n", "{{ event.resource['soak.n'] | int }}"}}}}};
}

int fail(const char* what, std::uint64_t a = 0, std::uint64_t b = 0) {
  std::fprintf(stderr, "soak: FAILED: %s (%llu, %llu)\n", what, static_cast<unsigned long long>(a),
               static_cast<unsigned long long>(b));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);

  // Watchdog: the soak must finish well within twice its duration plus a margin.
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto limit = deadline + std::chrono::duration<double>(seconds + 60);
    while (!finished.load()) {
      if (std::chrono::steady_clock::now() > limit) {
        std::fprintf(stderr, "soak: FAILED: deadlock or livelock (watchdog)\n");
        std::_Exit(2);
      }
      std::this_thread::sleep_for(50ms);
    }
  });

  RunLog log;
  auto workflows = std::make_shared<ew::CallbackExecutor>();
  workflows->on("soak", [&](const ew::WorkflowRun& run) {
    thread_local std::mt19937 rng(std::random_device{}());
    log.add(run.parameters["slot"].get<std::uint64_t>(), run.parameters["n"].get<std::uint64_t>());
    const auto dice = rng() % 100;
    if (dice < 3) throw std::runtime_error("the workflow failed on purpose");
    if (dice < 5) std::this_thread::sleep_for(1ms);
  });
  auto pool = std::make_shared<ew::ThreadPoolExecutor>(3, workflows);
  auto store = std::make_shared<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 0});
  std::atomic<std::uint64_t> warnings{0};
  ew::EventService service{{.executor = pool,
                            .store = store,
                            .dispatch = ew::DispatchMode::queued,
                            .queue_capacity = 256,
                            .when_full = ew::QueueFullPolicy::reject,
                            .dispatch_threads = 2,
                            .on_warning = [&](const ew::ServiceWarning&) { ++warnings; }}};
  for (int slot = 0; slot < kStableTriggers; ++slot)
    service.register_trigger(trigger_for(slot));

  // Producers: accepted and refused event numbers, per producer (merged at the end).
  std::atomic<std::uint64_t> next_n{0};
  std::vector<std::vector<std::pair<std::uint64_t, ew::Uuid>>> accepted(kProducers);
  std::vector<std::vector<ew::Uuid>> refused(kProducers);
  auto make_event = [&](std::mt19937& rng) {
    const std::uint64_t n = next_n.fetch_add(1);
    return std::pair{n, ew::Event{.event = "soak.item." + std::to_string(rng() % 3),
                                  .resource = {{"prefect.resource.id", "soak." + std::to_string(n)},
                                               {"soak.n", std::to_string(n)},
                                               {"soak.bucket", std::to_string(n % 4)}}}};
  };
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      std::mt19937 rng(static_cast<unsigned>(p) * 7919U + 1U);
      while (std::chrono::steady_clock::now() < deadline) {
        if (rng() % 4 == 0) {
          std::vector<std::pair<std::uint64_t, ew::Uuid>> numbers;
          std::vector<ew::Event> batch;
          for (int i = 0; i < 8; ++i) {
            auto [n, e] = make_event(rng);
            numbers.emplace_back(n, e.id);
            batch.push_back(std::move(e));
          }
          try {
            service.emit_many(std::move(batch));
            accepted[p].insert(accepted[p].end(), numbers.begin(), numbers.end());
          } catch (const ew::QueueFullError&) {
            for (auto& [n, id] : numbers)
              refused[p].push_back(id);
            std::this_thread::yield();
          }
        } else {
          auto [n, e] = make_event(rng);
          const ew::Uuid id = e.id;
          try {
            service.emit(std::move(e));
            accepted[p].emplace_back(n, id);
          } catch (const ew::QueueFullError&) {
            refused[p].push_back(id);
            std::this_thread::yield();
          }
        }
      }
    });
  }
  // Trigger churn: slots from kStableTriggers up come and go.
  threads.emplace_back([&] {
    std::mt19937 rng(42);
    while (std::chrono::steady_clock::now() < deadline) {
      const int slot = kStableTriggers + static_cast<int>(rng() % 5);
      if (rng() % 2) {
        service.triggers().replace(trigger_for(slot));
      } else {
        service.remove_trigger("builtin::soak-" + std::to_string(slot));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
    }
  });
  for (auto& t : threads)
    t.join();
  service.flush();
  finished = true;
  watchdog.join();

  // --- invariants ---
  std::size_t n_accepted = 0, n_refused = 0;
  std::unordered_set<ew::Uuid> seen;
  for (int p = 0; p < kProducers; ++p) {
    for (auto& [n, id] : accepted[p]) {
      ++n_accepted;
      if (!seen.insert(id).second) return fail("an event was accepted twice", n);
      if (!store->get(id)) return fail("an accepted event is not in the store", n);
      for (int slot = 0; slot < kStableTriggers; ++slot) {
        const std::uint32_t expected = n % 4 == static_cast<std::uint64_t>(slot % 4) ? 1 : 0;
        if (log.count(static_cast<std::uint64_t>(slot), n) != expected)
          return fail("a stable trigger did not run exactly once", static_cast<std::uint64_t>(slot),
                      n);
      }
      for (int slot = kStableTriggers; slot < kStableTriggers + 5; ++slot) {
        if (log.count(static_cast<std::uint64_t>(slot), n) > 1)
          return fail("a trigger ran twice for one event", static_cast<std::uint64_t>(slot), n);
      }
    }
    for (auto& id : refused[p]) {
      ++n_refused;
      if (store->get(id)) return fail("a refused event was stored");
    }
  }
  const std::size_t items = store->count({.event_prefixes = {"soak."}});
  if (items != n_accepted)
    return fail("the store holds a different number of events", items, n_accepted);
  const auto stats = service.stats();
  if (stats.accepted != n_accepted)
    return fail("stats.accepted differs", stats.accepted, n_accepted);
  std::printf(
      "soak: ok: %.0f s, %zu events accepted, %zu refused (queue full), %llu runs (%llu failed), "
      "%llu warnings\n",
      seconds, n_accepted, n_refused,
      static_cast<unsigned long long>(stats.runs_ok + stats.runs_failed),
      static_cast<unsigned long long>(stats.runs_failed),
      static_cast<unsigned long long>(warnings.load()));
  return 0;
}
