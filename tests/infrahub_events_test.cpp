// Infrahub's typed events. Every expected resource, related list and payload below is written by
// hand from the upstream rules (reference notes §1.2, §1.5–1.7 and the upstream event sources),
// never captured from our own output.
#include "eventwire/infrahub/events.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>

#include "eventwire/error.hpp"
#include "eventwire/infrahub/changelog.hpp"

using namespace eventwire::infrahub;
using eventwire::AccountSession;
using eventwire::Event;
using eventwire::EventMeta;
using eventwire::InfrahubContext;
using eventwire::json;
using eventwire::RelatedResource;
using eventwire::Resource;
using eventwire::Uuid;
using eventwire::ValidationError;

namespace {

const std::string event_id = "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f";

// A request context on branch main (uuid "b-uuid") by account "acc-1", with a fixed event id.
EventMeta fixed_meta() {
  eventwire::set_reported_version("1.2.3");
  auto ctx = InfrahubContext::init({.name = "main", .id = "b-uuid"},
                                   AccountSession{.account_id = "acc-1"});
  EventMeta meta = EventMeta::from_context(ctx);
  meta.id = Uuid::parse(event_id);
  return meta;
}

// EventMeta.get_related() for fixed_meta(), as §1.2 lists it.
const std::string base_related =
    R"({"prefect.resource.id":"1.2.3","prefect.resource.role":"infrahub.version"},)"
    R"({"prefect.resource.id":"0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f","prefect.resource.role":"infrahub.event",)"
    R"("infrahub.event.has_children":"false","infrahub.event.level":"0"},)"
    R"({"prefect.resource.id":"infrahub.account.acc-1","prefect.resource.role":"infrahub.account",)"
    R"("infrahub.resource.id":"acc-1"},)"
    R"({"prefect.resource.id":"infrahub.branch.b-uuid","prefect.resource.role":"infrahub.branch",)"
    R"("infrahub.resource.id":"b-uuid","infrahub.resource.label":"main"})";

std::string dump(const Resource& resource) {
  json out = json::object();
  for (const auto& [name, value] : resource)
    out[name] = value;
  return out.dump();
}

std::string dump(const std::vector<RelatedResource>& related) {
  json out = json::array();
  for (const auto& r : related)
    out.push_back(json::parse(dump(r)));
  return out.dump();
}

// The related list as "[<base>,<extra>]" for comparing against base_related plus the extras.
std::string with_base(const std::string& extra) {
  return "[" + base_related + (extra.empty() ? "" : "," + extra) + "]";
}

const RelatedResource* find_related(const std::vector<RelatedResource>& related,
                                    std::string_view role, std::string_view label,
                                    std::string_view value) {
  for (const auto& r : related) {
    if (r.role() == role && r.get(label) == value) return &r;
  }
  return nullptr;
}

// The changelog of an update to device "dev-1": ip_address changed, a bool flag set, a list tag
// added, a password changed; site replaced; two interfaces added / removed; parent "rack-1".
NodeChangelog device_changelog() {
  NodeChangelog log{.node_id = "dev-1", .node_kind = "NetworkDevice", .display_label = "edge-1"};
  log.add_attribute({.name = "ip_address",
                     .value = "10.0.0.2/24",
                     .value_previous = "10.0.0.1/24",
                     .kind = "IPHost"});
  log.add_attribute(
      {.name = "enabled", .value = true, .value_previous = nullptr, .kind = "Boolean"});
  log.add_attribute({.name = "tags", .value = json::array({"a"}), .kind = "List"});
  log.add_attribute(
      {.name = "description", .value = "NULL", .value_previous = "old", .kind = "Text"});
  log.add_attribute(
      {.name = "secret", .value = "s3cr3t", .value_previous = "0ld", .kind = "Password"});
  log.add_relationship(RelationshipCardinalityOneChangelog{.name = "site",
                                                           .peer_id_previous = "site-1",
                                                           .peer_kind_previous = "LocationSite",
                                                           .peer_id = "site-2",
                                                           .peer_kind = "LocationSite"});
  log.add_relationship(RelationshipCardinalityManyChangelog{
      .name = "interfaces",
      .peers = {
          {.peer_id = "if-1", .peer_kind = "Interface", .peer_status = DiffAction::added},
          {.peer_id = "if-2", .peer_kind = "Interface", .peer_status = DiffAction::removed},
          {.peer_id = "if-3", .peer_kind = "Interface", .peer_status = DiffAction::unchanged}}});
  log.add_relationship(
      RelationshipCardinalityOneChangelog{.name = "rack",
                                          .peer_id_previous = "rack-1",
                                          .peer_kind_previous = "Rack",
                                          .peer_id = "rack-1",
                                          .peer_kind = "Rack",
                                          .parent = ChangelogRelatedNode{"rack-1", "Rack"}});
  return log;
}

template <typename E>
void check_wire(const E& e) {
  Event wire = to_event(e);
  CHECK_NOTHROW(wire.validate());
  CHECK(wire.id == e.meta.id);
  CHECK(wire.event == e.event_name());
  Event back = Event::parse(wire.dump());
  CHECK(back == wire);
  CHECK(back.payload == get_event_payload(e));
}

}  // namespace

// --- catalogue -------------------------------------------------------------------------------

TEST_CASE("The catalogue names every event once, Infrahub's and the seed's") {
  auto names = all_event_names();
  std::set<std::string_view> unique(names.begin(), names.end());
  CHECK(unique.size() == names.size());
  CHECK(names.size() == 40);
  for (std::string_view expected : {"infrahub.node.created",
                                    "infrahub.node.updated",
                                    "infrahub.node.deleted",
                                    "infrahub.group.member_added",
                                    "infrahub.group.member_removed",
                                    "infrahub.branch.created",
                                    "infrahub.branch.deleted",
                                    "infrahub.branch.merged",
                                    "infrahub.branch.rebased",
                                    "infrahub.branch.migrated",
                                    "infrahub.schema.updated",
                                    "infrahub.schema.validated",
                                    "infrahub.repository.update_commit",
                                    "infrahub.repository.created",
                                    "infrahub.repository.updated",
                                    "infrahub.repository.deleted",
                                    "infrahub.artifact.created",
                                    "infrahub.artifact.updated",
                                    "infrahub.artifact.generated",
                                    "infrahub.generator.executed",
                                    "infrahub.generator.completed",
                                    "infrahub.validator.started",
                                    "infrahub.validator.passed",
                                    "infrahub.validator.failed",
                                    "infrahub.validator.created",
                                    "infrahub.validator.completed",
                                    "infrahub.proposed_change.created",
                                    "infrahub.proposed_change.updated",
                                    "infrahub.proposed_change.closed",
                                    "infrahub.proposed_change.merged",
                                    "infrahub.proposed_change.review_requested",
                                    "infrahub.proposed_change.approved",
                                    "infrahub.proposed_change.rejected",
                                    "infrahub.proposed_change.approval_revoked",
                                    "infrahub.proposed_change.rejection_revoked",
                                    "infrahub.proposed_change.approvals_revoked",
                                    "infrahub.proposed_change_thread.created",
                                    "infrahub.proposed_change_thread.updated",
                                    "infrahub.account.logged_in",
                                    "infrahub.account.logged_out"}) {
    INFO(expected);
    CHECK(unique.count(expected) == 1);
    auto type = event_type_from_name(expected);
    REQUIRE(type);
    CHECK(event_name(*type) == expected);
  }
  CHECK_FALSE(event_type_from_name("infrahub.unknown"));
  CHECK(is_node_kind_event(EventType::artifact_created));
  CHECK(is_node_kind_event(EventType::validator_failed));
  CHECK_FALSE(is_node_kind_event(EventType::branch_merged));
  CHECK_FALSE(is_node_kind_event(EventType::proposed_change_merged));
}

