/// @file executor.hpp
/// Executors run the workflows of fired triggers: the interface the host implements, and stock
/// executors (callbacks, a thread pool, a recorder for tests).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "eventwire/action.hpp"

namespace eventwire {

/// How a run ended, as reported by an Executor.
struct RunOutcome {
  bool ok = true;
  std::string error{};  ///< what the workflow threw, when !ok
  std::chrono::nanoseconds duration{0};
};

/// Called once per run when it has finished, on the thread that ran it.
using RunCallback = std::function<void(const WorkflowRun&, const RunOutcome&)>;

/// Runs workflows for the service. The host supplies one; eventwire ships CallbackExecutor,
/// ThreadPoolExecutor and RecordingExecutor.
///
/// Modelled on spdlog's sinks: `execute` is the one non-virtual entry point. It times the run,
/// catches whatever the work throws and reports it through `done`: nothing is ever thrown back
/// into the service. Subclasses implement the protected hook `run` (do the work, throw to fail)
/// and may override `schedule` (where the work happens; the default is the caller's thread).
///
/// @code
/// struct Runner final : eventwire::Executor {
///  protected:
///   void run(const eventwire::WorkflowRun& r) override { start_workflow(r.workflow, r.parameters);
///   }
/// };
/// @endcode
class Executor {
 public:
  virtual ~Executor() = default;

  /// Runs `run` now or later (see `schedule`), then calls `done` exactly once with the outcome.
  /// Never throws: a failing `run`, `schedule` or `done` is reported or contained.
  void execute(WorkflowRun run, RunCallback done = {}) noexcept;

  /// Blocks until every run accepted so far has finished. The default has nothing in flight.
  virtual void wait_idle() {}

 protected:
  /// Does the work of one run on the calling thread; throws to report failure.
  virtual void run(const WorkflowRun& run) = 0;
  /// Arranges for `task` to be called exactly once. The default calls it now. (A sink taken by
  /// value: overrides move it into their queue.)
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void schedule(std::function<void()> task) { task(); }
  /// Calls another executor's `run` hook (for executors that delegate the work).
  static void run_with(Executor& target, const WorkflowRun& work) { target.run(work); }
};

/// Calls a `std::function` per workflow name: for hosts that just want a callback. A run of a
/// workflow with no callback fails with a message naming it (or goes to the fallback, if set).
///
/// @code
/// auto executor = std::make_shared<eventwire::CallbackExecutor>();
/// executor->on("device-validation", [](const eventwire::WorkflowRun& r) { validate(r.parameters);
/// });
/// @endcode
class CallbackExecutor : public Executor {
 public:
  using Callback = std::function<void(const WorkflowRun&)>;

  /// Sets the callback for `workflow`, replacing any previous one. Thread-safe.
  CallbackExecutor& on(std::string workflow, Callback callback);
  /// Called for workflows with no callback of their own.
  CallbackExecutor& otherwise(Callback callback);

 protected:
  void run(const WorkflowRun& run) override;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Callback>> callbacks_;
  std::shared_ptr<const Callback> fallback_;
};

/// Runs the work of another executor on N worker threads, so a slow workflow never holds up
/// the thread that emitted the event. The queue is unbounded: the service bounds what it accepts.
/// Destruction finishes every queued run, then joins the workers.
///
/// @code
/// auto callbacks = std::make_shared<eventwire::CallbackExecutor>();
/// auto pool = std::make_shared<eventwire::ThreadPoolExecutor>(4, callbacks);
/// @endcode
class ThreadPoolExecutor : public Executor {
 public:
  /// `threads` workers (at least one) running `work`'s `run` hook.
  ThreadPoolExecutor(std::size_t threads, std::shared_ptr<Executor> work);
  ~ThreadPoolExecutor() override;
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  void wait_idle() override;
  std::size_t thread_count() const noexcept;

 protected:
  void run(const WorkflowRun& run) override { run_with(*work_, run); }
  void schedule(std::function<void()> task) override;

 private:
  struct Pool;  // workers and queue, kept out of this header
  std::shared_ptr<Executor> work_;
  std::unique_ptr<Pool> pool_;
};

/// Records every run (thread-safe), for tests. Runs of workflows named in `fail_workflows`
/// throw, to exercise failure handling.
class RecordingExecutor : public Executor {
 public:
  RecordingExecutor() = default;
  explicit RecordingExecutor(std::vector<std::string> fail_workflows)
      : fail_workflows_(std::move(fail_workflows)) {}

  /// A copy of the runs so far, in the order they ran.
  std::vector<WorkflowRun> runs() const;
  std::size_t count() const;
  /// Waits until at least `n` runs were recorded; false on timeout.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;
  void clear();

 protected:
  void run(const WorkflowRun& run) override;

 private:
  std::vector<std::string> fail_workflows_;
  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::vector<WorkflowRun> runs_;
};

}  // namespace eventwire
