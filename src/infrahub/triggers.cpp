#include "eventwire/infrahub/triggers.hpp"

#include <algorithm>
#include <array>

#include "eventwire/infrahub/workflows.hpp"

namespace eventwire::infrahub {

json jinja_parameter(std::string_view template_text) {
  return {{"__prefect_kind", "jinja"}, {"template", std::string(template_text)}};
}

json json_parameter(std::string_view template_text) {
  return {{"__prefect_kind", "json"}, {"value", jinja_parameter(template_text)}};
}

namespace {

// Event names, as Infrahub's event classes spell them.
constexpr const char* node_created = "infrahub.node.created";
constexpr const char* node_updated = "infrahub.node.updated";
constexpr const char* node_deleted = "infrahub.node.deleted";
constexpr const char* branch_merged = "infrahub.branch.merged";
constexpr const char* branch_deleted = "infrahub.branch.deleted";
constexpr const char* schema_updated = "infrahub.schema.updated";
constexpr const char* group_member_added = "infrahub.group.member_added";
constexpr const char* group_member_removed = "infrahub.group.member_removed";
// The seed's repository events (Infrahub reports repositories as CoreRepository node events).
constexpr const char* repository_created = "infrahub.repository.created";
constexpr const char* repository_updated = "infrahub.repository.updated";
constexpr const char* repository_deleted = "infrahub.repository.deleted";

// The parameters every Infrahub built-in spells the same way.
json context_parameter() {
  return json_parameter("{{ event.payload['context'] | tojson }}");
}
json event_data_parameter() {
  return json_parameter("{{ event.payload['data'] | tojson }}");
}

const LabelPatterns webhook_kinds{"CoreCustomWebhook", "CoreStandardWebhook"};

// schema.updated / branch.deleted -> <workflow>(branch_name, event_name, context): display
// labels, HFID and profile refresh set their automations up the same way.
BuiltinTriggerDefinition setup_all(std::string name, const WorkflowDefinition& workflow) {
  return {.name = std::move(name),
          .trigger = {.events = {schema_updated, branch_deleted}},
          .actions = {ExecuteWorkflow{
              .workflow = workflow,
              .parameters = {{"branch_name", "{{ event.resource['infrahub.branch.name'] }}"},
                             {"event_name", "{{ event.event }}"},
                             {"context", context_parameter()}}}}};
}

// computed_attribute/triggers.py: a Python transform's own lifecycle. origin=live keeps merge
// and rebase replays out (infrahub.node.origin, Infrahub 2026).
BuiltinTriggerDefinition transform_lifecycle(std::string name, const char* event,
                                             RelatedSpecification related = {}) {
  return {.name = std::move(name),
          .trigger = {.events = {event},
                      .match = {{"infrahub.node.kind", "CoreTransformPython"},
                                {"infrahub.node.origin", "live"}},
                      .match_related = std::move(related)},
          .actions = {ExecuteWorkflow{
              .workflow = COMPUTED_ATTRIBUTE_PROCESS_TRANSFORM_LIFECYCLE,
              .parameters = {
                  {"branch_name", jinja_parameter("{{ event.resource['infrahub.branch.name'] }}")},
                  {"transform_id", jinja_parameter("{{ event.resource['infrahub.node.id'] }}")},
                  {"action", jinja_parameter("{{ event.resource['infrahub.node.action'] }}")},
                  {"event_name", jinja_parameter("{{ event.event }}")},
                  {"context", context_parameter()}}}}};
}

json computed_attribute_setup_parameters() {
  return {{"branch_name", jinja_parameter("{{ event.resource['infrahub.branch.name'] }}")},
          {"event_name", jinja_parameter("{{ event.event }}")},
          {"context", context_parameter()},
          {"changed_elements",
           json_parameter(
               "{{ event.payload['data']['changed_elements'] | default(none, true) | tojson }}")}};
}

// Seed-derived: a repository added, updated or deleted (the seed's repository events) ->
// REPOSITORY_CONFIGURE, routed by the event type.
BuiltinTriggerDefinition repository(std::string name, const char* event) {
  return {.name = std::move(name),
          .trigger = {.events = {event}},
          .actions = {ExecuteWorkflow{
              .workflow = REPOSITORY_CONFIGURE,
              .parameters = {{"event_type", "{{ event.event }}"},
                             {"repository_id",
                              jinja_parameter("{{ event.resource['infrahub.repository.id'] }}")},
                             {"repository_name",
                              jinja_parameter("{{ event.resource['infrahub.repository.name'] }}")},
                             {"branch_name",
                              jinja_parameter("{{ event.resource['infrahub.branch.name'] }}")},
                             {"context", context_parameter()}}}},
          .description = "seed-derived: Infrahub has no built-in repository trigger"};
}

// Seed-derived: members added to or removed from a group -> GENERATOR_GROUP_MEMBERS_UPDATED,
// which runs the generators targeting the group. Groups that generators make are their outputs,
// not targets: one negated glob leaves out CoreGeneratorGroup and CoreGeneratorAwareGroup (two
// negated patterns in one label would exclude nothing: list values OR).
BuiltinTriggerDefinition generator_group_member(std::string name, const char* event) {
  return {.name = std::move(name),
          .trigger = {.events = {event}, .match = {{"infrahub.node.kind", "!CoreGenerator*Group"}}},
          .actions = {ExecuteWorkflow{
              .workflow = GENERATOR_GROUP_MEMBERS_UPDATED,
              .parameters =
                  {{"event_type", "{{ event.event }}"},
                   {"branch_name", jinja_parameter("{{ event.resource['infrahub.branch.name'] }}")},
                   {"group_id", jinja_parameter("{{ event.resource['infrahub.node.id'] }}")},
                   {"group_kind", jinja_parameter("{{ event.resource['infrahub.node.kind'] }}")},
                   {"members", json_parameter("{{ event.payload['data']['members'] | tojson }}")},
                   {"context", context_parameter()}}}},
          .description =
              "seed-derived: Infrahub runs generators on group events through action "
              "rules (CoreGroupTriggerRule)"};
}

std::vector<BuiltinTrigger> make_catalogue() {
  std::vector<BuiltinTrigger> catalogue{
      // actions/triggers.py: NODES_THAT_TRIGGER_ACTION_RULES_SETUP as the reference notes pin it
      // (later Infrahub adds CoreGeneratorAction and the two trigger-match kinds).
      {"TRIGGER_ACTION_RULE_UPDATE",
       {.name = "action-trigger-setup-all",
        .trigger = {.events = {node_created, node_deleted, node_updated},
                    .match = {{"infrahub.node.kind",
                               {"CoreGroupAction", "CoreGroupTriggerRule",
                                "CoreNodeTriggerRule"}}}},
        .actions = {ExecuteWorkflow{.workflow = CONFIGURE_ACTION_RULES}}}},
      // branch/triggers.py
      {"TRIGGER_BRANCH_MERGED",
       {.name = "branch-merged-trigger",
        .trigger = {.events = {branch_merged}},
        .actions = {ExecuteWorkflow{
            .workflow = BRANCH_MERGED,
            .parameters = {{"source_branch",
                            jinja_parameter("{{ event.payload['data']['branch_name'] }}")},
                           {"context", context_parameter()}}}}}},
      // computed_attribute/triggers.py: two actions
      {"TRIGGER_COMPUTED_ATTRIBUTE_ALL_SCHEMA",
       {.name = "computed-attribute-setup-all",
        .trigger = {.events = {schema_updated, branch_deleted}},
        .actions = {ExecuteWorkflow{.workflow = COMPUTED_ATTRIBUTE_SETUP_JINJA2,
                                    .parameters = computed_attribute_setup_parameters()},
                    ExecuteWorkflow{.workflow = COMPUTED_ATTRIBUTE_SETUP_PYTHON,
                                    .parameters = computed_attribute_setup_parameters()}}}},
      {"TRIGGER_COMPUTED_ATTRIBUTE_PYTHON_TRANSFORM_CREATED",
       transform_lifecycle("computed-attribute-python-transform-created", node_created)},
      {"TRIGGER_COMPUTED_ATTRIBUTE_PYTHON_TRANSFORM_DELETED",
       transform_lifecycle("computed-attribute-python-transform-deleted", node_deleted)},
      {"TRIGGER_COMPUTED_ATTRIBUTE_PYTHON_TRANSFORM_UPDATED",
       transform_lifecycle(
           "computed-attribute-python-transform-updated", node_updated,
           RelatedSpecification{{"prefect.resource.role", {"infrahub.node.attribute_update"}},
                                {"infrahub.field.name", {"fingerprint"}}})},
      // display_labels/triggers.py
      {"TRIGGER_DISPLAY_LABELS_ALL_SCHEMA",
       setup_all("display-labels-setup-all", DISPLAY_LABELS_SETUP_JINJA2)},
      // Seed-derived: "Generator Definition Updated: Reconfigure generator". Infrahub's
      // generator-definition-run runs the branch's generator definitions again.
      {"TRIGGER_GENERATOR_DEFINITION_UPDATED",
       {.name = "generator-definition-updated",
        .trigger = {.events = {node_updated},
                    .match = {{"infrahub.node.kind", "CoreGeneratorDefinition"}}},
        .actions = {ExecuteWorkflow{
            .workflow = TRIGGER_GENERATOR_DEFINITION_RUN,
            .parameters = {{"branch",
                            jinja_parameter("{{ event.resource['infrahub.branch.name'] }}")},
                           {"context", context_parameter()}}}},
        .description = "seed-derived: Infrahub has no built-in generator definition trigger"}},
      {"TRIGGER_GENERATOR_GROUP_MEMBER_ADDED",
       generator_group_member("generator-group-member-added", group_member_added)},
      {"TRIGGER_GENERATOR_GROUP_MEMBER_REMOVED",
       generator_group_member("generator-group-member-removed", group_member_removed)},
      // hfid/triggers.py
      {"TRIGGER_HFID_ALL_SCHEMA", setup_all("hfid-setup-all", HFID_SETUP)},
      // webhook/triggers.py
      {"TRIGGER_KEYVALUE_WEBHOOK_INVALIDATE",
       {.name = "webhook-keyvalue-invalidate",
        .trigger = {.events = {node_updated},
                    .match = {{"infrahub.node.kind", {"CoreStaticKeyValue", "CoreEnvKeyValue"}}}},
        .actions = {ExecuteWorkflow{.workflow = WEBHOOK_INVALIDATE_HEADERS,
                                    .parameters = {{"event_type", "{{ event.event }}"},
                                                   {"event_data", event_data_parameter()}}}}}},
      // profiles/triggers.py
      {"TRIGGER_PROFILE_REFRESH_SETUP",
       setup_all("profile-refresh-setup-all", PROFILE_REFRESH_SETUP)},
      {"TRIGGER_REPOSITORY_ADD", repository("repository-add", repository_created)},
      {"TRIGGER_REPOSITORY_DELETE", repository("repository-delete", repository_deleted)},
      {"TRIGGER_REPOSITORY_UPDATE", repository("repository-update", repository_updated)},
      // schema/triggers.py
      {"TRIGGER_SCHEMA_UPDATED",
       {.name = "schema-updated-trigger",
        .trigger = {.events = {schema_updated}},
        .actions = {ExecuteWorkflow{
            .workflow = SCHEMA_UPDATED,
            .parameters = {{"branch_name", "{{ event.payload['data']['branch_name'] }}"},
                           {"schema_hash", "{{ event.payload['data']['schema_hash'] }}"},
                           {"context", context_parameter()}}}}}},
      // webhook/triggers.py (Infrahub today: one trigger for created, updated and deleted)
      {"TRIGGER_WEBHOOK_CONFIGURE",
       {.name = "webhook-configure",
        .trigger = {.events = {node_created, node_updated, node_deleted},
                    .match = {{"infrahub.node.kind", webhook_kinds}}},
        .actions = {ExecuteWorkflow{.workflow = WEBHOOK_CONFIGURE,
                                    .parameters = {{"event_type", "{{ event.event }}"},
                                                   {"event_data", event_data_parameter()}}}}}},
      // webhook/triggers.py, Infrahub 1.2: the seed's "Webhook Deleted"
      {"TRIGGER_WEBHOOK_DELETE",
       {.name = "webhook-delete",
        .trigger = {.events = {node_deleted}, .match = {{"infrahub.node.kind", webhook_kinds}}},
        .actions = {ExecuteWorkflow{
            .workflow = WEBHOOK_DELETE_AUTOMATION,
            .parameters = {{"webhook_id", "{{ event.payload['data']['node_id'] }}"},
                           {"webhook_name",
                            "{{ event.payload['data']['changelog']['display_label'] }}"}}}}}},
      // The seed's webhook-configure-one, as it prints it ("Webhook Created" and "Updated").
      {"TRIGGER_WEBHOOK_SETUP_UPDATE",
       {.name = "webhook-configure-one",
        .trigger = {.events = {node_created, node_updated},
                    .match = {{"infrahub.node.kind", webhook_kinds}}},
        .actions = {ExecuteWorkflow{
            .workflow = WEBHOOK_CONFIGURE_ONE,
            .parameters = {{"webhook_name",
                            "{{ event.payload['data']['changelog']['display_label'] }}"},
                           {"event_data", event_data_parameter()}}}}}},
  };
  return catalogue;
}

}  // namespace

std::span<const BuiltinTrigger> builtin_catalogue() {
  static const std::vector<BuiltinTrigger> catalogue = make_catalogue();
  return catalogue;
}

std::vector<BuiltinTriggerDefinition> builtin_triggers() {
  std::vector<BuiltinTriggerDefinition> out;
  for (const auto& entry : builtin_catalogue())
    out.push_back(entry.definition);
  return out;
}

const BuiltinTriggerDefinition* find_builtin_trigger(std::string_view name) noexcept {
  for (const auto& entry : builtin_catalogue()) {
    const auto& d = entry.definition;
    if (d.name == name) return &d;
    // "builtin::<name>"
    constexpr std::string_view prefix = "builtin::";
    if (name.size() == prefix.size() + d.name.size() && name.starts_with(prefix) &&
        name.substr(prefix.size()) == d.name)
      return &d;
  }
  return nullptr;
}

std::vector<BuiltinTriggerDefinition> example_triggers() {
  return {
      // "Custom Triggers"
      {.name = "custom-device-validation",
       .trigger = {.events = {node_created, node_updated},
                   .match = {{"infrahub.node.kind", "NetworkDevice"}}},
       .actions = {ExecuteWorkflow{
           .workflow = MY_WORKFLOW,
           .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"},
                          {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}},
      // "Automatic IPAM Validation"
      {.name = "ipam-auto-validate",
       .trigger = {.events = {node_created, node_updated},
                   .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}},
       .actions = {ExecuteWorkflow{
           .workflow = IPAM_VALIDATION_WORKFLOW,
           .parameters = {{"node_id", "{{ event.payload['data']['node_id'] }}"},
                          {"node_kind", "{{ event.payload['data']['kind'] }}"},
                          {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}},
      // "Schema Migration on Update"
      {.name = "schema-auto-migrate",
       .trigger = {.events = {schema_updated},
                   .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                     {"infrahub.resource.label", "main"}}},
       .actions = {ExecuteWorkflow{
           .workflow = SCHEMA_APPLY_MIGRATION,
           .parameters = {{"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}},
      // "Audit Trail"
      {.name = "audit-trail",
       .trigger = {.events = {node_updated, node_deleted},
                   .match = {{"infrahub.node.kind", {"NetworkDevice", "IPAddress"}}}},
       .actions = {ExecuteWorkflow{
           .workflow = AUDIT_LOG_WORKFLOW,
           .parameters = {{"event_type", "{{ event.event }}"},
                          {"node_id", "{{ event.payload['data']['node_id'] }}"},
                          {"account_id", "{{ event.resource['infrahub.account.id'] }}"},
                          {"timestamp", "{{ event.occurred }}"},
                          {"changelog",
                           json_parameter("{{ event.payload['data']['changelog'] | tojson }}")}}}}},
  };
}

}  // namespace eventwire::infrahub