// --- changelog -------------------------------------------------------------------------------

TEST_CASE("Enums are written as Infrahub's values") {
  CHECK(to_string(DiffAction::added) == "added");
  CHECK(to_string(DiffAction::unchanged) == "unchanged");
  CHECK(to_string(MutationAction::created) == "created");
  CHECK(to_string(MutationAction::undefined) == "undefined");
  CHECK(mutation_action_from_diff(DiffAction::added) == MutationAction::created);
  CHECK(mutation_action_from_diff(DiffAction::removed) == MutationAction::deleted);
  CHECK(mutation_action_from_diff(DiffAction::updated) == MutationAction::updated);
  CHECK(mutation_action_from_diff(DiffAction::unchanged) == MutationAction::undefined);
}

TEST_CASE("Attribute value_update_status, NULL as null, has_updates") {
  auto status = [](json value, json previous) {
    return AttributeChangelog{
        .name = "a", .value = value, .value_previous = previous, .kind = "Text"}
        .value_update_status();
  };
  CHECK(status("x", "x") == DiffAction::unchanged);
  CHECK(status(nullptr, nullptr) == DiffAction::unchanged);
  CHECK(status(nullptr, "x") == DiffAction::removed);
  CHECK(status("NULL", "x") == DiffAction::removed);
  CHECK(status("x", nullptr) == DiffAction::added);
  CHECK(status("y", "x") == DiffAction::updated);
  CHECK(status(2, 1) == DiffAction::updated);

  AttributeChangelog unchanged{.name = "a", .value = "x", .value_previous = "x", .kind = "Text"};
  CHECK_FALSE(unchanged.has_updates());
  unchanged.add_property("is_protected", true, nullptr);
  CHECK(unchanged.has_updates());

  NodeChangelog log{.node_id = "n"};
  log.add_attribute({.name = "same", .value = 1, .value_previous = 1, .kind = "Number"});
  CHECK(log.attributes.empty());
  CHECK_FALSE(log.has_changes());
}

TEST_CASE("Properties: value_type and status; a repeated name replaces in place") {
  PropertyChangelogs properties;
  add_property(properties, "source", "src-1", nullptr);
  add_property(properties, "is_protected", true, false);
  add_property(properties, "source", "src-2", "src-1");
  REQUIRE(properties.size() == 2);
  CHECK(properties[0].name == "source");
  CHECK(properties[0].value == "src-2");
  CHECK(properties[0].value_type() == "Text");
  CHECK(properties[1].value_type() == "Boolean");
  CHECK(PropertyChangelog{.name = "owner"}.value_type() == "Boolean");
  CHECK(properties[0].to_json().dump() ==
        R"({"name":"source","value":"src-2","value_previous":"src-1","value_type":"Text",)"
        R"("value_update_status":"updated"})");
  CHECK(PropertyChangelog{.name = "p", .value = true, .value_previous = nullptr}
            .value_update_status() == DiffAction::added);
}

TEST_CASE("Passwords are masked in JSON and labels; status still sees the change") {
  AttributeChangelog changed{
      .name = "pw", .value = "new", .value_previous = "old", .kind = "Password"};
  CHECK(changed.shown_value() == "***");
  CHECK(changed.shown_value_previous() == "***");
  CHECK(changed.value_update_status() == DiffAction::updated);
  CHECK(changed.to_json().dump() ==
        R"({"name":"pw","value":"***","value_previous":"***","properties":{},"kind":"Password",)"
        R"("value_update_status":"updated"})");

  AttributeChangelog set{.name = "pw", .value = "new", .kind = "HashedPassword"};
  CHECK(set.to_json()["value"] == "***");
  CHECK(set.to_json()["value_previous"].is_null());
  CHECK(set.value_update_status() == DiffAction::added);

  AttributeChangelog same{.name = "pw", .value = "a", .value_previous = "a", .kind = "Password"};
  CHECK(same.value_update_status() == DiffAction::unchanged);
  CHECK_FALSE(same.has_updates());

  AttributeChangelog text{.name = "t", .value = "visible", .kind = "Text"};
  CHECK(text.shown_value() == "visible");
}

TEST_CASE("Cardinality-one peer_status follows Python truthiness") {
  using One = RelationshipCardinalityOneChangelog;
  CHECK(One{.name = "r"}.peer_status() == DiffAction::unchanged);
  CHECK(One{.name = "r", .peer_id_previous = "a", .peer_id = "a"}.peer_status() ==
        DiffAction::unchanged);
  CHECK(One{.name = "r", .peer_id_previous = "a"}.peer_status() == DiffAction::removed);
  CHECK(One{.name = "r", .peer_id_previous = "a", .peer_id = ""}.peer_status() ==
        DiffAction::removed);
  CHECK(One{.name = "r", .peer_id = "b"}.peer_status() == DiffAction::added);
  CHECK(One{.name = "r", .peer_id_previous = "a", .peer_id = "b"}.peer_status() ==
        DiffAction::updated);
  CHECK(One{.name = "r"}.is_empty());
  One with_property{.name = "r"};
  add_property(with_property.properties, "is_protected", true, false);
  CHECK_FALSE(with_property.is_empty());
}

TEST_CASE("NodeChangelog: fields, root id, related nodes and model_dump") {
  NodeChangelog log = device_changelog();
  // description: "NULL" -> None against "old" -> removed, kept; the rack relationship is empty
  // (unchanged peer) so it is dropped, but its parent is recorded.
  CHECK(log.updated_fields() == std::vector<std::string>{"site", "interfaces", "ip_address",
                                                         "enabled", "tags", "description",
                                                         "secret"});
  REQUIRE(log.parent);
  CHECK(log.root_node_id() == "rack-1");
  NodeChangelog orphan{.node_id = "n-1"};
  CHECK(orphan.root_node_id() == "n-1");

  auto nodes = log.get_related_nodes();
  std::vector<ChangelogRelatedNode> expected{{"site-2", "LocationSite"}, {"site-1", "LocationSite"},
                                             {"if-1", "Interface"},      {"if-2", "Interface"},
                                             {"if-3", "Interface"},      {"rack-1", "Rack"}};
  CHECK(nodes == expected);

  CHECK(log.to_json().dump() == json::parse(R"({
    "node_id": "dev-1", "node_kind": "NetworkDevice", "display_label": "edge-1",
    "attributes": {
      "ip_address": {"name": "ip_address", "value": "10.0.0.2/24", "value_previous": "10.0.0.1/24",
                     "properties": {}, "kind": "IPHost", "value_update_status": "updated"},
      "enabled": {"name": "enabled", "value": true, "value_previous": null, "properties": {},
                  "kind": "Boolean", "value_update_status": "added"},
      "tags": {"name": "tags", "value": ["a"], "value_previous": null, "properties": {},
               "kind": "List", "value_update_status": "added"},
      "description": {"name": "description", "value": null, "value_previous": "old",
                      "properties": {}, "kind": "Text", "value_update_status": "removed"},
      "secret": {"name": "secret", "value": "***", "value_previous": "***", "properties": {},
                 "kind": "Password", "value_update_status": "updated"}
    },
    "relationships": {
      "site": {"name": "site", "peer_id_previous": "site-1", "peer_kind_previous": "LocationSite",
               "peer_id": "site-2", "peer_kind": "LocationSite", "properties": {},
               "cardinality": "one", "peer_status": "updated"},
      "interfaces": {"name": "interfaces", "peers": [
          {"peer_id": "if-1", "peer_kind": "Interface", "peer_status": "added", "properties": {}},
          {"peer_id": "if-2", "peer_kind": "Interface", "peer_status": "removed", "properties": {}},
          {"peer_id": "if-3", "peer_kind": "Interface", "peer_status": "unchanged", "properties": {}}],
        "cardinality": "many"}
    }})")
                                    .dump());
}

