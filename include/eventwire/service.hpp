/// @file service.hpp
/// The `EventService`: events in, workflow runs out. It validates and stores every event, finds
/// the triggers it fires through the registry's index, hydrates their parameters and hands the
/// runs to the host's Executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/error.hpp"
#include "eventwire/event.hpp"
#include "eventwire/executor.hpp"
#include "eventwire/infrahub/events.hpp"
#include "eventwire/infrahub/triggers.hpp"
#include "eventwire/store.hpp"
#include "eventwire/trigger.hpp"

namespace eventwire {

/// Where the service evaluates triggers for an accepted event.
enum class DispatchMode {
  /// On the thread that called emit, before emit returns (runs themselves go wherever the
  /// executor puts them). The lowest latency; no queue.
  inline_on_emit,
  /// On the service's dispatch threads, through a bounded queue: emit returns once the event is
  /// stored and queued.
  queued,
};

/// What emit does when the dispatch queue is full (DispatchMode::queued).
enum class QueueFullPolicy {
  block,   ///< wait for room (never on a dispatch thread: see EventService)
  reject,  ///< throw QueueFullError; the event is neither stored nor dispatched
};

/// emit was refused because the dispatch queue was full and the policy is `reject`. Nothing of
/// the refused call was stored: retrying is safe.
class QueueFullError : public LimitError {
 public:
  using LimitError::LimitError;
};

/// emit was called after shutdown().
class ServiceStoppedError : public error {
 public:
  using error::error;
};

/// Something the host should know that is not an exception of the emitting call: a run that
/// failed, parameters that did not hydrate, an event the loop guard did not dispatch.
struct ServiceWarning {
  enum class Kind {
    action_failed,     ///< the executor reported a failed run
    hydration_failed,  ///< a parameter did not render; the run was not started
    loop_guard,        ///< an event above max_level was stored but not dispatched
    self_event_lost,   ///< the service could not record one of its own events
    dispatch_failed,   ///< dispatch of an event stopped early (out of memory, say)
    duplicate,         ///< an event whose id was already stored: not stored or dispatched again
  };
  Kind kind = Kind::action_failed;
  std::string message{};   ///< what happened, for a log line
  std::string trigger{};   ///< registered trigger name, when one is involved
  std::string workflow{};  ///< workflow name, when one is involved
  EventPtr event{};        ///< the event being dispatched
};

/// The kind's name as written in the enum (`"action_failed"`), for log lines.
std::string_view to_string(ServiceWarning::Kind kind) noexcept;

/// Counters of one trigger since it was first registered under its name (the seed's "monitor
/// trigger execution times").
struct TriggerMetrics {
  std::uint64_t matched = 0;  ///< events that fired it
  std::uint64_t runs = 0;     ///< runs that finished (ok or not)
  std::uint64_t failed = 0;   ///< runs that failed, and actions whose parameters did not hydrate
  std::chrono::nanoseconds total_duration{0};  ///< summed over finished runs
  std::chrono::nanoseconds max_duration{0};
};

/// Counters of the whole service.
struct ServiceStats {
  std::uint64_t accepted = 0;      ///< events stored by emit / emit_many
  std::uint64_t duplicates = 0;    ///< events whose id was already stored (not dispatched again)
  std::uint64_t rejected = 0;      ///< emit calls refused (validation, full queue, stopped)
  std::uint64_t dispatched = 0;    ///< events whose triggers were evaluated
  std::uint64_t loop_guarded = 0;  ///< events stored but not dispatched (above max_level)
  std::uint64_t fired = 0;         ///< (event, trigger) matches
  std::uint64_t runs_started = 0;  ///< runs handed to the executor
  std::uint64_t runs_ok = 0;
  std::uint64_t runs_failed = 0;
  std::uint64_t hydration_failed = 0;
  std::size_t queue_depth = 0;  ///< events waiting for a dispatch thread right now
};

/// A trigger's verdict on one event: `service.explain(event)` returns one per trigger.
struct TriggerVerdict {
  std::string trigger{};  ///< registered name
  MatchExplanation explanation{};
};

/// How an EventService is set up. Every member has a working default except `executor`.
///
/// @code
/// eventwire::EventService service{{.executor = runner, .dispatch =
/// eventwire::DispatchMode::queued}};
/// @endcode
struct ServiceOptions {
  /// Runs the workflows of fired triggers. Required.
  std::shared_ptr<Executor> executor{};
  /// Event history; a MemoryEventStore with its default bounds when null.
  std::shared_ptr<EventStore> store{};
  DispatchMode dispatch = DispatchMode::inline_on_emit;
  /// Events accepted but not yet dispatched (DispatchMode::queued). At least 1.
  std::size_t queue_capacity = 65'536;
  QueueFullPolicy when_full = QueueFullPolicy::block;
  /// Dispatch threads (DispatchMode::queued). With one, events are dispatched in the order they
  /// were accepted.
  std::size_t dispatch_threads = 1;
  /// Events deeper than this (`infrahub.event.level`, set by EventMeta::from_parent) are stored
  /// but not dispatched: a workflow that keeps emitting children of its own trigger's events stops
  /// here, with a warning, instead of running forever.
  int max_level = 16;
  /// Rules every event must pass.
  EventLimits limits{};
  /// Record `eventwire.trigger.fired`, `eventwire.action.executed`, `eventwire.action.failed`
  /// (as Prefect records `prefect.automation.*` events) and `eventwire.event.loop_guarded`
  /// events in the store, each with the triggering event as a `triggering-event` related resource.
  bool record_self_events = true;
  /// Also dispatch those events to triggers (to alert on failures, say). A self-event never
  /// causes another self-event, so this cannot loop.
  bool dispatch_self_events = false;
  /// Configure Infrahub's built-in catalogue (`infrahub::builtin_triggers()`) at start-up, as
  /// Infrahub's `trigger_configure_all` does. They fire only on Infrahub's own events (schema
  /// updated, branch merged, webhook and core nodes...) and run Infrahub's workflows
  /// (`webhook-configure`, `branch-merged`...) through the executor. False: a registry with only
  /// the host's triggers.
  bool builtin_triggers = true;
  /// More triggers configured at start-up, with the built-ins.
  std::vector<TriggerDefinition> triggers{};
  /// Called for every ServiceWarning, on the thread where it happened. Must not throw (what it
  /// throws is swallowed) and must not call flush() or shutdown().
  std::function<void(const ServiceWarning&)> on_warning{};
};

/// Infrahub's event system in-process: `emit` an event, and the workflows of every trigger it
/// fires run through the host's Executor, with parameters rendered from the event.
///
/// Per event: validate (limits, names), store (the id keeps it unique: an event already stored
/// is not dispatched again), then dispatch: look up candidate triggers through the registry's
/// index, match, hydrate each action's parameters against `{"event": ...}`, and hand a
/// WorkflowRun to the executor.
///
/// Contracts:
/// - Nothing accepted is lost. emit either stores the event and dispatches it (or queues it for
///   dispatch) or throws a typed error having stored nothing: ValidationError / LimitError for a
///   bad event, QueueFullError for a full queue under QueueFullPolicy::reject,
///   ServiceStoppedError after shutdown. emit_many is all or nothing.
/// - One failing action (a parameter that does not hydrate, a workflow that throws) never stops
///   the others; it is counted in metrics() and stats() and reported through on_warning.
/// - No service lock is held while triggers are matched or executors run: a workflow may call
///   emit (its events are dispatched too, up to max_level), register or remove triggers. An emit
///   from a dispatch thread never blocks on a full queue (it may overfill it instead), so a
///   workflow cannot deadlock the service.
/// - A trigger registered while an event is being dispatched does not see that event; a trigger
///   removed is not handed to the executor after remove returns.
/// - flush() returns when every event accepted before it was dispatched and every run it caused
///   has finished. shutdown() stops accepting, drains, and waits; the destructor calls it.
///
/// Thread-safe: every member may be called from any thread.
///
/// @code
/// auto runner = std::make_shared<eventwire::CallbackExecutor>();
/// runner->on("device-validation", [](const eventwire::WorkflowRun& run) { ... });
/// eventwire::EventService service{{.executor = runner}};
/// service.register_trigger(custom_device_validation);
/// service.emit(eventwire::infrahub::NodeMutatedEvent{...});
/// service.flush();
/// auto page = service.read_events({.event_names = {"infrahub.node.created"}});
/// @endcode
class EventService {
 public:
  /// Throws ValidationError when `options.executor` is null or an option is out of range, and
  /// what trigger registration throws for `options.triggers`.
  explicit EventService(ServiceOptions options);
  /// shutdown(), then releases the executor.
  ~EventService();
  EventService(const EventService&) = delete;
  EventService& operator=(const EventService&) = delete;

