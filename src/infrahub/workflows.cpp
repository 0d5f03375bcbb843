#include "eventwire/infrahub/workflows.hpp"

namespace eventwire::infrahub {

// Infrahub: backend/infrahub/workflows/catalogue.py for the names; the flow functions'
// signatures (branch/tasks.py, computed_attribute/tasks.py, display_labels/tasks.py,
// hfid/tasks.py, profiles/tasks.py, schema/tasks.py, webhook/tasks/*.py, actions/tasks.py,
// generators/tasks.py) for the parameters.

const WorkflowDefinition BRANCH_MERGED{.name = "branch-merged",
                                       .required_parameters = {"source_branch", "context"},
                                       .optional_parameters = {"target_branch"}};

const WorkflowDefinition COMPUTED_ATTRIBUTE_SETUP_JINJA2{
    .name = "computed-attribute-setup-jinja2",
    .required_parameters = {"context"},
    .optional_parameters = {"branch_name", "event_name", "changed_elements"}};

const WorkflowDefinition COMPUTED_ATTRIBUTE_SETUP_PYTHON{
    .name = "computed-attribute-setup-python",
    .required_parameters = {"context"},
    .optional_parameters = {"branch_name", "event_name", "commit", "changed_elements"}};

const WorkflowDefinition COMPUTED_ATTRIBUTE_PROCESS_TRANSFORM_LIFECYCLE{
    .name = "computed-attribute-process-transform-lifecycle",
    .required_parameters = {"branch_name", "transform_id", "action", "context"},
    .optional_parameters = {"event_name"}};

const WorkflowDefinition CONFIGURE_ACTION_RULES{.name = "configure-action-rules"};

const WorkflowDefinition DISPLAY_LABELS_SETUP_JINJA2{
    .name = "display-labels-setup-jinja2",
    .required_parameters = {"context"},
    .optional_parameters = {"branch_name", "event_name"}};

const WorkflowDefinition HFID_SETUP{.name = "hfid-setup",
                                    .required_parameters = {"context"},
                                    .optional_parameters = {"branch_name", "event_name"}};

const WorkflowDefinition PROFILE_REFRESH_SETUP{
    .name = "profile-refresh-setup",
    .required_parameters = {"context"},
    .optional_parameters = {"branch_name", "event_name"}};

const WorkflowDefinition SCHEMA_UPDATED{
    .name = "schema-updated", .required_parameters = {"branch_name", "schema_hash", "context"}};

const WorkflowDefinition WEBHOOK_CONFIGURE{.name = "webhook-configure",
                                           .optional_parameters = {"event_type", "event_data"}};

const WorkflowDefinition WEBHOOK_INVALIDATE_HEADERS{
    .name = "webhook-invalidate-headers", .optional_parameters = {"event_type", "event_data"}};

const WorkflowDefinition WEBHOOK_CONFIGURE_ONE{
    .name = "webhook-setup-automation-one", .required_parameters = {"webhook_name", "event_data"}};

const WorkflowDefinition WEBHOOK_DELETE_AUTOMATION{
    .name = "webhook-delete-automation", .required_parameters = {"webhook_id", "webhook_name"}};

const WorkflowDefinition TRIGGER_GENERATOR_DEFINITION_RUN{
    .name = "generator-definition-run", .required_parameters = {"branch", "context"}};

// Seed-derived.

const WorkflowDefinition REPOSITORY_CONFIGURE{
    .name = "repository-configure",
    .required_parameters = {"event_type", "repository_id", "repository_name", "branch_name",
                            "context"}};

const WorkflowDefinition GENERATOR_GROUP_MEMBERS_UPDATED{
    .name = "generator-group-members-updated",
    .required_parameters = {"event_type", "branch_name", "group_id", "group_kind", "members",
                            "context"}};

// The seed's examples.

const WorkflowDefinition MY_WORKFLOW{.name = "my-workflow",
                                     .required_parameters = {"device_id", "branch"}};

const WorkflowDefinition IPAM_VALIDATION_WORKFLOW{
    .name = "ipam-validation", .required_parameters = {"node_id", "node_kind", "branch"}};

const WorkflowDefinition SCHEMA_APPLY_MIGRATION{.name = "schema_apply_migrations",
                                                .required_parameters = {"branch"}};

const WorkflowDefinition AUDIT_LOG_WORKFLOW{
    .name = "audit-log",
    .required_parameters = {"event_type", "node_id", "account_id", "timestamp", "changelog"}};

}  // namespace eventwire::infrahub
