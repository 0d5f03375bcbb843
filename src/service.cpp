#include "eventwire/service.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "detail/json_members.hpp"
#include "detail/shared_event.hpp"
#include "eventwire/template.hpp"

namespace eventwire {

int event_level(const Event& event) noexcept {
  const RelatedResource* meta = event.find_related("infrahub.event");
  if (meta == nullptr) return 0;
  std::string_view text = meta->get("infrahub.event.level");
  int level = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), level);
  return ec == std::errc{} && end == text.data() + text.size() ? level : 0;
}

namespace {

/// Set while this thread dispatches for a service (a dispatch thread, or an inline emit and the
/// runs it starts): flush() there would wait for itself, and a full queue must not block it.
thread_local int dispatch_depth = 0;

struct DispatchScope {
  DispatchScope() noexcept { ++dispatch_depth; }
  ~DispatchScope() { --dispatch_depth; }
  DispatchScope(const DispatchScope&) = delete;
  DispatchScope& operator=(const DispatchScope&) = delete;
};

/// Lock-free counters of one trigger, created once per name and never freed while the service
/// lives, so runs in flight can update them without a lookup.
struct TriggerCounters {
  std::atomic<std::uint64_t> matched{0};
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::int64_t> total_ns{0};
  std::atomic<std::int64_t> max_ns{0};

  void finished(const RunOutcome& outcome) noexcept {
    runs.fetch_add(1, std::memory_order_relaxed);
    if (!outcome.ok) failed.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t ns = outcome.duration.count();
    total_ns.fetch_add(ns, std::memory_order_relaxed);
    std::int64_t seen = max_ns.load(std::memory_order_relaxed);
    while (ns > seen && !max_ns.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
    }
  }

  TriggerMetrics snapshot() const noexcept {
    return {.matched = matched.load(std::memory_order_relaxed),
            .runs = runs.load(std::memory_order_relaxed),
            .failed = failed.load(std::memory_order_relaxed),
            .total_duration = std::chrono::nanoseconds(total_ns.load(std::memory_order_relaxed)),
            .max_duration = std::chrono::nanoseconds(max_ns.load(std::memory_order_relaxed))};
  }
};

std::uint64_t load(const std::atomic<std::uint64_t>& counter) noexcept {
  return counter.load(std::memory_order_relaxed);
}

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.fetch_add(n, std::memory_order_relaxed);
}

/// The triggers an event fired, in the order found: room for a few inline (one is the common
/// case), a vector beyond.
class FiredTriggers {
 public:
  void add(const TriggerHandle& trigger) {
    if (size_ < inline_.size()) {
      inline_[size_] = trigger;
    } else {
      more_.push_back(trigger);
    }
    ++size_;
  }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const TriggerHandle& operator[](std::size_t i) const noexcept {
    return i < inline_.size() ? inline_[i] : more_[i - inline_.size()];
  }

 private:
  std::array<TriggerHandle, 4> inline_{};
  std::vector<TriggerHandle> more_{};
  std::size_t size_ = 0;
};

/// An event waiting for dispatch; self-events never cause further self-events.
struct QueuedEvent {
  EventPtr event;
  bool self_event = false;
};

}  // namespace

struct EventService::State : std::enable_shared_from_this<State> {
  explicit State(ServiceOptions opts) : options(std::move(opts)) {}

  ServiceOptions options;
  TriggerRegistry registry;

  // --- accounting, queue and threads (mutex guards all of it) ---
  mutable std::mutex mutex;
  std::condition_variable room;  ///< the queue has room
  std::condition_variable work;  ///< the queue has events, or stopping
  std::condition_variable idle;  ///< pending reached 0
  std::deque<QueuedEvent> queue;
  std::size_t reserved = 0;  ///< queue slots promised to emits that are storing their events
  /// Events not yet fully dispatched + runs not yet finished. Atomic, so the inline path takes
  /// no lock; `idle` is notified under `mutex` when it reaches 0 while someone waits for it.
  std::atomic<std::size_t> pending{0};
  std::atomic<std::size_t> idle_waiters{0};  ///< threads in wait_idle()
  std::atomic<bool> accepting{true};
  bool stopping = false;  ///< dispatch threads exit once the queue is empty
  std::vector<std::thread> threads;