  /// Accepts one event (see the class comment); returns it as stored, with its id. An event whose
  /// id is already stored (a redelivery, or a typed event re-emitted with the same EventMeta) is
  /// neither stored nor dispatched again: emit returns the event stored under that id, counts it
  /// in stats().duplicates and reports a `duplicate` ServiceWarning. Throws ValidationError /
  /// LimitError naming the field, QueueFullError, ServiceStoppedError.
  EventPtr emit(Event event);
  /// Accepts an Infrahub typed event (its to_event form).
  template <infrahub::InfrahubEvent E>
  EventPtr emit(const E& event) {
    return emit(infrahub::to_event(event));
  }
  /// Accepts several events atomically: every one is validated first, then all are stored in one
  /// batch and dispatched in order, or none is (the error names the index:
  /// `events[3].event: ...`). Duplicates are returned and reported as by emit.
  std::vector<EventPtr> emit_many(std::vector<Event> events);

  /// Blocks until every event accepted so far is dispatched and every run it caused has finished.
  /// Throws error when called from a workflow run or a dispatch thread (it would wait for itself).
  void flush();
  /// Stops accepting events (emit throws ServiceStoppedError), dispatches what was accepted,
  /// waits for the runs, then stops the dispatch threads. Idempotent.
  void shutdown();