TEST_CASE("get_related_nodes keeps the first position of a repeated id, with its last kind") {
  NodeChangelog log{.node_id = "n"};
  log.add_relationship(
      RelationshipCardinalityOneChangelog{.name = "a", .peer_id = "p-1", .peer_kind = "KindA"});
  log.add_relationship(RelationshipCardinalityManyChangelog{
      .name = "b",
      .peers = {{.peer_id = "p-2", .peer_kind = "KindB", .peer_status = DiffAction::added},
                {.peer_id = "p-1", .peer_kind = "KindC", .peer_status = DiffAction::added}}});
  auto nodes = log.get_related_nodes();
  CHECK(nodes == std::vector<ChangelogRelatedNode>{{"p-1", "KindC"}, {"p-2", "KindB"}});
}

// --- node ------------------------------------------------------------------------------------

TEST_CASE("Node event: resource, related and payload as Infrahub builds them") {
  NodeMutatedEvent e{.meta = fixed_meta(),
                     .kind = "NetworkDevice",
                     .node_id = "dev-1",
                     .action = MutationAction::updated,
                     .changelog = device_changelog(),
                     .fields = {"ip_address", "site"}};
  CHECK(e.event_name() == "infrahub.node.updated");
  CHECK(dump(e.get_resource()) ==
        R"({"prefect.resource.id":"infrahub.node.dev-1","infrahub.node.kind":"NetworkDevice",)"
        R"("infrahub.node.id":"dev-1","infrahub.node.action":"updated",)"
        R"("infrahub.node.root_id":"rack-1","infrahub.branch.name":"main"})");

  const std::string attr = R"({"prefect.resource.id":"infrahub.node.dev-1",)"
                           R"("prefect.resource.role":"infrahub.node.attribute_update",)";
  const std::string rel = R"({"prefect.resource.id":"infrahub.node.dev-1",)"
                          R"("prefect.resource.role":"infrahub.node.relationship_update",)";
  const std::string node =
      R"("prefect.resource.role":"infrahub.related.node","infrahub.node.kind":)";
  CHECK(
      dump(e.get_related()) ==
      with_base(
          attr +
          R"("infrahub.field.name":"ip_address","infrahub.attribute.name":"ip_address",)"
          R"("infrahub.attribute.value":"10.0.0.2/24","infrahub.attribute.kind":"IPHost",)"
          R"("infrahub.attribute.value_previous":"10.0.0.1/24","infrahub.attribute.action":"updated"},)" +
          attr +
          R"("infrahub.field.name":"enabled","infrahub.attribute.name":"enabled",)"
          R"("infrahub.attribute.value":"True","infrahub.attribute.kind":"Boolean",)"
          R"("infrahub.attribute.value_previous":"NULL","infrahub.attribute.action":"added"},)" +
          attr +
          R"("infrahub.field.name":"tags","infrahub.attribute.name":"tags",)"
          R"("infrahub.attribute.value":"['a']","infrahub.attribute.kind":"List",)"
          R"("infrahub.attribute.value_previous":"NULL","infrahub.attribute.action":"added"},)" +
          attr +
          R"("infrahub.field.name":"description","infrahub.attribute.name":"description",)"
          R"("infrahub.attribute.value":"NULL","infrahub.attribute.kind":"Text",)"
          R"("infrahub.attribute.value_previous":"old","infrahub.attribute.action":"removed"},)" +
          attr +
          R"("infrahub.field.name":"secret","infrahub.attribute.name":"secret",)"
          R"("infrahub.attribute.value":"***","infrahub.attribute.kind":"Password",)"
          R"("infrahub.attribute.value_previous":"***","infrahub.attribute.action":"updated"},)" +
          rel +
          R"("infrahub.field.name":"site","infrahub.relationship.name":"site",)"
          R"("infrahub.relationship.peer_status":"added","infrahub.relationship.peer_id":"site-2",)"
          R"("infrahub.relationship.peer_kind":"LocationSite"},)" +
          rel +
          R"("infrahub.field.name":"site","infrahub.relationship.name":"site",)"
          R"("infrahub.relationship.peer_status":"removed","infrahub.relationship.peer_id":"site-1",)"
          R"("infrahub.relationship.peer_kind":"LocationSite"},)" +
          rel +
          R"("infrahub.field.name":"interfaces","infrahub.relationship.name":"interfaces",)"
          R"("infrahub.relationship.peer_status":"added","infrahub.relationship.peer_id":"if-1",)"
          R"("infrahub.relationship.peer_kind":"Interface"},)" +
          rel +
          R"("infrahub.field.name":"interfaces","infrahub.relationship.name":"interfaces",)"
          R"("infrahub.relationship.peer_status":"removed","infrahub.relationship.peer_id":"if-2",)"
          R"("infrahub.relationship.peer_kind":"Interface"},)"
          R"({"prefect.resource.id":"rack-1","prefect.resource.role":"infrahub.node.parent",)"
          R"("infrahub.parent.kind":"Rack","infrahub.parent.id":"rack-1"},)"
          R"({"prefect.resource.id":"dev-1",)" +
          node + R"("NetworkDevice"},)" + R"({"prefect.resource.id":"site-2",)" + node +
          R"("LocationSite"},)" + R"({"prefect.resource.id":"site-1",)" + node +
          R"("LocationSite"},)" + R"({"prefect.resource.id":"if-1",)" + node + R"("Interface"},)" +
          R"({"prefect.resource.id":"if-2",)" + node + R"("Interface"},)" +
          R"({"prefect.resource.id":"if-3",)" + node + R"("Interface"},)" +
          R"({"prefect.resource.id":"rack-1",)" + node + R"("Rack"})"));

  json payload = e.get_payload();
  std::vector<std::string> keys;
  for (const auto& [k, v] : payload.items())
    keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"kind", "node_id", "action", "changelog", "fields"});
  CHECK(payload["kind"] == "NetworkDevice");
  CHECK(payload["node_id"] == "dev-1");
  CHECK(payload["action"] == "updated");
  CHECK(payload["changelog"] == device_changelog().to_json());
  CHECK(payload["fields"] == json::array({"ip_address", "site"}));
}

TEST_CASE("Node event with its changelog left empty: the node's own") {
  // Infrahub builds the changelog from the node; one not given here is taken as the node's own.
  NodeCreatedEvent e{.meta = fixed_meta(), .kind = "NetworkDevice", .node_id = "dev-1"};
  CHECK(e.get_resource().get("infrahub.node.root_id") == "dev-1");
  const json changelog = e.get_payload()["changelog"];
  CHECK(changelog["node_id"] == "dev-1");
  CHECK(changelog["node_kind"] == "NetworkDevice");
  NodeChangelog expected = NodeChangelog{.node_id = "dev-1", .node_kind = "NetworkDevice"};
  CHECK(changelog.dump() == expected.to_json().dump());  // same members, same order
  // A changelog given is written as given, even one of another node (a parent's root wins).
  e.changelog = NodeChangelog{.node_id = "other", .node_kind = "Other"};
  CHECK(e.get_resource().get("infrahub.node.root_id") == "other");
  CHECK(e.get_payload()["changelog"]["node_id"] == "other");
  e.changelog = NodeChangelog{.parent = ChangelogRelatedNode{"rack-1", "Rack"}};
  CHECK(e.get_resource().get("infrahub.node.root_id") == "rack-1");
}

