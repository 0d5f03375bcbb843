// Infrahub's built-in trigger catalogue and the seed's example triggers. Expected definitions are
// written by hand from the reference notes (§3) and the seed; which triggers fire is written by
// hand from the matching rules; hydrated parameters are compared with real Jinja2 (Prefect's
// hydration in tests/jinja_oracle.py), run inside the test.
#include "eventwire/infrahub/triggers.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "eventwire/error.hpp"
#include "eventwire/infrahub/events.hpp"
#include "eventwire/infrahub/workflows.hpp"
#include "eventwire/template.hpp"
#include "eventwire/trigger.hpp"
#include "support/python_oracle.hpp"

using namespace eventwire::infrahub;
using eventwire::AccountSession;
using eventwire::Event;
using eventwire::EventMeta;
using eventwire::InfrahubContext;
using eventwire::json;
using eventwire::TriggerDefinition;
using eventwire::TriggerRegistry;

namespace {

EventMeta meta_on(const std::string& branch) {
  auto ctx = InfrahubContext::init({.name = branch, .id = branch + "-uuid"},
                                   AccountSession{.account_id = "acc-1"});
  return EventMeta::from_context(ctx);
}

NodeChangelog changelog(const std::string& id, const std::string& kind, const std::string& label) {
  NodeChangelog log{.node_id = id, .node_kind = kind, .display_label = label};
  log.add_attribute({.name = "name", .value = label, .kind = "Text"});
  return log;
}

template <typename E>
E node_event(const std::string& kind, const std::string& id, const std::string& label,
             const std::string& branch = "main") {
  return E{.meta = meta_on(branch),
           .kind = kind,
           .node_id = id,
           .changelog = changelog(id, kind, label),
           .fields = {"name"}};
}

// A registry holding every built-in and every seed example.
TriggerRegistry& full_registry() {
  static TriggerRegistry registry;
  static const bool filled = [] {
    for (auto& d : builtin_triggers())
      registry.add(std::move(d));
    for (auto& d : example_triggers())
      registry.add(std::move(d));
    return true;
  }();
  (void)filled;
  return registry;
}

// The triggers that fire for `event`, by registered name, through the index (what the service
// does); checked against a scan of every registered trigger.
std::set<std::string> fired(const Event& event) {
  std::set<std::string> out;
  for (const auto& t : full_registry().candidates(event))
    if (t->compiled().matches(event)) out.insert(t->name());
  std::set<std::string> scanned;
  for (const auto& t : full_registry().list())
    if (t->compiled().matches(event)) scanned.insert(t->name());
  CHECK(out == scanned);
  return out;
}

// Our hydration of `trigger`'s action `i` against `event`: {"parameters": ...} or {"error": ...}.
json our_hydration(const std::string& trigger, std::size_t i, const Event& event) {
  auto handle = full_registry().find(trigger);
  REQUIRE(handle);
  try {
    return {{"parameters", handle->parameters(i).hydrate(eventwire::event_context(event))}};
  } catch (const eventwire::HydrationError& e) {
    return {{"error", {{"message", e.what()}}}};
  }
}

// Asks real Jinja2 (Prefect's hydration, typed single expressions as Prefect >= 3.6.24) for
// every (trigger, action) in `cases` on `event`, and compares with ours.
void check_hydration_against_jinja(const Event& event,
                                   const std::vector<std::pair<std::string, std::size_t>>& cases) {
  json request = {{"contexts", {{"e", eventwire::event_context(event)}}},
                  {"hydrate", json::array()}};
  for (const auto& [trigger, i] : cases) {
    auto handle = full_registry().find(trigger);
    REQUIRE(handle);
    request["hydrate"].push_back({{"id", trigger + "/" + std::to_string(i)},
                                  {"parameters", handle->definition().actions.at(i).parameters},
                                  {"ctx", "e"},
                                  {"typed", true}});
  }
  json answer = eventwire::testing::run_python_oracle("../jinja_oracle.py", request);
  for (const auto& [trigger, i] : cases) {
    const json& expected = answer["hydrate"][trigger + "/" + std::to_string(i)];
    json ours = our_hydration(trigger, i, event);
    INFO(trigger << " action " << i << "\n ours:   " << ours.dump()
                 << "\n jinja2: " << expected.dump());
    if (expected.contains("error")) {
      CHECK(ours.contains("error"));
    } else {
      CHECK(ours == expected);
    }
  }
}

// JSON equality regardless of key order (Jinja2's tojson sorts keys; Python dicts keep them).
bool same_json(const json& a, const json& b) {
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

json hydrated(const std::string& trigger, std::size_t i, const Event& event) {
  json out = our_hydration(trigger, i, event);
  REQUIRE(out.contains("parameters"));
  return out["parameters"];
}

}  // namespace

TEST_CASE("the catalogue is sorted by constant name, with unique names") {
  auto catalogue = builtin_catalogue();
  REQUIRE(catalogue.size() == 20);
  std::vector<std::string> constants, names;
  for (const auto& entry : catalogue) {
    constants.emplace_back(entry.constant);
    names.push_back(entry.definition.name);
  }
  CHECK(std::is_sorted(constants.begin(), constants.end()));
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  CHECK(std::set<std::string>(constants.begin(), constants.end()).size() == constants.size());
  for (const auto& entry : catalogue)
    CHECK(entry.definition.type == eventwire::TriggerType::builtin);

  // builtin_triggers() is the same list, in the same order.
  auto definitions = builtin_triggers();
  REQUIRE(definitions.size() == catalogue.size());
  for (std::size_t i = 0; i < definitions.size(); ++i)
    CHECK(definitions[i] == catalogue[i].definition);

  // Every name the reference's table and the seed give.
  for (const char* name : {"action-trigger-setup-all",
                           "branch-merged-trigger",
                           "computed-attribute-setup-all",
                           "computed-attribute-python-transform-created",
                           "computed-attribute-python-transform-updated",
                           "computed-attribute-python-transform-deleted",
                           "display-labels-setup-all",
                           "hfid-setup-all",
                           "webhook-keyvalue-invalidate",
                           "profile-refresh-setup-all",
                           "schema-updated-trigger",
                           "webhook-configure",
                           "webhook-configure-one",
                           "webhook-delete",
                           "repository-add",
                           "repository-update",
                           "repository-delete",
                           "generator-group-member-added",
                           "generator-group-member-removed",
                           "generator-definition-updated"}) {
    INFO(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
}

TEST_CASE("a built-in is found by its name or its registered name") {
  const auto* by_name = find_builtin_trigger("webhook-configure");
  REQUIRE(by_name != nullptr);
  CHECK(by_name->name == "webhook-configure");
  CHECK(find_builtin_trigger("builtin::webhook-configure") == by_name);
  CHECK(find_builtin_trigger("webhook::webhook-configure") == nullptr);
  CHECK(find_builtin_trigger("builtin::") == nullptr);
  CHECK(find_builtin_trigger("webhook-configur") == nullptr);
  CHECK(find_builtin_trigger("custom-device-validation") == nullptr);  // an example, not built in
}

TEST_CASE("every built-in and every example registers: patterns, parameters and templates valid") {
  TriggerRegistry registry;
  auto report = registry.configure_all(builtin_triggers(), eventwire::TriggerType::builtin);
  CHECK(report.created.size() == builtin_catalogue().size());
  CHECK(report.deleted.empty());
  for (auto& d : example_triggers())
    CHECK_NOTHROW(registry.add(std::move(d)));
  CHECK(registry.size() == builtin_catalogue().size() + 4);
  // Configuring again changes nothing.
  auto again = registry.configure_all(builtin_triggers(), eventwire::TriggerType::builtin);
  CHECK(again.created.empty());
  CHECK(again.updated.empty());
  CHECK(again.unchanged.size() == builtin_catalogue().size());
}

TEST_CASE("workflows check the parameters the built-ins pass") {
  // The registry refuses a built-in whose action drops a required parameter of its workflow.
  auto merged = *find_builtin_trigger("branch-merged-trigger");
  merged.actions[0].parameters.erase("context");
  TriggerRegistry registry;
  CHECK_THROWS_WITH(registry.add(merged),
                    "builtin::branch-merged-trigger: actions[0].parameters: Missing required "
                    "parameters: {'context'} for workflow branch-merged");
  auto schema = *find_builtin_trigger("schema-updated-trigger");
  schema.actions[0].parameters["branch"] = "main";
  CHECK_THROWS_WITH(registry.add(schema),
                    "builtin::schema-updated-trigger: actions[0].parameters: Workflow "
                    "schema-updated doesn't support parameters: {'branch'}");
  CHECK(BRANCH_MERGED.name == "branch-merged");
  CHECK(WEBHOOK_CONFIGURE.name == "webhook-configure");
  CHECK(COMPUTED_ATTRIBUTE_SETUP_JINJA2.name == "computed-attribute-setup-jinja2");
}

TEST_CASE("definitions spell Infrahub's triggers as the reference table does") {
  const json context = {
      {"__prefect_kind", "json"},
      {"value",
       {{"__prefect_kind", "jinja"}, {"template", "{{ event.payload['context'] | tojson }}"}}}};
  CHECK(jinja_parameter("{{ event.event }}") ==
        json{{"__prefect_kind", "jinja"}, {"template", "{{ event.event }}"}});

  const auto& merged = *find_builtin_trigger("branch-merged-trigger");
  CHECK(merged.trigger.events == std::set<std::string>{"infrahub.branch.merged"});
  REQUIRE(merged.actions.size() == 1);
  CHECK(merged.actions[0].workflow == BRANCH_MERGED);
  CHECK(merged.actions[0].parameters ==
        json{{"source_branch",
              {{"__prefect_kind", "jinja"},
               {"template", "{{ event.payload['data']['branch_name'] }}"}}},
             {"context", context}});

  const auto& setup = *find_builtin_trigger("computed-attribute-setup-all");
  CHECK(setup.trigger.events ==
        std::set<std::string>{"infrahub.schema.updated", "infrahub.branch.deleted"});
  REQUIRE(setup.actions.size() == 2);
  CHECK(setup.actions[0].workflow.name == "computed-attribute-setup-jinja2");
  CHECK(setup.actions[1].workflow.name == "computed-attribute-setup-python");
  CHECK(setup.actions[1].parameters["changed_elements"]["value"]["template"] ==
        "{{ event.payload['data']['changed_elements'] | default(none, true) | tojson }}");

  const auto& webhook = *find_builtin_trigger("webhook-configure");
  CHECK(webhook.trigger.events == std::set<std::string>{"infrahub.node.created",
                                                        "infrahub.node.updated",
                                                        "infrahub.node.deleted"});
  CHECK(webhook.trigger.match.to_json() ==
        json{{"infrahub.node.kind", {"CoreCustomWebhook", "CoreStandardWebhook"}}});
  CHECK(webhook.actions[0].parameters["event_type"] == "{{ event.event }}");

  const auto& updated = *find_builtin_trigger("computed-attribute-python-transform-updated");
  CHECK(updated.trigger.match.to_json() ==
        json{{"infrahub.node.kind", "CoreTransformPython"}, {"infrahub.node.origin", "live"}});
  CHECK(updated.trigger.match_related.to_json() ==
        json{{"prefect.resource.role", {"infrahub.node.attribute_update"}},
             {"infrahub.field.name", {"fingerprint"}}});

  // The seed's webhook-configure-one, as printed.
  const auto& one = *find_builtin_trigger("webhook-configure-one");
  CHECK(one.trigger.events ==
        std::set<std::string>{"infrahub.node.created", "infrahub.node.updated"});
  CHECK(one.actions[0].parameters ==
        json{{"webhook_name", "{{ event.payload['data']['changelog']['display_label'] }}"},
             {"event_data",
              {{"__prefect_kind", "json"},
               {"value",
                {{"__prefect_kind", "jinja"},
                 {"template", "{{ event.payload['data'] | tojson }}"}}}}}});
}

TEST_CASE("the seed's examples are defined as it prints them") {
  auto examples = example_triggers();
  REQUIRE(examples.size() == 4);
  CHECK(examples[0].name == "custom-device-validation");
  CHECK(examples[1].name == "ipam-auto-validate");
  CHECK(examples[2].name == "schema-auto-migrate");
  CHECK(examples[3].name == "audit-trail");
  CHECK(examples[0].trigger.to_infrahub_json() ==
        json::parse(R"({"events": ["infrahub.node.created", "infrahub.node.updated"],
                        "match": {"infrahub.node.kind": "NetworkDevice"}, "match_related": {}})"));
  CHECK(examples[2].trigger.match_related.to_json() ==
        json{{"prefect.resource.role", "infrahub.branch"}, {"infrahub.resource.label", "main"}});
  CHECK(examples[3].actions[0].parameters["timestamp"] == "{{ event.occurred }}");
  CHECK(examples[3].actions[0].parameters["changelog"]["value"]["template"] ==
        "{{ event.payload['data']['changelog'] | tojson }}");
}

TEST_CASE(
    "a webhook created fires webhook-configure and webhook-configure-one, hydrated as Jinja2") {
  auto created =
      node_event<NodeCreatedEvent>("CoreStandardWebhook", "wh-1", "Slack alerts", "main");
  Event e = to_event(created);
  CHECK(fired(e) ==
        std::set<std::string>{"builtin::webhook-configure", "builtin::webhook-configure-one"});
  check_hydration_against_jinja(
      e, {{"builtin::webhook-configure", 0}, {"builtin::webhook-configure-one", 0}});
  // What the host's workflow receives (facts of the event, not of rendering).
  json params = hydrated("builtin::webhook-configure", 0, e);
  CHECK(params["event_type"] == "infrahub.node.created");
  CHECK(same_json(params["event_data"], created.get_payload()));
  CHECK(hydrated("builtin::webhook-configure-one", 0, e)["webhook_name"] == "Slack alerts");
}

TEST_CASE("a webhook deleted fires webhook-configure and webhook-delete") {
  Event e = to_event(node_event<NodeDeletedEvent>("CoreCustomWebhook", "wh-2", "Ansible EDA"));
  CHECK(fired(e) == std::set<std::string>{"builtin::webhook-configure", "builtin::webhook-delete"});
  check_hydration_against_jinja(
      e, {{"builtin::webhook-configure", 0}, {"builtin::webhook-delete", 0}});
  json params = hydrated("builtin::webhook-delete", 0, e);
  CHECK(params["webhook_id"] == "wh-2");
  CHECK(params["webhook_name"] == "Ansible EDA");
}

TEST_CASE("a schema update fires the setup triggers, and the seed's migration on main only") {
  SchemaUpdatedEvent on_main{.meta = meta_on("main"), .branch_name = "main", .schema_hash = "0042"};
  Event e = to_event(on_main);
  const std::set<std::string> setup = {
      "builtin::computed-attribute-setup-all", "builtin::display-labels-setup-all",
      "builtin::hfid-setup-all", "builtin::profile-refresh-setup-all",
      "builtin::schema-updated-trigger"};
  auto expected = setup;
  expected.insert("builtin::schema-auto-migrate");
  CHECK(fired(e) == expected);
  check_hydration_against_jinja(e, {{"builtin::computed-attribute-setup-all", 0},
                                    {"builtin::computed-attribute-setup-all", 1},
                                    {"builtin::display-labels-setup-all", 0},
                                    {"builtin::hfid-setup-all", 0},
                                    {"builtin::profile-refresh-setup-all", 0},
                                    {"builtin::schema-updated-trigger", 0},
                                    {"builtin::schema-auto-migrate", 0}});
  json schema = hydrated("builtin::schema-updated-trigger", 0, e);
  CHECK(schema["branch_name"] == "main");
  CHECK(same_json(schema["context"], e.payload["context"]));
  // changed_elements is absent from this event: default(none, true) makes it null.
  CHECK(hydrated("builtin::computed-attribute-setup-all", 0, e)["changed_elements"].is_null());

  SchemaUpdatedEvent on_dev{.meta = meta_on("dev"), .branch_name = "dev", .schema_hash = "0043"};
  CHECK(fired(to_event(on_dev)) == setup);
}

TEST_CASE("branch merged and branch deleted fire their built-ins") {
  Event merged = to_event(
      BranchMergedEvent{.meta = meta_on("main"), .branch_name = "feature-1", .branch_id = "b-1"});
  CHECK(fired(merged) == std::set<std::string>{"builtin::branch-merged-trigger"});
  check_hydration_against_jinja(merged, {{"builtin::branch-merged-trigger", 0}});
  CHECK(hydrated("builtin::branch-merged-trigger", 0, merged)["source_branch"] == "feature-1");

  Event deleted =
      to_event(BranchDeletedEvent{.meta = meta_on(std::string(eventwire::global_branch_name)),
                                  .branch_name = "feature-1",
                                  .branch_id = "b-1"});
  CHECK(fired(deleted) == std::set<std::string>{"builtin::computed-attribute-setup-all",
                                                "builtin::display-labels-setup-all",
                                                "builtin::hfid-setup-all",
                                                "builtin::profile-refresh-setup-all"});
  check_hydration_against_jinja(deleted, {{"builtin::hfid-setup-all", 0}});
  // The deleted branch's name is the resource's infrahub.branch.name.
  CHECK(hydrated("builtin::hfid-setup-all", 0, deleted)["branch_name"] == "feature-1");
}

TEST_CASE("group member events run the generator trigger, except on generator-made groups") {
  GroupMemberAddedEvent added{.meta = meta_on("main"),
                              .kind = "CoreStandardGroup",
                              .node_id = "g-1",
                              .members = {{.id = "d-1", .kind = "InfraDevice"}}};
  Event e = to_event(added);
  CHECK(fired(e) == std::set<std::string>{"builtin::generator-group-member-added"});
  check_hydration_against_jinja(e, {{"builtin::generator-group-member-added", 0}});
  json params = hydrated("builtin::generator-group-member-added", 0, e);
  CHECK(params["members"] == json::parse(R"([{"id": "d-1", "kind": "InfraDevice"}])"));
  CHECK(params["group_id"] == "g-1");

  GroupMemberRemovedEvent removed{
      .meta = meta_on("main"), .kind = "CoreStandardGroup", .node_id = "g-1"};
  CHECK(fired(to_event(removed)) ==
        std::set<std::string>{"builtin::generator-group-member-removed"});

  for (const char* kind : {"CoreGeneratorGroup", "CoreGeneratorAwareGroup"}) {
    INFO(kind);
    GroupMemberAddedEvent output{.meta = meta_on("main"), .kind = kind, .node_id = "g-2"};
    CHECK(fired(to_event(output)).empty());
  }
}

TEST_CASE("repository and generator-definition events fire the seed-derived built-ins") {
  Event created = to_event(RepositoryCreatedEvent{
      .meta = meta_on("main"), .repository_id = "r-1", .repository_name = "infra-config"});
  CHECK(fired(created) == std::set<std::string>{"builtin::repository-add"});
  check_hydration_against_jinja(created, {{"builtin::repository-add", 0}});
  json params = hydrated("builtin::repository-add", 0, created);
  CHECK(params["repository_name"] == "infra-config");
  CHECK(params["event_type"] == "infrahub.repository.created");

  CHECK(fired(to_event(RepositoryUpdatedEvent{.meta = meta_on("main"), .repository_id = "r-1"})) ==
        std::set<std::string>{"builtin::repository-update"});
  CHECK(fired(to_event(RepositoryDeletedEvent{.meta = meta_on("main"), .repository_id = "r-1"})) ==
        std::set<std::string>{"builtin::repository-delete"});

  Event definition =
      to_event(node_event<NodeUpdatedEvent>("CoreGeneratorDefinition", "gd-1", "add_dc", "dev"));
  CHECK(fired(definition) == std::set<std::string>{"builtin::generator-definition-updated"});
  check_hydration_against_jinja(definition, {{"builtin::generator-definition-updated", 0}});
  CHECK(hydrated("builtin::generator-definition-updated", 0, definition)["branch"] == "dev");
}

TEST_CASE("key-value and action-rule nodes fire their built-ins") {
  Event kv = to_event(node_event<NodeUpdatedEvent>("CoreEnvKeyValue", "kv-1", "token"));
  CHECK(fired(kv) == std::set<std::string>{"builtin::webhook-keyvalue-invalidate"});
  check_hydration_against_jinja(kv, {{"builtin::webhook-keyvalue-invalidate", 0}});
  // Created key-values do not invalidate anything.
  CHECK(fired(to_event(node_event<NodeCreatedEvent>("CoreEnvKeyValue", "kv-1", "token"))).empty());

  Event rule = to_event(node_event<NodeDeletedEvent>("CoreNodeTriggerRule", "r-1", "rule"));
  CHECK(fired(rule) == std::set<std::string>{"builtin::action-trigger-setup-all"});
  CHECK(hydrated("builtin::action-trigger-setup-all", 0, rule) == json::object());
}

TEST_CASE("Python transform lifecycle triggers need a live origin and, on update, a fingerprint") {
  auto updated = node_event<NodeUpdatedEvent>("CoreTransformPython", "t-1", "my_transform");
  updated.changelog.add_attribute({.name = "fingerprint", .value = "abc", .kind = "Text"});
  Event e = to_event(updated);
  // eventwire's node events do not carry Infrahub 2026's infrahub.node.origin label; a label
  // missing from the resource never matches.
  CHECK(fired(e).empty());
  e.resource.set("infrahub.node.origin", "live");
  CHECK(fired(e) == std::set<std::string>{"builtin::computed-attribute-python-transform-updated"});
  check_hydration_against_jinja(e, {{"builtin::computed-attribute-python-transform-updated", 0}});
  json params = hydrated("builtin::computed-attribute-python-transform-updated", 0, e);
  CHECK(params["transform_id"] == "t-1");
  CHECK(params["action"] == "updated");

  // No fingerprint change: no update trigger.
  Event renamed = to_event(node_event<NodeUpdatedEvent>("CoreTransformPython", "t-1", "x"));
  renamed.resource.set("infrahub.node.origin", "live");
  CHECK(fired(renamed).empty());
  // A merge replay is not live.
  Event merged = to_event(node_event<NodeCreatedEvent>("CoreTransformPython", "t-1", "x"));
  merged.resource.set("infrahub.node.origin", "merge");
  CHECK(fired(merged).empty());
  merged.resource.set("infrahub.node.origin", "live");
  CHECK(fired(merged) ==
        std::set<std::string>{"builtin::computed-attribute-python-transform-created"});
}

TEST_CASE("the seed's device and IPAM examples fire and hydrate as Jinja2 renders them") {
  Event device = to_event(node_event<NodeCreatedEvent>("NetworkDevice", "dev-1", "spine1", "dev"));
  CHECK(fired(device) == std::set<std::string>{"builtin::custom-device-validation"});
  check_hydration_against_jinja(device, {{"builtin::custom-device-validation", 0}});
  CHECK(hydrated("builtin::custom-device-validation", 0, device) ==
        json{{"device_id", "dev-1"}, {"branch", "dev"}});

  Event prefix = to_event(node_event<NodeUpdatedEvent>("IPPrefix", "p-1", "10.0.0.0/24"));
  CHECK(fired(prefix) == std::set<std::string>{"builtin::ipam-auto-validate"});
  check_hydration_against_jinja(prefix, {{"builtin::ipam-auto-validate", 0}});

  // IPAddress updates fire both the IPAM validation and the audit trail.
  Event address = to_event(node_event<NodeUpdatedEvent>("IPAddress", "a-1", "10.0.0.1/24"));
  CHECK(fired(address) ==
        std::set<std::string>{"builtin::ipam-auto-validate", "builtin::audit-trail"});
  check_hydration_against_jinja(address,
                                {{"builtin::ipam-auto-validate", 0}, {"builtin::audit-trail", 0}});
  // The audit trail reads event.resource['infrahub.account.id'], which node events do not carry.
  json audit = our_hydration("builtin::audit-trail", 0, address);
  INFO(audit.dump());
  CHECK(audit.contains("error"));
}
