#include "eventwire/executor.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "eventwire/error.hpp"

using eventwire::RunOutcome;
using eventwire::WorkflowRun;
using namespace std::chrono_literals;

namespace {

WorkflowRun run_of(std::string workflow, int n = 0) {
  return WorkflowRun{.workflow = std::move(workflow), .parameters = {{"n", n}}};
}

struct Outcomes {
  std::mutex mutex;
  std::vector<std::pair<std::string, RunOutcome>> seen;
  eventwire::RunCallback callback() {
    return [this](const WorkflowRun& r, const RunOutcome& o) {
      std::lock_guard lock(mutex);
      seen.emplace_back(r.workflow, o);
    };
  }
};

struct Throwing final : eventwire::Executor {
 protected:
  void run(const WorkflowRun&) override { throw 42; }
};

}  // namespace

TEST_CASE("CallbackExecutor calls the callback for the run's workflow and reports the outcome") {
  eventwire::CallbackExecutor executor;
  int calls = 0;
  executor.on("a", [&](const WorkflowRun& r) { calls += r.parameters["n"].get<int>(); });
  executor.on("boom", [](const WorkflowRun&) { throw std::runtime_error("workflow exploded"); });
  Outcomes outcomes;
  executor.execute(run_of("a", 2), outcomes.callback());
  executor.execute(run_of("boom"), outcomes.callback());
  executor.execute(run_of("unknown"), outcomes.callback());
  CHECK(calls == 2);
  REQUIRE(outcomes.seen.size() == 3);
  CHECK(outcomes.seen[0].second.ok);
  CHECK_FALSE(outcomes.seen[1].second.ok);
  CHECK(outcomes.seen[1].second.error == "workflow exploded");
  CHECK(outcomes.seen[2].second.error == "no callback registered for workflow 'unknown'");
  executor.otherwise([&](const WorkflowRun&) { calls += 100; });
  executor.execute(run_of("unknown"), outcomes.callback());
  CHECK(calls == 102);
  CHECK(outcomes.seen.back().second.ok);
}

TEST_CASE("execute never throws: non-std exceptions and failing callbacks are contained") {
  Throwing executor;
  Outcomes outcomes;
  CHECK_NOTHROW(executor.execute(run_of("x"), outcomes.callback()));
  REQUIRE(outcomes.seen.size() == 1);
  CHECK(outcomes.seen[0].second.error == "unknown exception");
  CHECK_NOTHROW(
      executor.execute(run_of("x"), [](const WorkflowRun&, const RunOutcome&) { throw 1; }));
  CHECK_NOTHROW(executor.execute(run_of("x")));
}

TEST_CASE("outcomes carry the run's duration") {
  eventwire::CallbackExecutor executor;
  executor.on("slow", [](const WorkflowRun&) { std::this_thread::sleep_for(20ms); });
  Outcomes outcomes;
  executor.execute(run_of("slow"), outcomes.callback());
  CHECK(outcomes.seen.at(0).second.duration >= 20ms);
}

TEST_CASE("ThreadPoolExecutor runs work on its workers, concurrently, and wait_idle waits for it") {
  auto callbacks = std::make_shared<eventwire::CallbackExecutor>();
  std::atomic<int> running{0}, peak{0}, done{0};
  std::mutex ids_mutex;
  std::set<std::thread::id> ids;
  callbacks->on("w", [&](const WorkflowRun&) {
    int now = ++running;
    for (int seen = peak; now > seen && !peak.compare_exchange_weak(seen, now);) {
    }
    {
      std::lock_guard lock(ids_mutex);
      ids.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(10ms);
    --running;
    ++done;
  });
  eventwire::ThreadPoolExecutor pool(4, callbacks);
  CHECK(pool.thread_count() == 4);
  Outcomes outcomes;
  for (int i = 0; i < 40; ++i)
    pool.execute(run_of("w", i), outcomes.callback());
  pool.wait_idle();
  CHECK(done == 40);
  CHECK(outcomes.seen.size() == 40);
  CHECK(peak > 1);
  CHECK(ids.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("ThreadPoolExecutor reports failures and finishes queued work when destroyed") {
  auto recorder = std::make_shared<eventwire::RecordingExecutor>(std::vector<std::string>{"bad"});
  Outcomes outcomes;
  {
    eventwire::ThreadPoolExecutor pool(2, recorder);
    for (int i = 0; i < 100; ++i)
      pool.execute(run_of(i % 10 == 0 ? "bad" : "good", i), outcomes.callback());
  }
  CHECK(recorder->count() == 100);
  std::size_t failed = 0;
  for (auto& [name, outcome] : outcomes.seen)
    failed += !outcome.ok;
  CHECK(outcomes.seen.size() == 100);
  CHECK(failed == 10);
  CHECK_THROWS_AS(eventwire::ThreadPoolExecutor(1, nullptr), eventwire::error);
}

TEST_CASE("RecordingExecutor records in order and waits for runs") {
  eventwire::RecordingExecutor recorder;
  CHECK_FALSE(recorder.wait_for(1, 1ms));
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i)
      recorder.execute(run_of("w", i));
  });
  CHECK(recorder.wait_for(3, 5s));
  producer.join();
  auto runs = recorder.runs();
  REQUIRE(runs.size() == 3);
  CHECK(runs[2].parameters["n"] == 2);
  recorder.clear();
  CHECK(recorder.count() == 0);
}
