/// @file trigger.hpp
/// Trigger definitions (what fires, and which workflows run) and the `TriggerRegistry` that
/// finds the triggers interested in an event through an index.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "eventwire/action.hpp"
#include "eventwire/json.hpp"
#include "eventwire/match.hpp"
#include "eventwire/template.hpp"

namespace eventwire {

/// Infrahub's `TriggerType`; it prefixes the trigger's registered name (`builtin::<name>`).
/// `action` is the seed's name for action-based triggers; today's Infrahub calls them
/// `action_trigger_rule`.
enum class TriggerType {
  builtin,
  webhook,
  action,  ///< seed
  action_trigger_rule,
  computed_attr_jinja2,
  computed_attr_python,
  computed_attr_python_query,
  display_label_jinja2,
  human_friendly_id,
};

/// The enum's value as Infrahub writes it, e.g. `"builtin"`, `"computed_attr_jinja2"`.
std::string_view to_string(TriggerType type) noexcept;

/// A trigger: when `trigger` matches an event, each action runs (Infrahub's `TriggerDefinition`).
///
/// Its registered name is `<type>::<name>`, or `<type>::<branch>::<name>` for branch-specific
/// definitions (Infrahub's `TriggerBranchDefinition`); a webhook's name is its id
/// (`webhook::<id>`). Names are unique within a registry.
///
/// @code
/// eventwire::TriggerDefinition custom{
///     .name = "custom-device-validation",
///     .trigger = {.events = {"infrahub.node.created", "infrahub.node.updated"},
///                 .match = {{"infrahub.node.kind", "NetworkDevice"}}},
///     .actions = {eventwire::ExecuteWorkflow{
///         .workflow = device_validation,
///         .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"}}}}};
/// custom.generated_name();  // "builtin::custom-device-validation"
/// @endcode
struct TriggerDefinition {
  std::string name{};
  TriggerType type = TriggerType::builtin;
  EventTrigger trigger{};
  std::vector<ExecuteWorkflow> actions{};
  std::string description{};
  /// Set for branch-specific triggers: the name then reads `<type>::<branch>::<name>`.
  std::optional<std::string> branch{};

  /// `<type>::<name>` or `<type>::<branch>::<name>` (Infrahub's `generate_name`).
  std::string generated_name() const;

  /// The rules every definition keeps, checked by from_json and again by registration (which
  /// names the trigger first: `builtin::x: actions[0].workflow.name: must be non-empty`): a
  /// non-empty name and branch, a named workflow per action, and parameters that fit it
  /// (ExecuteWorkflow::validate_parameters). Throws ValidationError naming the field, e.g.
  /// `actions[0].parameters`. Templates are compiled at registration, not here.
  void validate() const;

  /// Infrahub's `TriggerDefinition` as JSON (its `model_dump`, for the fields eventwire keeps):
  /// `{"name", "type", "description", "trigger": {"events", "match", "match_related"},
  /// "actions": [{"workflow": {"name", "required_parameters", "optional_parameters"},
  /// "parameters"}]}`, plus `"branch"` for a branch-specific definition. from_json reads it back
  /// equal.
  json to_json() const;

  /// Finds the workflow a Prefect `run-deployment` action runs, from its `deployment_id`; empty
  /// when unknown. Infrahub names each deployment after its workflow, and Prefect keeps only ids.
  using DeploymentWorkflows =
      std::function<std::optional<WorkflowDefinition>(std::string_view deployment_id)>;

