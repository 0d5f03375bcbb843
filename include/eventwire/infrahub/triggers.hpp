/// @file triggers.hpp
/// Infrahub's built-in trigger catalogue (`backend/infrahub/trigger/catalogue.py` and the
/// `triggers.py` of each package), the seed document's built-ins, and the seed's custom and
/// real-world example triggers, ready to register.
///
/// @code
/// eventwire::TriggerRegistry registry;
/// auto report = registry.configure_all(eventwire::infrahub::builtin_triggers(),
///                                      eventwire::TriggerType::builtin);
/// // report.created: "builtin::action-trigger-setup-all", "builtin::branch-merged-trigger", ...
/// @endcode
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/json.hpp"
#include "eventwire/trigger.hpp"

namespace eventwire::infrahub {

/// Infrahub's `jinja_parameter(template)`: `{"__prefect_kind": "jinja", "template": t}`. The
/// template renders to a string, even when it is one `{{ expression }}` (which a plain string
/// would keep typed, see HydrateOptions).
json jinja_parameter(std::string_view template_text);

/// A parameter whose template renders JSON that is parsed back (Infrahub's idiom for passing
/// objects: `{"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": t}}`),
/// e.g. `json_parameter("{{ event.payload['context'] | tojson }}")`.
json json_parameter(std::string_view template_text);

/// One entry of the catalogue: Infrahub's Python constant name and its definition.
struct BuiltinTrigger {
  std::string_view constant{};  ///< e.g. `TRIGGER_WEBHOOK_CONFIGURE`
  BuiltinTriggerDefinition definition{};
};

/// The built-in catalogue, sorted by constant name as Infrahub's `builtin_triggers` list is
/// (its `test_catalogue` requires it); names are unique.
///
/// Contents: every event-driven trigger of Infrahub's newest catalogue (action rules, branch
/// merged, computed attributes and Python-transform lifecycle, display labels, HFID, webhook
/// key-value invalidation, profile refresh, schema updated, webhook configure); Infrahub 1.2's
/// `webhook-delete`; and the seed's built-ins that Infrahub does not ship, derived from the seed
/// (repository add/update/delete, generator group member added/removed, generator definition
/// updated) plus the seed's `webhook-configure-one` as it prints it.
///
/// Left out: Infrahub's `crash-zombie-flows` (a proactive trigger on Prefect's own flow-run
/// events that changes a flow run's state; eventwire has neither).
///
/// Overlaps to know when registering everything: `webhook-configure` (Infrahub today) and the
/// pair `webhook-configure-one` + `webhook-delete` (the seed, Infrahub 1.2) both fire on a
/// webhook's node events; register the family whose workflows the host implements.
std::span<const BuiltinTrigger> builtin_catalogue();

/// The definitions of builtin_catalogue(), in its order.
std::vector<BuiltinTriggerDefinition> builtin_triggers();

/// The built-in whose name is `name` (`"webhook-configure"`) or whose registered name is `name`
/// (`"builtin::webhook-configure"`), or nullptr.
const BuiltinTriggerDefinition* find_builtin_trigger(std::string_view name) noexcept;

/// The seed's custom and real-world examples, exactly as it prints them: `custom-device-validation`
/// (MY_WORKFLOW), `ipam-auto-validate`, `schema-auto-migrate`, `audit-trail`. Not built-ins of
/// Infrahub: register them to try the seed's recipes.
///
/// Note on `audit-trail`: its `account_id` reads `event.resource['infrahub.account.id']`, a label
/// node events do not carry (the account is a related resource). Prefect renders that one
/// expression through `tojson`, which fails on an undefined value, so hydrating the example's
/// parameters fails for Infrahub's node events, as it would in Prefect.
std::vector<BuiltinTriggerDefinition> example_triggers();

}  // namespace eventwire::infrahub
