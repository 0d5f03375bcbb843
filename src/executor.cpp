#include "eventwire/executor.hpp"

#include <algorithm>
#include <deque>
#include <thread>

#include "detail/json_release.hpp"
#include "eventwire/error.hpp"

namespace eventwire {

// --- Executor --------------------------------------------------------------------------------

namespace {

// A run with its callback, owned by the scheduled task (which may run on another thread).
struct Task {
  // A constructor, not an aggregate: make_shared's parenthesized aggregate initialization is
  // GCC's, not clang 14's (the clang preset and the fuzz build).
  Task(Executor* owner, WorkflowRun&& work, RunCallback&& callback)
      : executor(owner), run(std::move(work)), done(std::move(callback)) {}

  Executor* executor = nullptr;
  WorkflowRun run;
  RunCallback done;

  void report(const RunOutcome& outcome) const noexcept {
    if (!done) return;
    try {
      done(run, outcome);
    } catch (...) {
      // A failing completion callback must not take the worker (or the service) down with it.
    }
  }
};

}  // namespace

void Executor::execute(WorkflowRun work, RunCallback done) noexcept {
  std::shared_ptr<Task> task;
  try {
    // Allocates before it moves: when allocation fails, `work` and `done` are still whole.
    task = std::make_shared<Task>(this, std::move(work), std::move(done));
  } catch (...) {
    Task{this, std::move(work), std::move(done)}.report(
        {.ok = false, .error = "could not schedule: out of memory"});
    return;
  }
  try {
    // One pointer: fits std::function's inline storage, so scheduling allocates nothing more.
    schedule([task] {
      RunOutcome outcome;
      auto start = std::chrono::steady_clock::now();
      try {
        task->executor->run(task->run);
      } catch (const std::exception& e) {
        outcome = {.ok = false, .error = e.what()};
      } catch (...) {
        outcome = {.ok = false, .error = "unknown exception"};
      }
      outcome.duration = std::chrono::steady_clock::now() - start;
      task->report(outcome);
      detail::release_json_tree(task->run.parameters);  // done with; freed cheaply
    });
  } catch (const std::exception& e) {
    task->report({.ok = false, .error = std::string("could not schedule: ") + e.what()});
  } catch (...) {
    task->report({.ok = false, .error = "could not schedule"});
  }
}

// --- CallbackExecutor ------------------------------------------------------------------------

CallbackExecutor& CallbackExecutor::on(std::string workflow, Callback callback) {
  auto shared = std::make_shared<const Callback>(std::move(callback));
  std::lock_guard lock(mutex_);
  callbacks_[std::move(workflow)] = std::move(shared);
  return *this;
}

CallbackExecutor& CallbackExecutor::otherwise(Callback callback) {
  auto shared = std::make_shared<const Callback>(std::move(callback));
  std::lock_guard lock(mutex_);
  fallback_ = std::move(shared);
  return *this;
}

void CallbackExecutor::run(const WorkflowRun& work) {
  std::shared_ptr<const Callback> callback;
  {
    std::lock_guard lock(mutex_);
    auto it = callbacks_.find(work.workflow);
    callback = it != callbacks_.end() ? it->second : fallback_;
  }
  // Called outside the lock: a callback may register others, or take its time.
  if (!callback) throw error("no callback registered for workflow '" + work.workflow + "'");
  (*callback)(work);
}

// --- ThreadPoolExecutor ----------------------------------------------------------------------

struct ThreadPoolExecutor::Pool {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable idle;
  std::deque<std::function<void()>> queue;
  std::size_t busy = 0;
  bool stopping = false;
  std::vector<std::thread> workers;

  void work() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything queued has run
      auto task = std::move(queue.front());
      queue.pop_front();
      ++busy;
      lock.unlock();
      task();  // Executor::execute's task never throws
      lock.lock();
      --busy;
      if (queue.empty() && busy == 0) idle.notify_all();
    }
  }
};

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t threads, std::shared_ptr<Executor> work)
    : work_(std::move(work)), pool_(std::make_unique<Pool>()) {
  if (!work_) throw error("ThreadPoolExecutor: the executor doing the work must not be null");
  threads = std::max<std::size_t>(threads, 1);
  pool_->workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    pool_->workers.emplace_back([this] { pool_->work(); });
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  {
    std::lock_guard lock(pool_->mutex);
    pool_->stopping = true;
  }
  pool_->wake.notify_all();
  for (auto& worker : pool_->workers)
    worker.join();
}

std::size_t ThreadPoolExecutor::thread_count() const noexcept {
  return pool_->workers.size();
}

void ThreadPoolExecutor::schedule(std::function<void()> task) {
  {
    std::lock_guard lock(pool_->mutex);
    if (pool_->stopping) throw error("ThreadPoolExecutor is shutting down");
    pool_->queue.push_back(std::move(task));
  }
  pool_->wake.notify_one();
}

void ThreadPoolExecutor::wait_idle() {
  std::unique_lock lock(pool_->mutex);
  pool_->idle.wait(lock, [&] { return pool_->queue.empty() && pool_->busy == 0; });
}

// --- RecordingExecutor -----------------------------------------------------------------------

void RecordingExecutor::run(const WorkflowRun& work) {
  {
    std::lock_guard lock(mutex_);
    runs_.push_back(work);
  }
  recorded_.notify_all();
  if (std::find(fail_workflows_.begin(), fail_workflows_.end(), work.workflow) !=
      fail_workflows_.end()) {
    throw error("RecordingExecutor: workflow '" + work.workflow + "' fails on purpose");
  }
}

std::vector<WorkflowRun> RecordingExecutor::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

std::size_t RecordingExecutor::count() const {
  std::lock_guard lock(mutex_);
  return runs_.size();
}

bool RecordingExecutor::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return recorded_.wait_for(lock, timeout, [&] { return runs_.size() >= n; });
}

void RecordingExecutor::clear() {
  std::lock_guard lock(mutex_);
  runs_.clear();
}

}  // namespace eventwire