  // --- counters ---
  std::atomic<std::uint64_t> accepted{0}, duplicates{0}, rejected{0}, dispatched{0},
      loop_guarded{0}, fired{0}, runs_started{0}, runs_ok{0}, runs_failed{0}, hydration_failed{0};
  mutable std::shared_mutex counters_mutex;
  std::unordered_map<std::string, std::unique_ptr<TriggerCounters>> counters_by_name;

  bool queued() const noexcept { return options.dispatch == DispatchMode::queued; }

  TriggerCounters& counters_for(const std::string& name) {
    {
      std::shared_lock lock(counters_mutex);
      if (auto it = counters_by_name.find(name); it != counters_by_name.end()) return *it->second;
    }
    std::unique_lock lock(counters_mutex);
    auto& slot = counters_by_name[name];
    if (!slot) slot = std::make_unique<TriggerCounters>();
    return *slot;
  }

  void warn(const ServiceWarning& warning) const noexcept {
    if (!options.on_warning) return;
    try {
      options.on_warning(warning);
    } catch (...) {
      // The host's warning sink failing must not stop dispatch.
    }
  }

  // --- pending work -------------------------------------------------------------------------

  void add_pending(std::size_t n) { pending.fetch_add(n); }

  // Both sides use sequentially consistent operations (Dekker's pattern): either this sees the
  // waiter registered, or the waiter (registered before it reads `pending`) sees 0 and does not
  // sleep. So an inline emit with no one waiting takes no lock and signals nothing.
  void finish_pending(std::size_t n = 1) {
    if (pending.fetch_sub(n) == n && idle_waiters.load() != 0) {
      std::lock_guard lock(mutex);  // a waiter is either not waiting yet or asleep: never missed
      idle.notify_all();
    }
  }

  // --- accepting events ---------------------------------------------------------------------

  /// Reserves `n` queue slots (queued mode) before anything is stored, so a refused emit has
  /// stored nothing. Throws QueueFullError / ServiceStoppedError.
  void reserve(std::size_t n) {
    if (!queued()) {
      // Counted before the check: shutdown() sees this emit in `pending`, or it sees shutdown.
      add_pending(n);
      if (!accepting.load()) {
        finish_pending(n);
        throw ServiceStoppedError("emit: the service has been shut down");
      }
      return;
    }
    std::unique_lock lock(mutex);
    if (!accepting) throw ServiceStoppedError("emit: the service has been shut down");
    const std::size_t capacity = options.queue_capacity;
    auto fits = [&] { return queue.size() + reserved + n <= capacity; };
    // A dispatch thread (or a workflow run inside dispatch) never waits for room: only
    // dispatch makes room, so waiting there could deadlock. It overfills the queue instead.
    if (!fits() && dispatch_depth == 0) {
      if (n > capacity) {
        throw QueueFullError("events", fmt::format("{} events at once can never fit the dispatch "
                                                   "queue (queue_capacity {}); none was stored",
                                                   n, capacity));
      }
      if (options.when_full == QueueFullPolicy::reject) {
        throw QueueFullError(
            "emit", fmt::format("the dispatch queue is full ({} events, queue_capacity {}); the "
                                "event{} not stored",
                                queue.size() + reserved, capacity, n == 1 ? " was" : "s were"));
      }
      room.wait(lock, [&] { return fits() || !accepting; });
      if (!accepting) throw ServiceStoppedError("emit: the service has been shut down");
    }
    reserved += n;
    add_pending(n);
  }

  /// Gives back slots reserved for events that were not stored after all.
  void release(std::size_t n) {
    if (queued()) {
      std::lock_guard lock(mutex);
      reserved -= n;
      room.notify_all();
    }
    finish_pending(n);
  }

