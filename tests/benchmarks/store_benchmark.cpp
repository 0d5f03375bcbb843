// Event history: append throughput and name + time-window query latency at 1 million events,
// for the memory and SQLite stores, each next to a baseline measured in the same run (a plain
// vector of events scanned linearly: what a store without indexes does).
//
// Targets (issue 7): memory append >= 2M events/s; SQLite batched append >= 100k events/s;
// a name + window query returning 50 events <= 0.5 ms in memory and <= 5 ms on SQLite.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "eventwire/sqlite_store.hpp"

namespace ew = eventwire;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t stored_events = 1'000'000;
const ew::Timestamp t0 = ew::parse_timestamp("2024-03-01T00:00:00Z");
const char* const names[] = {"infrahub.node.created",       "infrahub.node.updated",
                             "infrahub.node.deleted",       "infrahub.branch.created",
                             "infrahub.artifact.generated", "infrahub.schema.updated",
                             "infrahub.group.member_added", "infrahub.validator.passed"};

// An Infrahub-like event: node resource, branch and account related, a small payload. One every
// 10 ms of simulated time, names spread over eight event types.
ew::EventPtr make_event(std::size_t i) {
  std::string node = "infrahub.node." + std::to_string(i % 5000);
  return std::make_shared<const ew::Event>(
      ew::Event{.occurred = t0 + std::chrono::milliseconds(10 * i),
                .event = names[i % std::size(names)],
                .resource = {{"prefect.resource.id", node},
                             {"infrahub.node.kind", i % 3 ? "NetworkDevice" : "IPAddress"},
                             {"infrahub.branch.name", i % 4 ? "main" : "feature"}},
                .related = {ew::RelatedResource{{"prefect.resource.id", "infrahub.branch.b1"},
                                                {"prefect.resource.role", "infrahub.branch"},
                                                {"infrahub.resource.label", "main"}},
                            ew::RelatedResource{{"prefect.resource.id", "infrahub.account.a1"},
                                                {"prefect.resource.role", "infrahub.account"}}},
                .payload = {{"data", {{"node_id", node}, {"fields", {"name", "ip_address"}}}}}});
}

const std::vector<ew::EventPtr>& events() {
  static const std::vector<ew::EventPtr> all = [] {
    std::vector<ew::EventPtr> v;
    v.reserve(stored_events);
    for (std::size_t i = 0; i < stored_events; ++i)
      v.push_back(make_event(i));
    return v;
  }();
  return all;
}

// The query of the seed's read_events: one name, a window holding a few hundred of them.
ew::EventQuery window_query(std::size_t at) {
  auto start = t0 + std::chrono::milliseconds(10 * at);
  return {.occurred_after = start,
          .occurred_before = start + 60s,
          .event_names = {"infrahub.node.created"},
          .limit = 50,
          .include_total = false};
}

std::string temp_db() {
  return (std::filesystem::temp_directory_path() /
          ("eventwire-bench-" + ew::Uuid::v4().to_string() + ".db"))
      .string();
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path + suffix);
}

// --- append ------------------------------------------------------------------------------------

void BM_Baseline_VectorAppend(benchmark::State& state) {
  const auto& all = events();
  std::size_t i = 0;
  std::vector<ew::EventPtr> store;
  for (auto _ : state) {
    if (i == all.size()) {
      state.PauseTiming();
      store.clear();
      i = 0;
      state.ResumeTiming();
    }
    store.push_back(all[i++]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Baseline_VectorAppend);

void BM_Memory_Append(benchmark::State& state) {
  const auto& all = events();
  std::size_t i = 0;
  auto store = std::make_unique<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 0});
  for (auto _ : state) {
    if (i == all.size()) {
      state.PauseTiming();
      store = std::make_unique<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 0});
      i = 0;
      state.ResumeTiming();
    }
    store->append(all[i++]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Memory_Append);

void BM_Sqlite_Append(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const auto& all = events();
  std::string path = temp_db();
  {
    ew::SqliteEventStore store(path);
    std::size_t i = 0;
    for (auto _ : state) {
      if (i + batch > all.size()) i = 0;  // ids repeat: later rounds measure conflict handling too
      if (batch == 1) {
        store.append(all[i]);
      } else {
        store.append_batch(std::span(all).subspan(i, batch));
      }
      i += batch;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  }
  remove_db(path);
}
BENCHMARK(BM_Sqlite_Append)->Arg(1)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// --- query at 1M events --------------------------------------------------------------------------

void BM_Baseline_ScanQuery(benchmark::State& state) {
  const auto& all = events();
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::size_t> at(0, stored_events - 10'000);
  for (auto _ : state) {
    const ew::CompiledEventQuery q(window_query(at(rng)));
    std::vector<ew::EventPtr> page;
    for (auto it = all.rbegin(); it != all.rend() && page.size() < q.query().limit; ++it) {
      if (q.matches(**it)) page.push_back(*it);
    }
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_Baseline_ScanQuery)->Unit(benchmark::kMillisecond);

// Random windows over the stored million, each expected to fill a page of 50.
void run_window_queries(benchmark::State& state, const ew::EventStore& store) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::size_t> at(0, stored_events - 10'000);
  for (auto _ : state) {
    auto page = store.query(window_query(at(rng)));
    if (page.events.size() != 50) state.SkipWithError("expected a full page");
    benchmark::DoNotOptimize(page);
  }
}

void BM_Memory_Query(benchmark::State& state) {
  static ew::MemoryEventStore store(ew::MemoryStoreLimits{.max_events = 0});
  if (store.size() == 0) {
    for (const auto& e : events())
      store.append(e);
  }
  run_window_queries(state, store);
}
BENCHMARK(BM_Memory_Query)->Unit(benchmark::kMicrosecond);

// The million-event store of BM_Sqlite_Query, filled once, its files removed at exit.
struct FilledSqliteStore {
  std::string path = temp_db();
  FilledSqliteStore() {
    ew::SqliteEventStore store(path);
    const auto& all = events();
    for (std::size_t i = 0; i < all.size(); i += 10'000)
      store.append_batch(std::span(all).subspan(i, 10'000));
  }
  ~FilledSqliteStore() { remove_db(path); }
  FilledSqliteStore(const FilledSqliteStore&) = delete;
  FilledSqliteStore& operator=(const FilledSqliteStore&) = delete;
};

void BM_Sqlite_Query(benchmark::State& state) {
  static const FilledSqliteStore filled;
  ew::SqliteEventStore store(filled.path);
  run_window_queries(state, store);
}
BENCHMARK(BM_Sqlite_Query)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