TEST_CASE("Python str() of attribute values in labels") {
  auto label = [](json value) {
    NodeChangelog log{.node_id = "n"};
    log.add_attribute({.name = "a", .value = value, .kind = "Any"});
    NodeMutatedEvent e{.meta = fixed_meta(),
                       .kind = "K",
                       .node_id = "n",
                       .action = MutationAction::created,
                       .changelog = log};
    return std::string(e.get_related()[4].get("infrahub.attribute.value"));
  };
  CHECK(label(true) == "True");
  CHECK(label(false) == "False");
  CHECK(label(42) == "42");
  CHECK(label(1.5) == "1.5");
  CHECK(label(2.0) == "2.0");
  CHECK(label(json::array({"a", 1})) == "['a', 1]");
  CHECK(label(json::parse(R"({"k": 1, "b": [true, null]})")) == "{'k': 1, 'b': [True, None]}");
  CHECK(label("plain text") == "plain text");
}

TEST_CASE("Node event names follow the action; undefined has none") {
  auto named = [](MutationAction action) {
    return std::string(NodeMutatedEvent{.meta = fixed_meta(), .action = action}.event_name());
  };
  CHECK(named(MutationAction::created) == "infrahub.node.created");
  CHECK(named(MutationAction::deleted) == "infrahub.node.deleted");
  CHECK_THROWS_AS(named(MutationAction::undefined), ValidationError);
  try {
    (void)NodeMutatedEvent{}.event_name();
  } catch (const ValidationError& err) {
    CHECK(err.field() == "action");
  }

  NodeCreatedEvent created{.meta = fixed_meta(), .kind = "K", .node_id = "n"};
  CHECK(created.action == MutationAction::created);
  CHECK(created.event_name() == "infrahub.node.created");
  CHECK(NodeUpdatedEvent{}.action == MutationAction::updated);
  CHECK(NodeDeletedEvent{}.event_name() == "infrahub.node.deleted");
  // No changelog given: the node's own (the case below), so root_id is node_id.
  CHECK(created.get_resource().get("infrahub.node.root_id") == "n");
}

TEST_CASE("Query and generator groups carry only the base related list") {
  for (std::string kind :
       {"CoreGraphQLQueryGroup", "CoreGeneratorGroup", "CoreGeneratorAwareGroup"}) {
    NodeUpdatedEvent e{
        .meta = fixed_meta(), .kind = kind, .node_id = "g", .changelog = device_changelog()};
    CHECK(dump(e.get_related()) == with_base(""));
    GroupMemberAddedEvent g{
        .meta = fixed_meta(), .kind = kind, .node_id = "g", .members = {{"m", "K"}}};
    CHECK(dump(g.get_related()) == with_base(""));
  }
}

TEST_CASE("The seed's triggers find what they match on") {
  // "By Node Kind", "By Branch", "By Attribute Change" and the IPAM example's parameters.
  NodeMutatedEvent e{.meta = fixed_meta(),
                     .kind = "NetworkDevice",
                     .node_id = "dev-1",
                     .action = MutationAction::created,
                     .changelog = device_changelog(),
                     .fields = {"name", "ip_address"}};
  Event wire = to_event(e);
  CHECK(wire.event == "infrahub.node.created");
  CHECK(wire.resource.get("infrahub.branch.name") == "main");
  CHECK(wire.resource.get("infrahub.node.kind") == "NetworkDevice");
  const RelatedResource* branch = wire.find_related("infrahub.branch");
  REQUIRE(branch);
  CHECK(branch->get("infrahub.resource.label") == "main");
  const RelatedResource* account = wire.find_related("infrahub.account");
  REQUIRE(account);
  CHECK(account->get("infrahub.resource.id") == "acc-1");
  const RelatedResource* ip = find_related(wire.related, "infrahub.node.attribute_update",
                                           "infrahub.attribute.name", "ip_address");
  REQUIRE(ip);
  CHECK(ip->get("infrahub.attribute.value") == "10.0.0.2/24");
  CHECK(wire.payload["data"]["node_id"] == "dev-1");
  CHECK(wire.payload["data"]["kind"] == "NetworkDevice");
  CHECK(wire.payload["data"]["changelog"]["display_label"] == "edge-1");
}

// --- group -----------------------------------------------------------------------------------

TEST_CASE("Group member events") {
  GroupMemberAddedEvent added{.meta = fixed_meta(),
                              .kind = "CoreStandardGroup",
                              .node_id = "g-1",
                              .members = {{"m-1", "Device"}, {"m-2", "Interface"}},
                              .ancestors = {{"g-0", "CoreStandardGroup"}}};
  CHECK(added.event_name() == "infrahub.group.member_added");
  CHECK(added.action == MutationAction::created);
  CHECK(
      dump(added.get_resource()) ==
      R"({"prefect.resource.id":"infrahub.node.g-1","infrahub.node.kind":"CoreStandardGroup",)"
      R"("infrahub.node.id":"g-1","infrahub.node.action":"created","infrahub.node.root_id":"g-1",)"
      R"("infrahub.branch.name":"main"})");
  CHECK(
      dump(added.get_related()) ==
      with_base(
          R"({"prefect.resource.id":"g-1","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"CoreStandardGroup"},)"
          R"({"prefect.resource.id":"g-1","prefect.resource.role":"infrahub.group.update","infrahub.node.kind":"CoreStandardGroup"},)"
          R"({"prefect.resource.id":"m-1","prefect.resource.role":"infrahub.group.member","infrahub.node.kind":"Device"},)"
          R"({"prefect.resource.id":"m-1","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"Device"},)"
          R"({"prefect.resource.id":"m-2","prefect.resource.role":"infrahub.group.member","infrahub.node.kind":"Interface"},)"
          R"({"prefect.resource.id":"m-2","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"Interface"},)"
          R"({"prefect.resource.id":"g-0","prefect.resource.role":"infrahub.group.ancestor","infrahub.node.kind":"CoreStandardGroup"},)"
          R"({"prefect.resource.id":"g-0","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"CoreStandardGroup"},)"
          R"({"prefect.resource.id":"g-0","prefect.resource.role":"infrahub.group.update","infrahub.node.kind":"CoreStandardGroup"})"));
  CHECK(added.get_payload().dump() ==
        R"({"kind":"CoreStandardGroup","node_id":"g-1","action":"created",)"
        R"("members":[{"id":"m-1","kind":"Device"},{"id":"m-2","kind":"Interface"}],)"
        R"("ancestors":[{"id":"g-0","kind":"CoreStandardGroup"}]})");

  GroupMemberRemovedEvent removed{
      .meta = fixed_meta(), .kind = "CoreStandardGroup", .node_id = "g-1"};
  CHECK(removed.event_name() == "infrahub.group.member_removed");
  CHECK(removed.get_resource().get("infrahub.node.action") == "deleted");
  CHECK(removed.get_payload()["members"] == json::array());
}

// --- branch, schema, repository --------------------------------------------------------------