  /// Hands stored events to dispatch: queues them, or dispatches them on this thread.
  /// Events that were not new (duplicates) give back their slot and are not dispatched.
  void submit(std::span<const EventPtr> events, std::span<const bool> is_new, bool self_event) {
    if (queued()) {
      std::size_t duplicates_skipped = 0;
      {
        std::lock_guard lock(mutex);
        reserved -= events.size();
        for (std::size_t i = 0; i < events.size(); ++i) {
          if (is_new[i]) {
            queue.push_back({events[i], self_event});
          } else {
            ++duplicates_skipped;
          }
        }
        room.notify_all();
        work.notify_all();
      }
      if (duplicates_skipped) finish_pending(duplicates_skipped);
      return;
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (is_new[i]) {
        dispatch_guarded(events[i], self_event);
      }
      finish_pending();
    }
  }

  static void assign_missing_id(Event& event) {
    if (event.id.is_nil()) event.id = Uuid::v7();
  }

  EventPtr accept_one(Event&& event) {
    assign_missing_id(event);
    try {
      event.validate(options.limits);
    } catch (...) {
      bump(rejected);
      throw;
    }
    auto stored = share_event(std::move(event));
    try {
      reserve(1);
    } catch (...) {
      bump(rejected);
      throw;
    }
    bool is_new = false;
    try {
      is_new = options.store->append(stored);
    } catch (...) {
      release(1);
      bump(rejected);
      throw;
    }
    bump(is_new ? accepted : duplicates);
    const bool flags[1] = {is_new};
    submit(std::span<const EventPtr>(&stored, 1), flags, false);
    return is_new ? stored : already_stored(stored);
  }

  /// For a duplicate: reports it, and returns the event stored under its id (the one given, should
  /// the store have dropped that one since or fail to read it).
  EventPtr already_stored(const EventPtr& duplicate) const {
    warn({.kind = ServiceWarning::Kind::duplicate,
          .message = fmt::format("event {} ({}): its id is already stored; not stored or "
                                 "dispatched again",
                                 duplicate->id.to_string(), duplicate->event),
          .event = duplicate});
    try {
      EventPtr first = options.store->get(duplicate->id);
      return first ? first : duplicate;
    } catch (...) {
      return duplicate;  // the emit itself succeeded: a failing lookup must not undo that (review)
    }
  }