  /// Reads a definition: Infrahub's form (as to_json writes it), or Prefect's automation
  /// (from_prefect_json, given `workflows`) when the object has `enabled`, `actions_on_trigger`
  /// or `actions_on_resolve`, or an action with a `type`.
  ///
  /// Infrahub's form: `name` and `trigger` (Infrahub's or Prefect's form, EventTrigger::from_json)
  /// are required; `type` (default builtin), `description`, `branch`, `actions` and, per action,
  /// `parameters` may be left out; `previous_names`, which Infrahub declares and does not use,
  /// must be empty. A workflow's deployment fields in Infrahub's dump (`type`, `module`,
  /// `function`, `cron`, `default_priority`, `tags`, `concurrency_limit`,
  /// `concurrency_limit_strategy`) are read and ignored: the host's runner decides how a workflow
  /// runs. An unknown field, a value of the wrong type or a broken rule (validate()) throws
  /// ValidationError naming the field: `actions[0].workflow.modul: is not a field of a workflow
  /// (name, ...)`, `trigger.events[1]: must be a string, got int`.
  ///
  /// @code
  /// // {"name": "device-validation",
  /// //  "trigger": {"events": ["infrahub.node.created"],
  /// //              "match": {"infrahub.node.kind": "NetworkDevice"}},
  /// //  "actions": [{"workflow": {"name": "device-validation",
  /// //                            "required_parameters": ["device_id"]},
  /// //               "parameters": {"device_id": "{{ event.resource['infrahub.node.id'] }}"}}]}
  /// auto definition = eventwire::TriggerDefinition::parse(text);
  /// service.register_trigger(definition);
  /// @endcode
  static TriggerDefinition from_json(const json& value, const DeploymentWorkflows& workflows = {});

  /// Reads Prefect's automation as Infrahub creates it (`AutomationCore`): `name`, `description`,
  /// `enabled` (must be true: eventwire keeps no disabled triggers), `trigger` in Prefect's form
  /// (EventTrigger::from_prefect_json), and `actions` of type `run-deployment` with `source`
  /// `selected`, whose `deployment_id` is turned into a workflow by `workflows`.
  /// `actions_on_trigger`, `actions_on_resolve`, `tags` and `job_variables` must be empty; the
  /// client's `owner_resource` and the server's `id`, `created` and `updated` are ignored.
  ///
  /// A name Infrahub generated (`builtin::x`, `computed_attr_jinja2::main::x`) gives back its type,
  /// branch and name, so generated_name() is the automation's name again; any other name is kept
  /// whole as a builtin trigger's. Without `workflows`, or when it knows no workflow for an id,
  /// an action is a ValidationError (`actions[0].deployment_id`).
  static TriggerDefinition from_prefect_json(const json& value,
                                             const DeploymentWorkflows& workflows = {});

  /// Parses JSON text, then as from_json. Throws ParseError for malformed text, LimitError past
  /// the event limits' size and depth.
  static TriggerDefinition parse(std::string_view text);

  friend bool operator==(const TriggerDefinition&, const TriggerDefinition&) = default;
};

/// The TriggerType whose to_string is `text` (`"computed_attr_jinja2"`), or empty.
std::optional<TriggerType> trigger_type_from_string(std::string_view text) noexcept;

/// Infrahub's `BuiltinTriggerDefinition`: a TriggerDefinition of type builtin (the default).
using BuiltinTriggerDefinition = TriggerDefinition;

/// A trigger as registered: its definition, compiled patterns and registered name. Immutable
/// once registered, shared by every lookup that returned it.
class RegisteredTrigger {
 public:
  RegisteredTrigger(TriggerDefinition definition, std::uint64_t sequence);

  const std::string& name() const noexcept { return name_; }
  const TriggerDefinition& definition() const noexcept { return definition_; }
  const CompiledTrigger& compiled() const noexcept { return compiled_; }
  /// The parameters of action `i`, every template compiled at registration: hydrate them with
  /// `event_context(event)` when the trigger fires.
  const CompiledParameters& parameters(std::size_t i) const { return parameters_.at(i); }
  /// Registration order; lookups return candidates in this order.
  std::uint64_t sequence() const noexcept { return sequence_; }

  /// Dispatch gate. `enter()` is false once the trigger has been removed; while a caller is
  /// between a successful enter() and leave(), `TriggerRegistry::remove` waits. Call both on the
  /// same thread; TriggerEntry does it for a scope.
  bool enter() const noexcept;
  void leave() const noexcept;
  bool active() const noexcept { return active_.load(std::memory_order_acquire); }

 private:
  friend class TriggerRegistry;
  void deactivate_and_wait() const noexcept;

