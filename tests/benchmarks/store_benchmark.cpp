// Event history: append throughput and query latency at 1 million events (name + time window,
// resource id, related id), for the memory and SQLite stores, each next to a baseline measured in
// the same run (a plain vector of events scanned linearly: what a store without indexes does).
//
// Targets (issue 7): memory append >= 2M events/s; SQLite batched append >= 100k events/s;
// a name + window query returning 50 events <= 0.5 ms in memory and <= 5 ms on SQLite.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <random>

#include "eventwire/infrahub/events.hpp"
#include "eventwire/sqlite_store.hpp"
#include "sample_events.hpp"

namespace ew = eventwire;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t stored_events = 1'000'000;
const ew::Timestamp t0 = ew::parse_timestamp("2024-03-01T00:00:00Z");
const char* const names[] = {"infrahub.node.created",       "infrahub.node.updated",
                             "infrahub.node.deleted",       "infrahub.branch.created",
                             "infrahub.artifact.generated", "infrahub.schema.updated",
                             "infrahub.group.member_added", "infrahub.validator.passed"};

// An Infrahub-like event: node resource (5000 nodes), branch (one) and account (1000 accounts)
// related, a small payload. One every 10 ms of simulated time, names spread over eight event
// types.
ew::EventPtr make_event(std::size_t i) {
  std::string node = "infrahub.node." + std::to_string(i % 5000);
  return std::make_shared<const ew::Event>(ew::Event{
      .occurred = t0 + std::chrono::milliseconds(10 * i),
      .event = names[i % std::size(names)],
      .resource = {{"prefect.resource.id", node},
                   {"infrahub.node.kind", i % 3 ? "NetworkDevice" : "IPAddress"},
                   {"infrahub.branch.name", i % 4 ? "main" : "feature"}},
      .related = {ew::RelatedResource{{"prefect.resource.id", "infrahub.branch.b1"},
                                      {"prefect.resource.role", "infrahub.branch"},
                                      {"infrahub.resource.label", "main"}},
                  ew::RelatedResource{
                      {"prefect.resource.id", "infrahub.account.a" + std::to_string(i % 1000)},
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

// Appends `all` into an unbounded store, starting a new store (untimed) when they run out.
void append_all(benchmark::State& state, const std::vector<ew::EventPtr>& all) {
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

void BM_Memory_Append(benchmark::State& state) {
  append_all(state, events());
}
BENCHMARK(BM_Memory_Append);

// n copies of one of service_benchmark's events (sample_events.hpp), each with its own id and
// time; an Infrahub event's `infrahub.event` related id is its own id, as in Infrahub.
std::vector<ew::EventPtr> copies(const ew::Event& prototype, std::size_t n) {
  std::vector<ew::EventPtr> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ew::Event e = prototype;
    e.id = ew::Uuid::v7();
    e.occurred = t0 + std::chrono::milliseconds(10 * i);
    for (auto& r : e.related)
      if (r.role() == "infrahub.event") r.set("prefect.resource.id", e.id.to_string());
    out.push_back(ew::share_event(std::move(e)));
  }
  return out;
}

const std::vector<ew::EventPtr>& small_events() {
  static const auto all = copies(ew::bench::small_event(), 100'000);
  return all;
}

const std::vector<ew::EventPtr>& infrahub_events() {
  static const auto all = copies(ew::bench::infrahub_event(), 100'000);
  return all;
}

// Late events: every other event occurred `lag` events before the one appended before it, as
// events stamped by their producers and delivered late, or a batch built before the service's own
// events of the same moments. The time and name lists keep (occurred, order) order, so a late
// event is inserted `lag` slots back in each. Arg 0 is the same events in order: the baseline.
void BM_Memory_AppendLate(benchmark::State& state) {
  static std::map<std::int64_t, std::vector<ew::EventPtr>> by_lag;
  const std::int64_t lag = state.range(0);
  auto& all = by_lag[lag];
  if (all.empty()) {
    for (std::size_t i = 0; i < 100'000; ++i) {
      ew::Event e = ew::bench::small_event();
      e.id = ew::Uuid::v7();
      const auto slot = static_cast<std::int64_t>(i) - (i % 2 == 1 ? lag : 0);
      e.occurred = t0 + std::chrono::milliseconds(10 * slot);
      all.push_back(ew::share_event(std::move(e)));
    }
  }
  append_all(state, all);
}
BENCHMARK(BM_Memory_AppendLate)->Arg(0)->Arg(64)->Arg(4096);

// Appends of the service's events into an unbounded store (compare with BM_Memory_Append).
void BM_Memory_AppendEvent(benchmark::State& state, bool small) {
  append_all(state, small ? small_events() : infrahub_events());
}
BENCHMARK_CAPTURE(BM_Memory_AppendEvent, small, true);
BENCHMARK_CAPTURE(BM_Memory_AppendEvent, infrahub, false);

// The memory store indexes resource and related ids on demand: the first query by id after
// appends indexes them. Per event: 1000 appends of the Infrahub event, then one query by
// resource id (which indexes those 1000 events), in a store bounded at 50 000 events.
void BM_Memory_AppendThenQueryById(benchmark::State& state) {
  const auto& all = infrahub_events();
  auto store = std::make_unique<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 50'000});
  std::size_t i = 0;
  for (auto _ : state) {
    if (i + 1000 > all.size()) {
      state.PauseTiming();
      store = std::make_unique<ew::MemoryEventStore>(ew::MemoryStoreLimits{.max_events = 50'000});
      i = 0;
      state.ResumeTiming();
    }
    for (int k = 0; k < 1000; ++k)
      store->append(all[i++]);
    auto page = store->query({.resource_ids = {std::string(all[i - 1]->resource.id())},
                              .limit = 50,
                              .include_total = false});
    if (page.events.size() != 50) state.SkipWithError("expected a full page");
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_Memory_AppendThenQueryById);

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

// The history of one resource: 200 of the million events, the newest 50.
ew::EventQuery resource_query(std::size_t at) {
  return {.resource_ids = {"infrahub.node." + std::to_string(at % 5000)},
          .limit = 50,
          .include_total = false};
}

// The events of one related resource (Infrahub's related node ids, an account): 1000 of the
// million, the newest 50.
ew::EventQuery related_query(std::size_t at) {
  return {.related = {{.ids = {"infrahub.account.a" + std::to_string(at % 1000)}}},
          .limit = 50,
          .include_total = false};
}

// A related id every event carries (the one branch): the worst case of the related id index.
ew::EventQuery dense_related_query(std::size_t) {
  return {.related = {{.ids = {"infrahub.branch.b1"}}}, .limit = 50, .include_total = false};
}

using QueryAt = ew::EventQuery (*)(std::size_t);

// The same queries scanned linearly over a vector, newest first, until the page is full.
void BM_Baseline_ScanQueryBy(benchmark::State& state, QueryAt make_query) {
  const auto& all = events();
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::size_t> at(0, stored_events - 10'000);
  for (auto _ : state) {
    const ew::CompiledEventQuery q(make_query(at(rng)));
    std::vector<ew::EventPtr> page;
    for (auto it = all.rbegin(); it != all.rend() && page.size() < q.query().limit; ++it) {
      if (q.matches(**it)) page.push_back(*it);
    }
    if (page.size() != 50) state.SkipWithError("expected a full page");
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK_CAPTURE(BM_Baseline_ScanQueryBy, resource_id, resource_query)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Baseline_ScanQueryBy, related_id, related_query)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Baseline_ScanQueryBy, dense_related_id, dense_related_query)
    ->Unit(benchmark::kMillisecond);

// Random queries over the stored million, each expected to fill a page of 50.
void run_queries(benchmark::State& state, const ew::EventStore& store, QueryAt make_query) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::size_t> at(0, stored_events - 10'000);
  for (auto _ : state) {
    auto page = store.query(make_query(at(rng)));
    if (page.events.size() != 50) state.SkipWithError("expected a full page");
    benchmark::DoNotOptimize(page);
  }
}

void run_window_queries(benchmark::State& state, const ew::EventStore& store) {
  run_queries(state, store, window_query);
}

// Filled once, and queried by id once: that first query indexes the resource and related ids of
// the million events (the store indexes them on demand), which the QueryBy rows do not measure.
const ew::MemoryEventStore& filled_memory_store() {
  static ew::MemoryEventStore store(ew::MemoryStoreLimits{.max_events = 0});
  if (store.size() == 0) {
    for (const auto& e : events())
      store.append(e);
    (void)store.query(resource_query(0));
  }
  return store;
}

void BM_Memory_Query(benchmark::State& state) {
  run_window_queries(state, filled_memory_store());
}
BENCHMARK(BM_Memory_Query)->Unit(benchmark::kMicrosecond);

void BM_Memory_QueryBy(benchmark::State& state, QueryAt make_query) {
  run_queries(state, filled_memory_store(), make_query);
}
BENCHMARK_CAPTURE(BM_Memory_QueryBy, resource_id, resource_query)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Memory_QueryBy, related_id, related_query)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Memory_QueryBy, dense_related_id, dense_related_query)
    ->Unit(benchmark::kMicrosecond);

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

const FilledSqliteStore& filled_sqlite_store() {
  static const FilledSqliteStore filled;
  return filled;
}

void BM_Sqlite_Query(benchmark::State& state) {
  ew::SqliteEventStore store(filled_sqlite_store().path);
  run_window_queries(state, store);
}
BENCHMARK(BM_Sqlite_Query)->Unit(benchmark::kMicrosecond);

void BM_Sqlite_QueryBy(benchmark::State& state, QueryAt make_query) {
  ew::SqliteEventStore store(filled_sqlite_store().path);
  run_queries(state, store, make_query);
}
BENCHMARK_CAPTURE(BM_Sqlite_QueryBy, resource_id, resource_query)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Sqlite_QueryBy, related_id, related_query)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Sqlite_QueryBy, dense_related_id, dense_related_query)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