  std::vector<EventPtr> accept_many(std::vector<Event>&& events) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      assign_missing_id(events[i]);
      try {
        events[i].validate(options.limits);
      } catch (const ValidationError& e) {  // a LimitError stays one
        bump(rejected);
        rethrow_with_field_prefix(e, fmt::format("events[{}]", i));
      }
    }
    std::vector<EventPtr> stored;
    stored.reserve(events.size());
    for (auto& event : events)
      stored.push_back(share_event(std::move(event)));
    if (stored.empty()) return stored;
    try {
      reserve(stored.size());
    } catch (...) {
      bump(rejected);
      throw;
    }
    std::vector<bool> newness;
    try {
      newness = new_in_store(stored);
    } catch (...) {
      release(stored.size());
      bump(rejected);
      throw;
    }
    std::unique_ptr<bool[]> flags(new bool[stored.size()]);
    std::size_t fresh = 0;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      flags[i] = newness[i];
      fresh += newness[i] ? 1 : 0;
    }
    bump(accepted, fresh);
    bump(duplicates, stored.size() - fresh);
    submit(stored, std::span<const bool>(flags.get(), stored.size()), false);
    for (std::size_t i = 0; i < stored.size(); ++i) {
      if (!newness[i]) stored[i] = already_stored(stored[i]);
    }
    return stored;
  }

  /// Appends a batch and tells which events were new: ids already stored (and repeated ids
  /// within the batch, after the first) are duplicates, as Prefect's ON CONFLICT DO NOTHING.
  std::vector<bool> new_in_store(const std::vector<EventPtr>& batch) {
    std::vector<bool> inserted;
    options.store->append_batch(batch, &inserted);
    return inserted;
  }

  // --- dispatch -----------------------------------------------------------------------------

  void dispatch_guarded(const EventPtr& event, bool self_event) noexcept {
    DispatchScope scope;
    try {
      dispatch(event, self_event);
    } catch (const std::exception& e) {
      // Only resource exhaustion can get here (every per-trigger failure is handled below).
      warn({.kind = ServiceWarning::Kind::dispatch_failed,
            .message = fmt::format("dispatch of {} stopped: {}", event->id.to_string(), e.what()),
            .event = event});
    } catch (...) {
      warn({.kind = ServiceWarning::Kind::dispatch_failed,
            .message = "dispatch stopped by an unknown exception",
            .event = event});
    }
  }

  void dispatch(const EventPtr& event, bool self_event) {
    bump(dispatched);
    if (!self_event) {
      if (int level = event_level(*event); level > options.max_level) {
        bump(loop_guarded);
        record_loop_guard(*event, level);
        warn({.kind = ServiceWarning::Kind::loop_guard,
              .message = fmt::format(
                  "event {} ({}) is at level {}, above max_level {}: stored, not dispatched",
                  event->id.to_string(), event->event, level, options.max_level),
              .event = event});
        return;
      }
    }
    // Collected first, run after: workflows (which may emit, or change triggers) never run
    // inside the registry's lookup. No allocation unless more than a few fire.
    FiredTriggers fired_triggers;
    registry.for_each_match(*event, [&](const TriggerHandle& t) { fired_triggers.add(t); });
    if (fired_triggers.empty()) return;
    EventTemplateContext context(*event);  // built once, as far as the fired triggers read
    for (std::size_t f = 0; f < fired_triggers.size(); ++f) {
      const TriggerHandle& trigger = fired_triggers[f];
      TriggerEntry entry(*trigger);
      if (!entry) continue;  // removed since the lookup
      TriggerCounters& counters = counters_for(trigger->name());
      counters.matched.fetch_add(1, std::memory_order_relaxed);
      bump(fired);
      std::optional<Uuid> fired_id;
      if (!self_event) fired_id = record_fired(*trigger, *event);
      const auto& actions = trigger->definition().actions;
      for (std::size_t i = 0; i < actions.size(); ++i) {
        start_run(*trigger, i, event, context, counters, fired_id, self_event);
      }
    }
  }

  void start_run(const RegisteredTrigger& trigger, std::size_t action, const EventPtr& event,
                 EventTemplateContext& context, TriggerCounters& counters,
                 const std::optional<Uuid>& fired_id, bool self_event) {
    const std::string& workflow = trigger.definition().actions[action].workflow.name;
    json parameters;
    try {
      parameters = trigger.parameters(action).hydrate(context);
    } catch (const std::exception& e) {
      bump(hydration_failed);
      counters.failed.fetch_add(1, std::memory_order_relaxed);
      const std::string message = fmt::format("{}: actions[{}] ({}): parameters: {}",
                                              trigger.name(), action, workflow, e.what());
      if (!self_event) {
        const WorkflowRun run{.workflow = workflow, .event = event, .trigger = trigger.name()};
        record_action(run, action, fired_id, false, message, {});
      }
      warn({.kind = ServiceWarning::Kind::hydration_failed,
            .message = message,
            .trigger = trigger.name(),
            .workflow = workflow,
            .event = event});
      return;
    }
    add_pending(1);
    bump(runs_started);
    // The parameters moved in whole: a WorkflowRun's default (an empty object) allocates.
    executor_->execute(WorkflowRun{.workflow = workflow,
                                   .parameters = std::move(parameters),
                                   .event = event,
                                   .trigger = trigger.name()},
                       [self = shared_from_this(), &counters, action, fired_id, self_event](
                           const WorkflowRun& done, const RunOutcome& outcome) {
                         self->finished(done, action, counters, fired_id, self_event, outcome);
                       });
  }

  void finished(const WorkflowRun& run, std::size_t action, TriggerCounters& counters,
                const std::optional<Uuid>& fired_id, bool self_event, const RunOutcome& outcome) {
    counters.finished(outcome);
    bump(outcome.ok ? runs_ok : runs_failed);
    if (!outcome.ok) {
      warn({.kind = ServiceWarning::Kind::action_failed,
            .message = fmt::format("{}: actions[{}] ({}) failed: {}", run.trigger, action,
                                   run.workflow, outcome.error),
            .trigger = run.trigger,
            .workflow = run.workflow,
            .event = run.event});
    }
    if (!self_event)
      record_action(run, action, fired_id, outcome.ok, outcome.error, outcome.duration);
    finish_pending();
  }

  // --- the service's own events -------------------------------------------------------------

  // These run for every firing, and each allocation of a stored event costs more than the rest
  // of its building: they are built in place in their shared allocation
  // (detail::make_shared_event), each resource's labels reserved at their final size (one
  // allocation each), composed values written on the stack, and every payload member appended
  // into reserved room (the keys are known to be distinct).
  using Text = fmt::basic_memory_buffer<char, 128>;

  static std::string_view view(const Text& text) { return {text.data(), text.size()}; }

  static constexpr std::string_view trigger_prefix = "eventwire.trigger.";

  static void set_trigger_labels(Resource& r, const std::string& name, std::size_t more_labels,
                                 std::size_t more_bytes) {
    r.reserve(2 + more_labels, labels::resource_id.size() + trigger_prefix.size() + name.size() +
                                   labels::resource_name.size() + name.size() + more_bytes);
    Text id;
    id.append(trigger_prefix);
    id.append(name);
    r.set(labels::resource_id, view(id));
    r.set(labels::resource_name, name);
  }

  static constexpr std::string_view triggering_prefix = "prefect.event.";
  static constexpr std::string_view triggering_role = "triggering-event";

  static void add_triggering_event(Event& e, const Uuid& triggering_id) {
    e.related.reserve(1);
    RelatedResource& r = e.related.emplace_back();
    r.reserve(2, labels::resource_id.size() + triggering_prefix.size() + Uuid::text_size +
                     labels::resource_role.size() + triggering_role.size());
    char resource_id[triggering_prefix.size() + Uuid::text_size];
    triggering_prefix.copy(resource_id, triggering_prefix.size());
    triggering_id.write_to(resource_id + triggering_prefix.size());
    r.set(labels::resource_id, std::string_view(resource_id, sizeof resource_id));
    r.set(labels::resource_role, triggering_role);
  }

  /// The members of an object, with room for `n`, to append to (distinct keys: no search).
  static json::object_t& members(json& object, std::size_t n) {
    auto& m = object.get_ref<json::object_t&>();
    m.reserve(n);
    return m;
  }

  /// Records `eventwire.trigger.fired`; its id, or none when not recorded. Never throws (as
  /// record_action): a self-event that cannot be built is reported as lost.
  std::optional<Uuid> record_fired(const RegisteredTrigger& trigger, const Event& event) noexcept {
    if (!options.record_self_events) return std::nullopt;
    try {
      return build_and_record_fired(trigger, event);
    } catch (...) {
      self_event_lost();
      return std::nullopt;
    }
  }

  Uuid build_and_record_fired(const RegisteredTrigger& trigger, const Event& event) {
    std::shared_ptr<Event> fired_event = detail::make_shared_event();
    Event& e = *fired_event;
    e.event.assign(std::string_view("eventwire.trigger.fired"));
    set_trigger_labels(e.resource, trigger.name(), 0, 0);
    add_triggering_event(e, event.id);
    json triggering(json::value_t::object);
    json::object_t& t = members(triggering, 2);
    detail::append_member(t, "id", event.id.to_string());
    detail::append_member(t, "event", event.event);
    detail::append_member(members(e.payload, 1), "triggering_event", std::move(triggering));
    const Uuid fired_id = e.id;
    record(std::move(fired_event));
    return fired_id;
  }

  /// Records `eventwire.action.executed` or `.failed`. Never throws: finished() counts the run
  /// as done after it whatever happens.
  void record_action(const WorkflowRun& run, std::size_t action,
                     const std::optional<Uuid>& fired_id, bool ok, const std::string& reason,
                     std::chrono::nanoseconds duration) noexcept {
    if (!options.record_self_events) return;
    try {
      build_and_record_action(run, action, fired_id, ok, reason, duration);
    } catch (...) {
      self_event_lost();
    }
  }

  void build_and_record_action(const WorkflowRun& run, std::size_t action,
                               const std::optional<Uuid>& fired_id, bool ok,
                               const std::string& reason, std::chrono::nanoseconds duration) {
    std::shared_ptr<Event> record_event = detail::make_shared_event();
    Event& e = *record_event;
    e.event.assign(ok ? std::string_view("eventwire.action.executed")
                      : std::string_view("eventwire.action.failed"));
    static constexpr std::string_view workflow_label = "eventwire.workflow";
    set_trigger_labels(e.resource, run.trigger, 1, workflow_label.size() + run.workflow.size());
    e.resource.set(workflow_label, run.workflow);
    add_triggering_event(e, run.event->id);
    json::object_t& m = members(e.payload, ok ? 3 : 4);
    detail::append_member(m, "action_index", action);
    detail::append_member(m, "workflow", run.workflow);
    detail::append_member(m, "duration_seconds", std::chrono::duration<double>(duration).count());
    if (!ok) detail::append_member(m, "reason", reason);
    e.follows = fired_id;
    record(std::move(record_event));
  }

  void record_loop_guard(const Event& event, int level) {
    if (!options.record_self_events) return;
    Event e{
        .event = "eventwire.event.loop_guarded",
        .resource = {{"prefect.resource.id", "eventwire.service"}},
        .payload = {{"event", event.event}, {"level", level}, {"max_level", options.max_level}}};
    add_triggering_event(e, event.id);
    record(share_event(std::move(e)));
  }

  /// Stores a self-event and, when asked, dispatches it. Never throws: a self-event that cannot
  /// be recorded is reported, and the dispatch it describes goes on.
  void record(EventPtr stored) noexcept {
    try {
      if (!options.dispatch_self_events) {
        options.store->append(stored);
        return;
      }
      add_pending(1);
      if (queued()) {
        std::lock_guard lock(mutex);
        reserved += 1;  // never waits: this runs inside dispatch or a run
      }
      bool is_new = false;
      try {
        is_new = options.store->append(stored);
      } catch (...) {
        release(1);
        throw;
      }
      const bool flags[1] = {is_new};
      submit(std::span<const EventPtr>(&stored, 1), flags, true);
    } catch (...) {
      self_event_lost();
    }
  }

  /// Reports the exception being handled as a lost self-event. Call it inside a catch block.
  void self_event_lost() const noexcept {
    try {
      std::string message = "could not record a service event";
      try {
        throw;
      } catch (const std::exception& e) {
        message = fmt::format("{}: {}", message, e.what());
      } catch (...) {
      }
      warn({.kind = ServiceWarning::Kind::self_event_lost, .message = std::move(message)});
    } catch (...) {
      // Out of memory while reporting it: nothing more can be said.
    }
  }

  // --- dispatch threads, flush, shutdown ----------------------------------------------------

  void start_threads() {
    const std::size_t n = std::max<std::size_t>(1, options.dispatch_threads);
    for (std::size_t i = 0; i < n; ++i) {
      threads.emplace_back([self = shared_from_this()] { self->dispatch_loop(); });
    }
  }

  void dispatch_loop() {
    for (;;) {
      QueuedEvent next;
      {
        std::unique_lock lock(mutex);
        work.wait(lock, [&] { return !queue.empty() || stopping; });
        if (queue.empty()) return;  // stopping and drained
        next = std::move(queue.front());
        queue.pop_front();
        room.notify_one();
      }
      dispatch_guarded(next.event, next.self_event);
      finish_pending();
    }
  }

  void wait_idle() {
    std::unique_lock lock(mutex);
    idle_waiters.fetch_add(1);
    idle.wait(lock, [&] { return pending.load() == 0; });
    idle_waiters.fetch_sub(1);
  }

  std::shared_ptr<Executor> executor_;
};