TEST_CASE("Branch events") {
  BranchCreatedEvent created{
      .meta = fixed_meta(), .branch_name = "feature-1", .branch_id = "bid", .sync_with_git = true};
  CHECK(created.event_name() == "infrahub.branch.created");
  const std::string resource =
      R"({"prefect.resource.id":"infrahub.branch.feature-1","infrahub.branch.id":"bid",)"
      R"("infrahub.branch.name":"feature-1"})";
  CHECK(dump(created.get_resource()) == resource);
  CHECK(dump(created.get_related()) == with_base(""));
  CHECK(created.get_payload().dump() ==
        R"({"branch_name":"feature-1","branch_id":"bid","sync_with_git":true})");

  BranchDeletedEvent deleted{.meta = fixed_meta(), .branch_name = "feature-1", .branch_id = "bid"};
  CHECK(deleted.event_name() == "infrahub.branch.deleted");
  CHECK(dump(deleted.get_resource()) == resource);
  CHECK(deleted.get_payload().dump() ==
        R"({"branch_name":"feature-1","branch_id":"bid","sync_with_git":false})");

  BranchMergedEvent merged{.meta = fixed_meta(),
                           .branch_name = "feature-1",
                           .branch_id = "bid",
                           .proposed_change_id = "pc-1"};
  CHECK(merged.event_name() == "infrahub.branch.merged");
  CHECK(dump(merged.get_resource()) == resource);
  CHECK(
      dump(merged.get_related()) ==
      with_base(R"({"prefect.resource.id":"pc-1","prefect.resource.role":"infrahub.related.node",)"
                R"("infrahub.node.kind":"CoreProposedChange"})"));
  CHECK(merged.get_payload().dump() ==
        R"({"branch_name":"feature-1","branch_id":"bid","proposed_change_id":"pc-1"})");
  merged.proposed_change_id.reset();
  CHECK(dump(merged.get_related()) == with_base(""));
  CHECK(merged.get_payload()["proposed_change_id"].is_null());

  BranchRebasedEvent rebased{.meta = fixed_meta(), .branch_id = "bid", .branch_name = "feature-1"};
  CHECK(rebased.event_name() == "infrahub.branch.rebased");
  CHECK(dump(rebased.get_resource()) == resource);
  CHECK(rebased.get_payload().dump() == R"({"branch_id":"bid","branch_name":"feature-1"})");
  BranchMigratedEvent migrated{
      .meta = fixed_meta(), .branch_id = "bid", .branch_name = "feature-1"};
  CHECK(migrated.event_name() == "infrahub.branch.migrated");
  CHECK(dump(migrated.get_resource()) == resource);
  CHECK(dump(migrated.get_related()) == with_base(""));
}

TEST_CASE("Schema events") {
  SchemaUpdatedEvent updated{.meta = fixed_meta(), .branch_name = "main", .schema_hash = "h1"};
  CHECK(updated.event_name() == "infrahub.schema.updated");
  CHECK(dump(updated.get_resource()) ==
        R"({"prefect.resource.id":"infrahub.schema_branch.main","infrahub.branch.name":"main",)"
        R"("infrahub.branch.schema_hash":"h1"})");
  CHECK(dump(updated.get_related()) == with_base(""));
  CHECK(updated.get_payload().dump() == R"({"branch_name":"main","schema_hash":"h1"})");
  SchemaValidatedEvent validated{.meta = fixed_meta(), .branch_name = "b2", .schema_hash = "h2"};
  CHECK(validated.event_name() == "infrahub.schema.validated");
  CHECK(validated.get_resource().id() == "infrahub.schema_branch.b2");
}

TEST_CASE("Repository events") {
  CommitUpdatedEvent commit{.meta = fixed_meta(),
                            .commit = "abc123",
                            .repository_id = "r-1",
                            .repository_name = "infra-config"};
  CHECK(commit.event_name() == "infrahub.repository.update_commit");
  const std::string resource =
      R"({"prefect.resource.id":"infrahub.repository.r-1","infrahub.repository.name":"infra-config",)"
      R"("infrahub.repository.id":"r-1","infrahub.branch.name":"main"})";
  CHECK(dump(commit.get_resource()) == resource);
  CHECK(dump(commit.get_related()) == with_base(""));
  CHECK(commit.get_payload().dump() ==
        R"({"commit":"abc123","repository_id":"r-1","repository_name":"infra-config"})");

  RepositoryCreatedEvent created{
      .meta = fixed_meta(), .repository_id = "r-1", .repository_name = "infra-config"};
  CHECK(created.event_name() == "infrahub.repository.created");
  CHECK(dump(created.get_resource()) == resource);
  CHECK(created.get_payload().dump() ==
        R"({"repository_id":"r-1","repository_name":"infra-config"})");
  CHECK(RepositoryUpdatedEvent{}.event_name() == "infrahub.repository.updated");
  CHECK(RepositoryDeletedEvent{}.event_name() == "infrahub.repository.deleted");
}

// --- artifact, generator, validator ----------------------------------------------------------

TEST_CASE("Artifact events") {
  ArtifactUpdatedEvent e{.meta = fixed_meta(),
                         .node_id = "art-1",
                         .artifact_definition_id = "def-1",
                         .target_id = "dev-1",
                         .target_kind = "NetworkDevice",
                         .checksum = "c2",
                         .checksum_previous = "c1",
                         .storage_id = "s2"};
  CHECK(e.event_name() == "infrahub.artifact.updated");
  CHECK(
      dump(e.get_resource()) ==
      R"({"prefect.resource.id":"art-1","infrahub.node.kind":"CoreArtifact","infrahub.node.id":"art-1",)"
      R"("infrahub.branch.name":"main"})");
  CHECK(
      dump(e.get_related()) ==
      with_base(
          R"({"prefect.resource.id":"dev-1","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"NetworkDevice"},)"
          R"({"prefect.resource.id":"dev-1","prefect.resource.role":"infrahub.artifact",)"
          R"("infrahub.artifact.checksum":"c2","infrahub.artifact.checksum_previous":"c1",)"
          R"("infrahub.artifact.storage_id":"s2","infrahub.artifact.storage_id_previous":"",)"
          R"("infrahub.artifact.artifact_definition_id":"def-1"})"));
  CHECK(
      e.get_payload().dump() ==
      R"({"node_id":"art-1","artifact_definition_id":"def-1","target_id":"dev-1",)"
      R"("target_kind":"NetworkDevice","checksum":"c2","checksum_previous":"c1","storage_id":"s2",)"
      R"("storage_id_previous":null})");
  CHECK(ArtifactCreatedEvent{}.event_name() == "infrahub.artifact.created");
  CHECK(ArtifactGeneratedEvent{}.event_name() == "infrahub.artifact.generated");
}

TEST_CASE("Generator events (seed), designed as the artifact sibling") {
  GeneratorExecutedEvent e{.meta = fixed_meta(),
                           .node_id = "gi-1",
                           .generator_definition_id = "gd-1",
                           .target_id = "dev-1",
                           .target_kind = "NetworkDevice"};
  CHECK(e.event_name() == "infrahub.generator.executed");
  CHECK(dump(e.get_resource()) ==
        R"({"prefect.resource.id":"gi-1","infrahub.node.kind":"CoreGeneratorInstance",)"
        R"("infrahub.node.id":"gi-1","infrahub.branch.name":"main"})");
  CHECK(
      dump(e.get_related()) ==
      with_base(
          R"({"prefect.resource.id":"dev-1","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"NetworkDevice"},)"
          R"({"prefect.resource.id":"dev-1","prefect.resource.role":"infrahub.generator",)"
          R"("infrahub.generator.generator_definition_id":"gd-1"})"));
  CHECK(
      e.get_payload().dump() ==
      R"({"node_id":"gi-1","generator_definition_id":"gd-1","target_id":"dev-1","target_kind":"NetworkDevice"})");
  CHECK(GeneratorCompletedEvent{}.event_name() == "infrahub.generator.completed");
}