  /// Registers a trigger (TriggerRegistry::add: a duplicate name, a bad pattern, missing
  /// workflow parameters or a broken template is a ValidationError now, not at the first event).
  TriggerHandle register_trigger(TriggerDefinition definition);
  /// Removes a trigger by registered name (`builtin::x`); false if absent.
  bool remove_trigger(std::string_view name);
  /// The registry, for replace / list / configure_all.
  TriggerRegistry& triggers() noexcept;
  const TriggerRegistry& triggers() const noexcept;

  /// The event history (Prefect's `read_events`).
  EventPage read_events(const EventQuery& query = {}) const;
  EventStore& store() noexcept;

  /// For every registered trigger (sorted by name): whether `event` fires it, or the first
  /// reason it does not. Does not store or dispatch anything. An event emit would refuse reaches
  /// no trigger: explain throws what emit would (ValidationError / LimitError naming the field).
  std::vector<TriggerVerdict> explain(const Event& event) const;

  /// Counters of the trigger registered as `name` (zeros if it never fired).
  TriggerMetrics metrics(std::string_view name) const;
  /// Counters of every trigger that has fired, by registered name, sorted.
  std::vector<std::pair<std::string, TriggerMetrics>> metrics() const;
  ServiceStats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Infrahub's `trigger_configure_all`: reconciles the service's triggers with `definitions`
/// (created / updated / unchanged / deleted) and returns the report. With `scope`, only triggers
/// of that type are deleted when missing. Validates every definition first: on error nothing
/// changes.
ConfigureReport trigger_configure_all(EventService& service,
                                      std::vector<TriggerDefinition> definitions,
                                      std::optional<TriggerType> scope = std::nullopt);

/// The nesting level an event carries (`infrahub.event.level` of its `infrahub.event` related
/// resource, as EventMeta writes it); 0 when it has none.
int event_level(const Event& event) noexcept;

}  // namespace eventwire
