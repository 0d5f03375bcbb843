/// @file action.hpp
/// What a trigger does when it fires: `ExecuteWorkflow` actions and the `WorkflowRun` they become.
/// The host runs those through an `Executor` (executor.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventwire/event.hpp"
#include "eventwire/meta.hpp"

namespace eventwire {

/// A workflow the host can run (Infrahub's `WorkflowDefinition`): a name and the parameters it
/// takes. Declared parameters let a trigger be checked when it is registered, not when it fires.
///
/// A workflow that declares no parameters at all accepts any.
///
/// @code
/// const eventwire::WorkflowDefinition device_validation{
///     .name = "device-validation", .required_parameters = {"device_id", "branch"}};
/// @endcode
struct WorkflowDefinition {
  std::string name{};
  std::vector<std::string> required_parameters{};  ///< an action must supply each of these
  std::vector<std::string> optional_parameters{};  ///< an action may supply these

  friend bool operator==(const WorkflowDefinition&, const WorkflowDefinition&) = default;
};

/// The action of the seed: run `workflow` with `parameters`, whose strings may be Jinja templates
/// rendered against the triggering event (`"{{ event.payload['data']['node_id'] }}"`), and whose
/// `{"__prefect_kind": ...}` objects are hydrated as Prefect does. Other values pass through.
///
/// @code
/// eventwire::ExecuteWorkflow{.workflow = device_validation,
///                            .parameters = {{"device_id", "{{ event.payload['data']['node_id']
///                            }}"},
///                                           {"branch", "{{ event.resource['infrahub.branch.name']
///                                           }}"},
///                                           {"timeout", 300}}};
/// @endcode
struct ExecuteWorkflow {
  WorkflowDefinition workflow{};
  json parameters = json::object();

  /// Infrahub's `validate_parameters`: throws ValidationError on `parameters` naming the missing
  /// required parameters (`Missing required parameters: {'branch'} for workflow device-validation`)
  /// or the unsupported ones (`Workflow device-validation doesn't support parameters: {'x'}`).
  /// Unlike Infrahub, an empty parameter set is checked too: a missing parameter is an error now,
  /// not at the first run.
  void validate_parameters() const;

  friend bool operator==(const ExecuteWorkflow&, const ExecuteWorkflow&) = default;
};

/// One run of a workflow, handed to the Executor: which workflow, its hydrated parameters, the
/// event that caused it and the trigger that fired.
struct WorkflowRun {
  std::string workflow{};
  json parameters = json::object();
  /// The triggering event, shared by every run it caused (never null for runs the service makes).
  std::shared_ptr<const Event> event{};
  std::string trigger{};  ///< the registered trigger's name, e.g. `builtin::audit-trail`

  /// Meta for an event this run emits: a child of the triggering event (level + 1, parent,
  /// ancestors, context), so the service's loop guard and Infrahub's queries see the family.
  EventMeta child_meta(const std::optional<Branch>& branch = std::nullopt) const {
    return EventMeta::from_parent(*event, branch);
  }
};

}  // namespace eventwire