namespace {

void check_options(const ServiceOptions& options) {
  if (!options.executor) {
    throw ValidationError("executor", "is required: the service runs workflows through it");
  }
  if (options.queue_capacity == 0) {
    throw ValidationError("queue_capacity", "must be at least 1");
  }
  if (options.max_level < 0) {
    throw ValidationError("max_level", "must not be negative");
  }
}

}  // namespace

std::string_view to_string(ServiceWarning::Kind kind) noexcept {
  switch (kind) {
    case ServiceWarning::Kind::action_failed:
      return "action_failed";
    case ServiceWarning::Kind::hydration_failed:
      return "hydration_failed";
    case ServiceWarning::Kind::loop_guard:
      return "loop_guard";
    case ServiceWarning::Kind::self_event_lost:
      return "self_event_lost";
    case ServiceWarning::Kind::dispatch_failed:
      return "dispatch_failed";
    case ServiceWarning::Kind::duplicate:
      return "duplicate";
  }
  return "unknown";
}

EventService::EventService(ServiceOptions options) {
  check_options(options);
  if (!options.store) options.store = std::make_shared<MemoryEventStore>();
  std::vector<TriggerDefinition> startup;
  if (options.builtin_triggers) startup = infrahub::builtin_triggers();
  std::move(options.triggers.begin(), options.triggers.end(), std::back_inserter(startup));
  options.triggers.clear();
  state_ = std::make_shared<State>(std::move(options));
  state_->executor_ = state_->options.executor;
  if (!startup.empty()) state_->registry.configure_all(std::move(startup));
  if (state_->queued()) state_->start_threads();
}