TEST_CASE("Validator events") {
  ValidatorFailedEvent e{.meta = fixed_meta(),
                         .node_id = "v-1",
                         .kind = "CoreDataValidator",
                         .proposed_change_id = "pc-1"};
  CHECK(e.event_name() == "infrahub.validator.failed");
  CHECK(
      dump(e.get_resource()) ==
      R"({"prefect.resource.id":"v-1","infrahub.node.kind":"CoreDataValidator","infrahub.node.id":"v-1",)"
      R"("infrahub.branch.name":"main"})");
  CHECK(
      dump(e.get_related()) ==
      with_base(R"({"prefect.resource.id":"pc-1","prefect.resource.role":"infrahub.related.node",)"
                R"("infrahub.node.kind":"CoreProposedChange"})"));
  CHECK(e.get_payload().dump() ==
        R"({"node_id":"v-1","kind":"CoreDataValidator","proposed_change_id":"pc-1"})");
  CHECK(ValidatorStartedEvent{}.event_name() == "infrahub.validator.started");
  CHECK(ValidatorPassedEvent{}.event_name() == "infrahub.validator.passed");
  CHECK(ValidatorCreatedEvent{}.event_name() == "infrahub.validator.created");
  CHECK(ValidatorCompletedEvent{}.event_name() == "infrahub.validator.completed");
}

// --- proposed change -------------------------------------------------------------------------

namespace {
const std::string pc_resource =
    R"("prefect.resource.id":"infrahub.proposed_change.pc-1","infrahub.node.kind":"CoreProposedChange",)"
    R"("infrahub.node.id":"pc-1","infrahub.proposed_change.name":"add-dc","infrahub.proposed_change.state":"open",)"
    R"("infrahub.branch.name":"main")";
const std::string pc_payload =
    R"("proposed_change_id":"pc-1","proposed_change_name":"add-dc","proposed_change_state":"open")";

std::string account(const std::string& id, const std::string& label, const std::string& name) {
  return R"({"prefect.resource.id":")" + id +
         R"(","prefect.resource.role":"infrahub.related.node","infrahub.node.kind":"CoreGenericAccount",)"
         R"("infrahub.node.id":")" +
         id + R"(",")" + label + R"(":")" + name + R"("})";
}
}  // namespace

TEST_CASE("Proposed change events (seed created / updated / closed)") {
  ProposedChangeCreatedEvent e{.meta = fixed_meta(),
                               .proposed_change_id = "pc-1",
                               .proposed_change_name = "add-dc",
                               .proposed_change_state = "open"};
  CHECK(e.event_name() == "infrahub.proposed_change.created");
  CHECK(dump(e.get_resource()) == "{" + pc_resource + "}");
  CHECK(dump(e.get_related()) == with_base(""));
  CHECK(e.get_payload().dump() == "{" + pc_payload + "}");
  CHECK(ProposedChangeUpdatedEvent{}.event_name() == "infrahub.proposed_change.updated");
  CHECK(ProposedChangeClosedEvent{}.event_name() == "infrahub.proposed_change.closed");
}

TEST_CASE("Proposed change merged and review requested") {
  ProposedChangeMergedEvent merged{.meta = fixed_meta(),
                                   .proposed_change_id = "pc-1",
                                   .proposed_change_name = "add-dc",
                                   .proposed_change_state = "open",
                                   .merged_by_account_id = "acc-2",
                                   .merged_by_account_name = "alice"};
  CHECK(merged.event_name() == "infrahub.proposed_change.merged");
  CHECK(dump(merged.get_resource()) ==
        "{" + pc_resource +
            R"(,"infrahub.proposed_change.merged_by_account_id":"acc-2",)"
            R"("infrahub.proposed_change.merged_by_account_name":"alice"})");
  CHECK(dump(merged.get_related()) ==
        with_base(account("acc-2", "infrahub.merged_by.account.name", "alice")));
  CHECK(merged.get_payload().dump() ==
        "{" + pc_payload + R"(,"merged_by_account_id":"acc-2","merged_by_account_name":"alice"})");

  ProposedChangeReviewRequestedEvent requested{.meta = fixed_meta(),
                                               .proposed_change_id = "pc-1",
                                               .proposed_change_name = "add-dc",
                                               .proposed_change_state = "open",
                                               .requested_by_account_id = "acc-3",
                                               .requested_by_account_name = "bob"};
  CHECK(requested.event_name() == "infrahub.proposed_change.review_requested");
  CHECK(dump(requested.get_resource()) == "{" + pc_resource + "}");
  CHECK(dump(requested.get_related()) ==
        with_base(account("acc-3", "infrahub.requested_by.account.name", "bob")));
  CHECK(requested.get_payload().dump() ==
        "{" + pc_payload +
            R"(,"requested_by_account_id":"acc-3","requested_by_account_name":"bob"})");
}

TEST_CASE("Proposed change reviews and revocations") {
  ProposedChangeApprovedEvent approved{.meta = fixed_meta(),
                                       .proposed_change_id = "pc-1",
                                       .proposed_change_name = "add-dc",
                                       .proposed_change_state = "open",
                                       .reviewer_account_id = "acc-4",
                                       .reviewer_account_name = "carol",
                                       .reviewer_decision = "approve"};
  CHECK(approved.event_name() == "infrahub.proposed_change.approved");
  CHECK(dump(approved.get_resource()) ==
        "{" + pc_resource + R"(,"infrahub.proposed_change.reviewer_decision":"approve"})");
  CHECK(dump(approved.get_related()) ==
        with_base(account("acc-4", "infrahub.reviewer.account.name", "carol")));
  CHECK(
      approved.get_payload().dump() ==
      "{" + pc_payload +
          R"(,"reviewer_account_id":"acc-4","reviewer_account_name":"carol","reviewer_decision":"approve"})");
  CHECK(ProposedChangeRejectedEvent{}.event_name() == "infrahub.proposed_change.rejected");

  ProposedChangeRejectionRevokedEvent revoked{.meta = fixed_meta(),
                                              .proposed_change_id = "pc-1",
                                              .proposed_change_name = "add-dc",
                                              .proposed_change_state = "open",
                                              .reviewer_account_id = "acc-4",
                                              .reviewer_account_name = "carol",
                                              .reviewer_former_decision = "reject"};
  CHECK(revoked.event_name() == "infrahub.proposed_change.rejection_revoked");
  CHECK(dump(revoked.get_resource()) ==
        "{" + pc_resource + R"(,"infrahub.proposed_change.reviewer_former_decision":"reject"})");
  CHECK(dump(revoked.get_related()) ==
        with_base(account("acc-4", "infrahub.reviewer.account.name", "carol")));
  CHECK(
      revoked.get_payload().dump() ==
      "{" + pc_payload +
          R"(,"reviewer_account_id":"acc-4","reviewer_account_name":"carol","reviewer_former_decision":"reject"})");
  CHECK(ProposedChangeApprovalRevokedEvent{}.event_name() ==
        "infrahub.proposed_change.approval_revoked");

  ProposedChangeApprovalsRevokedEvent all{
      .meta = fixed_meta(),
      .proposed_change_id = "pc-1",
      .proposed_change_name = "add-dc",
      .proposed_change_state = "open",
      .reviewer_accounts = {{"acc-5", "dave"}, {"acc-4", "carol"}}};
  CHECK(all.event_name() == "infrahub.proposed_change.approvals_revoked");
  CHECK(dump(all.get_resource()) == "{" + pc_resource + "}");
  CHECK(dump(all.get_related()) ==
        with_base(account("acc-5", "infrahub.reviewer.account.name", "dave") + "," +
                  account("acc-4", "infrahub.reviewer.account.name", "carol")));
  CHECK(all.get_payload().dump() ==
        "{" + pc_payload + R"(,"reviewer_accounts":{"acc-5":"dave","acc-4":"carol"}})");
}

