/// @file workflows.hpp
/// Infrahub's workflows that the built-in triggers run (`backend/infrahub/workflows/catalogue.py`),
/// as `eventwire::WorkflowDefinition` values: Infrahub's deployment name and the parameters of the
/// flow function behind it, so a trigger that passes a wrong or missing parameter is refused at
/// registration, as Infrahub's `validate_parameters` refuses it.
///
/// Parameters are those of the flow's signature in the newest Infrahub source read (flows take
/// `context` as InfrahubContext or its 2026 successor EventContext; injected services are not
/// parameters). A parameter with a default is optional. The host implements the workflows: an
/// Executor receives `run.workflow == WEBHOOK_CONFIGURE.name` with the hydrated parameters.
///
/// A few workflows exist only for the seed document's built-ins, which today's Infrahub does not
/// ship (repository and generator triggers); each says so. The constants are namespace-scope
/// objects: use them after static initialization (not from another static initializer).
///
/// @code
/// using namespace eventwire::infrahub;
/// callbacks.on(WEBHOOK_CONFIGURE.name, [](const eventwire::WorkflowRun& run) {
///   configure_webhook(run.parameters["event_type"], run.parameters["event_data"]);
/// });
/// @endcode
#pragma once

#include "eventwire/action.hpp"

namespace eventwire::infrahub {

// --- Infrahub (workflows/catalogue.py; parameters from each flow's signature) ----------------

/// `branch-merged` (`branch_merged(source_branch, context, target_branch=None)`).
extern const WorkflowDefinition BRANCH_MERGED;
/// `computed-attribute-setup-jinja2` (`(context, branch_name=None, event_name=None,
/// changed_elements=None)`).
extern const WorkflowDefinition COMPUTED_ATTRIBUTE_SETUP_JINJA2;
/// `computed-attribute-setup-python` (`(context, branch_name=None, event_name=None,
/// commit=None, changed_elements=None)`).
extern const WorkflowDefinition COMPUTED_ATTRIBUTE_SETUP_PYTHON;
/// `computed-attribute-process-transform-lifecycle` (`(branch_name, transform_id, action,
/// context, event_name=None)`).
extern const WorkflowDefinition COMPUTED_ATTRIBUTE_PROCESS_TRANSFORM_LIFECYCLE;
/// `configure-action-rules` (no parameters: it gathers the rules itself).
extern const WorkflowDefinition CONFIGURE_ACTION_RULES;
/// `display-labels-setup-jinja2` (`(context, branch_name=None, event_name=None)`).
extern const WorkflowDefinition DISPLAY_LABELS_SETUP_JINJA2;
/// `hfid-setup` (`(context, branch_name=None, event_name=None)`).
extern const WorkflowDefinition HFID_SETUP;
/// `profile-refresh-setup` (`(context, branch_name=None, event_name=None)`).
extern const WorkflowDefinition PROFILE_REFRESH_SETUP;
/// `schema-updated` (`schema_updated(branch_name, schema_hash, context)`).
extern const WorkflowDefinition SCHEMA_UPDATED;
/// `webhook-configure` (`configure_webhook(event_type=None, event_data=None)`): configures,
/// reconfigures or deletes a webhook's automation depending on the event type.
extern const WorkflowDefinition WEBHOOK_CONFIGURE;
/// `webhook-invalidate-headers` (`(event_type=None, event_data=None)`).
extern const WorkflowDefinition WEBHOOK_INVALIDATE_HEADERS;
/// `webhook-setup-automation-one` (Infrahub 1.2 to 1.3, `configure_webhook_one(webhook_name,
/// event_data)`), the workflow of the seed's `webhook-configure-one` trigger.
extern const WorkflowDefinition WEBHOOK_CONFIGURE_ONE;
/// `webhook-delete-automation` (Infrahub 1.2 to 1.3, `delete_webhook_automation(webhook_id,
/// webhook_name)`).
extern const WorkflowDefinition WEBHOOK_DELETE_AUTOMATION;
/// `generator-definition-run` (`run_generator_definition(branch, context)`): runs every generator
/// definition of a branch.
extern const WorkflowDefinition TRIGGER_GENERATOR_DEFINITION_RUN;

// --- seed-derived (no Infrahub counterpart) --------------------------------------------------

/// Seed-derived `repository-configure`: sets up, refreshes or removes what a repository provides
/// (its automations), routed by `event_type` as WEBHOOK_CONFIGURE routes webhooks. Required:
/// `event_type`, `repository_id`, `repository_name`, `branch_name`, `context`.
extern const WorkflowDefinition REPOSITORY_CONFIGURE;
/// Seed-derived `generator-group-members-updated`: runs (member added) or cleans up (member
/// removed) the generators whose targets group changed. Required: `event_type`, `branch_name`,
/// `group_id`, `group_kind`, `members`, `context`. Infrahub's per-rule counterpart is
/// `action-run-generator-group-event`, which needs the generator definition id of one rule.
extern const WorkflowDefinition GENERATOR_GROUP_MEMBERS_UPDATED;

// --- the seed's example workflows (example_triggers()) ---------------------------------------
// The seed names these without defining them; each takes exactly the parameters its example
// trigger passes.

/// `my-workflow` (seed `MY_WORKFLOW`): `device_id`, `branch`.
extern const WorkflowDefinition MY_WORKFLOW;
/// `ipam-validation` (seed `IPAM_VALIDATION_WORKFLOW`): `node_id`, `node_kind`, `branch`.
extern const WorkflowDefinition IPAM_VALIDATION_WORKFLOW;
/// `schema_apply_migrations` (seed `SCHEMA_APPLY_MIGRATION`): `branch`. Infrahub's deployment of
/// that name takes one `message` object instead; the seed's example passes `branch`.
extern const WorkflowDefinition SCHEMA_APPLY_MIGRATION;
/// `audit-log` (seed `AUDIT_LOG_WORKFLOW`): `event_type`, `node_id`, `account_id`, `timestamp`,
/// `changelog`.
extern const WorkflowDefinition AUDIT_LOG_WORKFLOW;

}  // namespace eventwire::infrahub