EventService::~EventService() {
  shutdown();
}

EventPtr EventService::emit(Event event) {
  return state_->accept_one(std::move(event));
}

std::vector<EventPtr> EventService::emit_many(std::vector<Event> events) {
  return state_->accept_many(std::move(events));
}

void EventService::flush() {
  if (dispatch_depth > 0) {
    throw error(
        "flush() was called from a dispatch thread or a workflow run: it would wait for "
        "itself");
  }
  state_->wait_idle();
  state_->executor_->wait_idle();
}

void EventService::shutdown() {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->accepting && state_->threads.empty()) return;
    state_->accepting = false;
    state_->room.notify_all();
  }
  if (dispatch_depth == 0) state_->wait_idle();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->work.notify_all();
    threads.swap(state_->threads);
  }
  for (auto& thread : threads) {
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();  // shutdown from a workflow on a dispatch thread: it exits on its own
    } else {
      thread.join();
    }
  }
}

TriggerHandle EventService::register_trigger(TriggerDefinition definition) {
  return state_->registry.add(std::move(definition));
}

bool EventService::remove_trigger(std::string_view name) {
  return state_->registry.remove(name);
}

TriggerRegistry& EventService::triggers() noexcept {
  return state_->registry;
}

const TriggerRegistry& EventService::triggers() const noexcept {
  return state_->registry;
}