  std::string name_;
  TriggerDefinition definition_;
  CompiledTrigger compiled_;
  std::vector<CompiledParameters> parameters_;
  std::uint64_t sequence_;
  mutable std::atomic<bool> active_{true};
  mutable std::atomic<std::uint32_t> in_flight_{0};
};

using TriggerHandle = std::shared_ptr<const RegisteredTrigger>;

/// Enters a trigger's dispatch gate for a scope: `if (TriggerEntry entry{*t}) { ...run... }`.
class TriggerEntry {
 public:
  explicit TriggerEntry(const RegisteredTrigger& trigger) noexcept
      : trigger_(&trigger), entered_(trigger.enter()) {}
  ~TriggerEntry() {
    if (entered_) trigger_->leave();
  }
  TriggerEntry(const TriggerEntry&) = delete;
  TriggerEntry& operator=(const TriggerEntry&) = delete;
  /// False when the trigger was removed: do not run it.
  explicit operator bool() const noexcept { return entered_; }

 private:
  const RegisteredTrigger* trigger_;
  bool entered_;
};

/// An immutable list of triggers shared between lookups: what `candidates` returns. Held by
/// value, so `for (const auto& t : registry.candidates(name))` keeps it alive for the loop.
class TriggerList {
 public:
  TriggerList() = default;
  explicit TriggerList(std::shared_ptr<const std::vector<TriggerHandle>> list) noexcept
      : list_(std::move(list)) {}
  std::vector<TriggerHandle>::const_iterator begin() const noexcept { return items().begin(); }
  std::vector<TriggerHandle>::const_iterator end() const noexcept { return items().end(); }
  std::size_t size() const noexcept { return items().size(); }
  bool empty() const noexcept { return items().empty(); }
  const TriggerHandle& operator[](std::size_t i) const noexcept { return items()[i]; }

 private:
  const std::vector<TriggerHandle>& items() const noexcept {
    static const std::vector<TriggerHandle> none;
    return list_ ? *list_ : none;
  }
  std::shared_ptr<const std::vector<TriggerHandle>> list_;
};

/// What `configure_all` changed, by registered name (Infrahub's `TriggerSetupReport`).
struct ConfigureReport {
  std::vector<std::string> created{};
  std::vector<std::string> updated{};
  std::vector<std::string> unchanged{};
  std::vector<std::string> deleted{};
};

/// The registered triggers, with an index from event names to the triggers that can fire on
/// them.
///
/// Lookup cost does not grow with triggers that cannot match: exact event names go through a
/// hash table, `*`-pattern names are resolved once per distinct event name and cached, and
/// "every event" triggers sit in their own list. Within a name, triggers are split by the first
/// `match` label they pin to plain values (typically `infrahub.node.kind`), looked up by the
/// event's value of that label.
///
/// Dispatch through for_each_match: it does not check again what the index guarantees (the
/// event name, the index label) and evaluates each remaining check shared between triggers (a
/// branch filter, a kind list) once per event, so its cost per event follows the triggers that
/// can fire, not the triggers registered. An event name's entry is built on its first lookup
/// (a pass over the `*`-pattern triggers) and kept with the snapshot.
///
/// Changes rebuild the index (O(triggers)); register many triggers at once with configure_all.
///
/// Thread safety: every member is safe to call concurrently. Lookups see a consistent snapshot:
/// a trigger added while an event is being dispatched does not see that event. A trigger removed
/// (or replaced) is never entered after `remove` returns: remove waits for dispatches inside
/// enter()/leave() of it, except those on the calling thread (a workflow may remove the trigger
/// that ran it).
///
/// Each thread that dispatches through for_each_match/matching keeps the snapshot it last used
/// of each registry (a few registries per thread), so that a dispatch takes no lock while the
/// registry is unchanged. A removed trigger's definition is therefore released when every such
/// thread has dispatched on the changed registry once more (or has exited), not when `remove`
/// returns; it is never entered after `remove` returns either way.
///
/// @code
/// eventwire::TriggerRegistry registry;
/// registry.add(custom);                      // ValidationError on a bad pattern or parameters
/// for (const auto& t : registry.candidates("infrahub.node.created"))
///   if (t->compiled().matches(event)) ...;
/// @endcode
class TriggerRegistry {
 public:
  /// Checks a definition before it is registered, beyond patterns and workflow parameters (the
  /// service uses it to compile every parameter template). Throws to refuse.
  using Validator = std::function<void(const TriggerDefinition&)>;