TEST_CASE("Proposed change thread events") {
  ProposedChangeThreadCreatedEvent e{.meta = fixed_meta(),
                                     .proposed_change_id = "pc-1",
                                     .proposed_change_name = "add-dc",
                                     .proposed_change_state = "open",
                                     .thread_id = "t-1",
                                     .thread_kind = "CoreChangeThread"};
  CHECK(e.event_name() == "infrahub.proposed_change_thread.created");
  CHECK(dump(e.get_resource()) == "{" + pc_resource + "}");
  CHECK(dump(e.get_related()) ==
        with_base(R"({"prefect.resource.id":"t-1","prefect.resource.role":"infrahub.related.node",)"
                  R"("infrahub.node.kind":"CoreChangeThread","infrahub.node.id":"t-1"})"));
  CHECK(e.get_payload().dump() ==
        "{" + pc_payload +
            R"(,"thread_id":"t-1","thread_kind":"CoreChangeThread","action":"created"})");
  ProposedChangeThreadUpdatedEvent updated{};
  CHECK(updated.event_name() == "infrahub.proposed_change_thread.updated");
  CHECK(updated.action == MutationAction::updated);
}

// --- account ---------------------------------------------------------------------------------

TEST_CASE("Account events") {
  auto when = eventwire::parse_timestamp("2025-01-02T03:04:05.000006Z");
  AccountLoggedInEvent in{.meta = fixed_meta(),
                          .kind = "CoreAccount",
                          .account_id = "acc-1",
                          .account_name = "admin",
                          .account_type = "User",
                          .auth_method = "password",
                          .session_id = "s-1",
                          .groups = {{"grp-1", "admins"}},
                          .roles = {{"role-1", "super"}},
                          .client_ip = "10.1.1.1",
                          .timestamp = when};
  CHECK(in.event_name() == "infrahub.account.logged_in");
  CHECK(
      dump(in.get_resource()) ==
      R"({"prefect.resource.id":"infrahub.account.acc-1","infrahub.account.kind":"CoreAccount",)"
      R"("infrahub.node.id":"acc-1","infrahub.node.kind":"CoreAccount","infrahub.account.account_id":"acc-1",)"
      R"("infrahub.account.account_name":"admin","infrahub.account.account_type":"User",)"
      R"("infrahub.account.auth_method":"password","infrahub.account.session_id":"s-1",)"
      R"("infrahub.account.timestamp":"2025-01-02T03:04:05.000006+00:00",)"
      R"("infrahub.account.client_ip":"10.1.1.1"})");
  CHECK(dump(in.get_related()) ==
        with_base(
            R"({"prefect.resource.id":"grp-1","prefect.resource.role":"infrahub.related.node",)"
            R"("infrahub.node.kind":"CoreAccountGroup","infrahub.node.name":"admins"},)"
            R"({"prefect.resource.id":"role-1","prefect.resource.role":"infrahub.related.node",)"
            R"("infrahub.node.kind":"CoreAccountRole","infrahub.node.name":"super"})"));
  CHECK(
      in.get_payload().dump() ==
      R"({"kind":"CoreAccount","account_id":"acc-1","account_name":"admin","account_type":"User",)"
      R"("auth_method":"password","session_id":"s-1","groups":[{"grp-1":"admins"}],)"
      R"("roles":[{"role-1":"super"}],"sso_provider":null,"client_ip":"10.1.1.1","user_agent":null,)"
      R"("timestamp":"2025-01-02T03:04:05.000006Z"})");

  AccountLoggedOutEvent out{.meta = fixed_meta(),
                            .kind = "CoreAccount",
                            .account_id = "acc-1",
                            .account_name = "admin",
                            .session_id = "s-1",
                            .user_agent = "curl/8",
                            .timestamp = eventwire::parse_timestamp("2025-01-02T03:04:05Z")};
  CHECK(out.event_name() == "infrahub.account.logged_out");
  CHECK(
      dump(out.get_resource()) ==
      R"({"prefect.resource.id":"infrahub.account.acc-1","infrahub.node.id":"acc-1",)"
      R"("infrahub.node.kind":"CoreAccount","infrahub.account.kind":"CoreAccount",)"
      R"("infrahub.account.account_id":"acc-1","infrahub.account.account_name":"admin",)"
      R"("infrahub.account.session_id":"s-1","infrahub.account.logout_type":"user_initiated",)"
      R"("infrahub.account.timestamp":"2025-01-02T03:04:05+00:00","infrahub.account.user_agent":"curl/8"})");
  CHECK(dump(out.get_related()) == with_base(""));
  CHECK(out.get_payload().dump() ==
        R"({"kind":"CoreAccount","account_id":"acc-1","account_name":"admin","session_id":"s-1",)"
        R"("logout_type":"user_initiated","client_ip":null,"user_agent":"curl/8",)"
        R"("timestamp":"2025-01-02T03:04:05Z"})");
}

// --- any event -------------------------------------------------------------------------------

TEST_CASE("get_event_payload: data and the context recording this event") {
  SchemaUpdatedEvent e{.meta = fixed_meta(), .branch_name = "main", .schema_hash = "h1"};
  CHECK(
      get_event_payload(e).dump() ==
      R"({"data":{"branch_name":"main","schema_hash":"h1"},"context":{)"
      R"("branch":{"name":"main","id":"b-uuid"},)"
      R"("account":{"authenticated":true,"account_id":"acc-1","session_id":null,"role":"read-only","auth_type":"jwt"},)"
      R"("event":{"name":"infrahub.schema.updated","id":"0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f",)"
      R"("parent_id":null,"ancestors":[]}}})");
  // A meta not made from a context does not record the event.
  SchemaUpdatedEvent dummy{.meta = EventMeta::with_dummy_context({.name = "main", .id = "b"})};
  CHECK(get_event_payload(dummy)["context"]["event"].is_null());
}

TEST_CASE("from_parent across typed events: level, parent, ancestors, context") {
  NodeCreatedEvent parent{.meta = fixed_meta(),
                          .kind = "NetworkDevice",
                          .node_id = "dev-1",
                          .changelog = {.node_id = "dev-1"}};
  ArtifactGeneratedEvent child{.meta = EventMeta::from_parent(parent),
                               .node_id = "art-1",
                               .artifact_definition_id = "def-1",
                               .target_id = "dev-1",
                               .target_kind = "NetworkDevice",
                               .checksum = "c",
                               .storage_id = "s"};
  CHECK(parent.meta.has_children);
  CHECK(child.meta.level == 1);
  REQUIRE(child.meta.parent);
  CHECK(*child.meta.parent == parent.meta.id);
  CHECK(child.meta.ancestors ==
        std::vector<eventwire::ParentEvent>{{event_id, "infrahub.node.created"}});
  // The parent's related now says it has children.
  CHECK(parent.get_related()[1].get("infrahub.event.has_children") == "true");

  // The child's related: base with level 1, then child_event and ancestor_event.
  auto related = child.get_related();
  CHECK(related[1].get("infrahub.event.level") == "1");
  CHECK(related[1].get("infrahub.event.has_children") == "false");
  CHECK(
      dump({related[4], related[5]}) ==
      "["
      R"({"prefect.resource.id":")" +
          child.meta.get_id() +
          R"(","prefect.resource.role":"infrahub.child_event","infrahub.event_parent.id":")" +
          event_id + R"("},{"prefect.resource.id":")" + event_id +
          R"(","prefect.resource.role":"infrahub.ancestor_event","infrahub.ancestor_event.name":"infrahub.node.created"}])");

  // The child's context is the parent's copy, the parent's event recorded in it.
  json context = get_event_payload(child)["context"];
  CHECK(context["event"]["name"] == "infrahub.node.created");
  CHECK(context["event"]["id"] == event_id);
  CHECK(context["branch"]["name"] == "main");

  // A grandchild, on another branch.
  ValidatorStartedEvent grandchild{
      .meta = EventMeta::from_parent(child, eventwire::Branch{.name = "b2", .id = "b2-uuid"}),
      .node_id = "v-1",
      .kind = "CoreArtifactValidator",
      .proposed_change_id = "pc-1"};
  CHECK(child.meta.has_children);
  CHECK(grandchild.meta.level == 2);
  CHECK(grandchild.meta.ancestors ==
        std::vector<eventwire::ParentEvent>{{child.meta.get_id(), "infrahub.artifact.generated"},
                                            {event_id, "infrahub.node.created"}});
  CHECK(grandchild.get_resource().get("infrahub.branch.name") == "b2");
  CHECK(grandchild.get_related()[3].get("infrahub.resource.label") == "b2");
  check_wire(grandchild);
}