EventPage EventService::read_events(const EventQuery& query) const {
  return state_->options.store->query(query);
}

EventStore& EventService::store() noexcept {
  return *state_->options.store;
}

std::vector<TriggerVerdict> EventService::explain(const Event& event) const {
  event.validate(state_->options.limits);  // what emit refuses, no trigger sees
  std::vector<TriggerVerdict> verdicts;
  for (const TriggerHandle& trigger : state_->registry.list()) {
    verdicts.push_back({trigger->name(), trigger->compiled().explain(event)});
  }
  return verdicts;
}

TriggerMetrics EventService::metrics(std::string_view name) const {
  std::shared_lock lock(state_->counters_mutex);
  auto it = state_->counters_by_name.find(std::string(name));
  return it == state_->counters_by_name.end() ? TriggerMetrics{} : it->second->snapshot();
}

std::vector<std::pair<std::string, TriggerMetrics>> EventService::metrics() const {
  std::vector<std::pair<std::string, TriggerMetrics>> out;
  {
    std::shared_lock lock(state_->counters_mutex);
    for (const auto& [name, counters] : state_->counters_by_name)
      out.emplace_back(name, counters->snapshot());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

ServiceStats EventService::stats() const {
  const State& s = *state_;
  ServiceStats out{.accepted = load(s.accepted),
                   .duplicates = load(s.duplicates),
                   .rejected = load(s.rejected),
                   .dispatched = load(s.dispatched),
                   .loop_guarded = load(s.loop_guarded),
                   .fired = load(s.fired),
                   .runs_started = load(s.runs_started),
                   .runs_ok = load(s.runs_ok),
                   .runs_failed = load(s.runs_failed),
                   .hydration_failed = load(s.hydration_failed)};
  std::lock_guard lock(s.mutex);
  out.queue_depth = s.queue.size();
  return out;
}

ConfigureReport trigger_configure_all(EventService& service,
                                      std::vector<TriggerDefinition> definitions,
                                      std::optional<TriggerType> scope) {
  return service.triggers().configure_all(std::move(definitions), scope);
}

}  // namespace eventwire