  TriggerRegistry();
  explicit TriggerRegistry(Validator validator);
  ~TriggerRegistry();
  TriggerRegistry(const TriggerRegistry&) = delete;
  TriggerRegistry& operator=(const TriggerRegistry&) = delete;

  /// Registers `definition`. Throws ValidationError when its name is already registered (seed:
  /// "Duplicate Triggers"), when a pattern does not compile, when an action's parameters do not
  /// fit its workflow, or when a parameter template does not compile (`builtin::x:
  /// actions[0].parameters: bad_template: Invalid jinja: ...`): errors come at registration,
  /// not at the first event.
  TriggerHandle add(TriggerDefinition definition);
  /// Registers or replaces the trigger with the same registered name.
  TriggerHandle replace(TriggerDefinition definition);
  /// Removes by registered name (`builtin::x`); false if absent. See the class comment for what
  /// returning means for dispatches in progress.
  bool remove(std::string_view name);
  /// The trigger registered as `name`, or null.
  TriggerHandle find(std::string_view name) const;
  /// Every registered trigger, sorted by name.
  std::vector<TriggerHandle> list() const;
  std::size_t size() const;

  /// Reconciles the registered set with `desired`, as Infrahub's `setup_triggers`: creates the
  /// new, updates the changed, keeps the identical, and deletes registered triggers that are not
  /// desired. With `scope`, only triggers of that type are candidates for deletion.
  /// Every desired definition is validated first: on error nothing changes.
  ConfigureReport configure_all(std::vector<TriggerDefinition> desired,
                                std::optional<TriggerType> scope = std::nullopt);

  /// The triggers whose `events` accept `event_name`, in registration order (their `match` and
  /// `match_related` are still to be checked). Immutable; valid after the registry changes.
  TriggerList candidates(std::string_view event_name) const;
  /// As above, narrowed by the event's resource: a trigger whose `match` pins a label to plain
  /// values (`{"infrahub.node.kind": ["IPAddress", "IPPrefix"]}`) is returned only for events
  /// carrying one of them. What the dispatcher uses: candidates cannot grow with triggers for
  /// other names or other kinds.
  TriggerList candidates(const Event& event) const;

  /// Calls `visit(const TriggerHandle&)` for each trigger that fires on `event` (exactly the
  /// candidates(event) whose `compiled().matches(event)` is true), in registration order. The
  /// fast path for dispatch: the event name and the index label are not checked again, and the
  /// remaining `match` labels and `match_related` specifications, shared between triggers, are
  /// each evaluated once per event. No allocation in the common case. `visit` may call back into
  /// the registry (add, remove, match another event).
  ///
  /// @code
  /// registry.for_each_match(event, [&](const eventwire::TriggerHandle& t) { run(t, event); });
  /// @endcode
  template <typename Visitor>
  void for_each_match(const Event& event, Visitor&& visit) const {
    using V = std::remove_reference_t<Visitor>;
    visit_matches(
        event,
        [](const void* v, const TriggerHandle& t) { (*static_cast<V*>(const_cast<void*>(v)))(t); },
        static_cast<const void*>(std::addressof(visit)));
  }
  /// The triggers that fire on `event`, in registration order (for_each_match, collected).
  TriggerList matching(const Event& event) const;

 private:
  using MatchVisitor = void (*)(const void*, const TriggerHandle&);
  void visit_matches(const Event& event, MatchVisitor visit, const void* visitor) const;
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;
  TriggerHandle make(TriggerDefinition definition);
  void publish(const std::vector<TriggerHandle>& triggers);  // caller holds write_mutex_

  Validator validator_;
  std::mutex write_mutex_;             ///< serializes changes
  mutable std::mutex snapshot_mutex_;  ///< guards the snapshot pointer only
  std::shared_ptr<const Snapshot> snapshot_;
  /// The id of snapshot_ (ids are never reused): dispatch compares it with the snapshot its
  /// thread last used, and reads through that one without taking the mutex when they agree.
  std::atomic<std::uint64_t> snapshot_id_{0};
  std::uint64_t next_sequence_ = 0;
};

}  // namespace eventwire