TEST_CASE("Every event type validates and round-trips through Event::parse") {
  auto meta = fixed_meta;
  auto events = std::make_tuple(
      NodeMutatedEvent{.meta = meta(),
                       .kind = "K",
                       .node_id = "n",
                       .action = MutationAction::updated,
                       .changelog = device_changelog()},
      NodeCreatedEvent{.meta = meta(), .kind = "K", .node_id = "n"},
      NodeUpdatedEvent{.meta = meta(), .kind = "K", .node_id = "n"},
      NodeDeletedEvent{.meta = meta(), .kind = "K", .node_id = "n"},
      GroupMemberAddedEvent{.meta = meta(), .kind = "G", .node_id = "g", .members = {{"m", "K"}}},
      GroupMemberRemovedEvent{.meta = meta(), .kind = "G", .node_id = "g"},
      BranchCreatedEvent{.meta = meta(), .branch_name = "b", .branch_id = "i"},
      BranchDeletedEvent{.meta = meta(), .branch_name = "b", .branch_id = "i"},
      BranchMergedEvent{
          .meta = meta(), .branch_name = "b", .branch_id = "i", .proposed_change_id = "p"},
      BranchRebasedEvent{.meta = meta(), .branch_id = "i", .branch_name = "b"},
      BranchMigratedEvent{.meta = meta(), .branch_id = "i", .branch_name = "b"},
      SchemaUpdatedEvent{.meta = meta(), .branch_name = "b", .schema_hash = "h"},
      SchemaValidatedEvent{.meta = meta(), .branch_name = "b", .schema_hash = "h"},
      CommitUpdatedEvent{
          .meta = meta(), .commit = "c", .repository_id = "r", .repository_name = "n"},
      RepositoryCreatedEvent{.meta = meta(), .repository_id = "r", .repository_name = "n"},
      RepositoryUpdatedEvent{.meta = meta(), .repository_id = "r", .repository_name = "n"},
      RepositoryDeletedEvent{.meta = meta(), .repository_id = "r", .repository_name = "n"},
      ArtifactCreatedEvent{.meta = meta(), .node_id = "a", .target_id = "t", .target_kind = "K"},
      ArtifactUpdatedEvent{.meta = meta(), .node_id = "a", .target_id = "t", .target_kind = "K"},
      ArtifactGeneratedEvent{.meta = meta(), .node_id = "a", .target_id = "t", .target_kind = "K"},
      GeneratorExecutedEvent{.meta = meta(), .node_id = "g", .target_id = "t", .target_kind = "K"},
      GeneratorCompletedEvent{.meta = meta(), .node_id = "g", .target_id = "t", .target_kind = "K"},
      ValidatorStartedEvent{.meta = meta(), .node_id = "v", .kind = "K", .proposed_change_id = "p"},
      ValidatorPassedEvent{.meta = meta(), .node_id = "v", .kind = "K", .proposed_change_id = "p"},
      ValidatorFailedEvent{.meta = meta(), .node_id = "v", .kind = "K", .proposed_change_id = "p"},
      ValidatorCreatedEvent{.meta = meta(), .node_id = "v", .kind = "K", .proposed_change_id = "p"},
      ValidatorCompletedEvent{
          .meta = meta(), .node_id = "v", .kind = "K", .proposed_change_id = "p"},
      ProposedChangeCreatedEvent{.meta = meta(), .proposed_change_id = "p"},
      ProposedChangeUpdatedEvent{.meta = meta(), .proposed_change_id = "p"},
      ProposedChangeClosedEvent{.meta = meta(), .proposed_change_id = "p"},
      ProposedChangeMergedEvent{
          .meta = meta(), .proposed_change_id = "p", .merged_by_account_id = "a"},
      ProposedChangeReviewRequestedEvent{
          .meta = meta(), .proposed_change_id = "p", .requested_by_account_id = "a"},
      ProposedChangeApprovedEvent{
          .meta = meta(), .proposed_change_id = "p", .reviewer_account_id = "a"},
      ProposedChangeRejectedEvent{
          .meta = meta(), .proposed_change_id = "p", .reviewer_account_id = "a"},
      ProposedChangeApprovalRevokedEvent{
          .meta = meta(), .proposed_change_id = "p", .reviewer_account_id = "a"},
      ProposedChangeRejectionRevokedEvent{
          .meta = meta(), .proposed_change_id = "p", .reviewer_account_id = "a"},
      ProposedChangeApprovalsRevokedEvent{
          .meta = meta(), .proposed_change_id = "p", .reviewer_accounts = {{"a", "n"}}},
      ProposedChangeThreadCreatedEvent{
          .meta = meta(), .proposed_change_id = "p", .thread_id = "t", .thread_kind = "K"},
      ProposedChangeThreadUpdatedEvent{
          .meta = meta(), .proposed_change_id = "p", .thread_id = "t", .thread_kind = "K"},
      AccountLoggedInEvent{
          .meta = meta(), .kind = "CoreAccount", .account_id = "a", .groups = {{"g", "n"}}},
      AccountLoggedOutEvent{.meta = meta(), .kind = "CoreAccount", .account_id = "a"});
  static_assert(std::tuple_size_v<decltype(events)> == 41);  // 40 names, node.updated twice
  std::set<std::string> seen;
  std::apply(
      [&](const auto&... e) {
        (
            [&] {
              static_assert(InfrahubEvent<std::decay_t<decltype(e)>>);
              INFO(e.event_name());
              check_wire(e);
              seen.insert(std::string(e.event_name()));
            }(),
            ...);
      },
      events);
  CHECK(seen.size() == all_event_names().size());
}

TEST_CASE("to_event carries the meta id, the name and the payload") {
  BranchRebasedEvent e{.meta = fixed_meta(), .branch_id = "i", .branch_name = "b"};
  Event wire = to_event(e);
  CHECK(wire.id.to_string() == event_id);
  CHECK(wire.event == "infrahub.branch.rebased");
  CHECK(wire.resource == e.get_resource());
  CHECK(wire.related == e.get_related());
  CHECK(wire.payload["data"] == e.get_payload());
  CHECK(wire.payload["context"]["event"]["name"] == "infrahub.branch.rebased");
  CHECK_FALSE(wire.follows);
}
