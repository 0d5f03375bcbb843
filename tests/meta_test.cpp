#include "eventwire/meta.hpp"

#include <catch2/catch.hpp>

#include "eventwire/error.hpp"
#include "eventwire/version.hpp"

using eventwire::AccountSession;
using eventwire::AuthType;
using eventwire::Branch;
using eventwire::EventMeta;
using eventwire::InfrahubContext;
using eventwire::json;
using eventwire::RelatedResource;

namespace {

const Branch main_branch{.name = "main", .id = "7a0e3c1e-0000-4000-8000-000000000001"};
const Branch feature_branch{.name = "feature-1", .id = "7a0e3c1e-0000-4000-8000-000000000002"};

InfrahubContext request_context() {
  return InfrahubContext::init(main_branch,
                               AccountSession{.account_id = "acc-1", .auth_type = AuthType::api});
}

// A stand-in typed event: what from_parent needs of one (meta + event_name()).
struct FakeEvent {
  EventMeta meta{};
  std::string name = "infrahub.node.created";
  std::string_view event_name() const { return name; }
};

json related_json(const std::vector<RelatedResource>& related) {
  json out = json::array();
  for (const auto& r : related) {
    json labels = json::object();
    for (const auto& [k, v] : r)
      labels[k] = v;
    out.push_back(labels);
  }
  return out;
}

}  // namespace

TEST_CASE("InfrahubContext::init and to_event write Infrahub's context block") {
  InfrahubContext ctx = request_context();
  CHECK(ctx.branch.name == "main");
  CHECK(ctx.branch.id == main_branch.id);
  CHECK_FALSE(ctx.event);
  json expected = json::parse(R"({
    "branch": {"name": "main", "id": "7a0e3c1e-0000-4000-8000-000000000001"},
    "account": {"authenticated": true, "account_id": "acc-1", "session_id": null,
                "role": "read-only", "auth_type": "api"},
    "event": null})");
  CHECK(ctx.to_event() == expected);
  ctx.set_event("infrahub.node.created", "e1");
  ctx.event->parent_id = "p0";
  ctx.set_event("infrahub.node.updated", "e2");  // keeps parent_id, replaces name and id
  CHECK(
      ctx.to_event()["event"] ==
      json::parse(
          R"({"name": "infrahub.node.updated", "id": "e2", "parent_id": "p0", "ancestors": []})"));
}

TEST_CASE("InfrahubContext::from_json reads back to_event, and both payload layouts") {
  InfrahubContext ctx = request_context();
  ctx.set_event("infrahub.branch.created", "e1");
  ctx.event->ancestors = {{"a1", "infrahub.node.created"}};
  CHECK(InfrahubContext::from_json(ctx.to_event()) == ctx);
  // Infrahub >= 1.10 carries account_id at the top of the context block.
  auto v110 = InfrahubContext::from_json(
      json::parse(R"({"branch": {"name": "b"}, "account_id": "acc-9"})"));
  CHECK(v110.account.account_id == "acc-9");
  CHECK_FALSE(v110.branch.id);
  CHECK_THROWS_WITH(InfrahubContext::from_json(json::parse(R"({"branch": {"id": "x"}})")),
                    "context.branch.name: is required");
  CHECK_THROWS_AS(InfrahubContext::from_json(json::array()), eventwire::ValidationError);
  CHECK_THROWS_WITH(InfrahubContext::from_json(json::parse(R"({"branch": {"name": 3}})")),
                    "context.branch.name: must be a string, got int");
}

TEST_CASE("EventMeta::get_related lists Infrahub's base entries in Infrahub's order") {
  eventwire::set_reported_version("1.2.3");
  EventMeta meta = EventMeta::from_context(request_context());
  meta.id = eventwire::Uuid::parse("01900000-0000-7000-8000-000000000001");
  json expected = json::parse(R"([
    {"prefect.resource.id": "1.2.3", "prefect.resource.role": "infrahub.version"},
    {"prefect.resource.id": "01900000-0000-7000-8000-000000000001", "prefect.resource.role": "infrahub.event",
     "infrahub.event.has_children": "false", "infrahub.event.level": "0"},
    {"prefect.resource.id": "infrahub.account.acc-1", "prefect.resource.role": "infrahub.account",
     "infrahub.resource.id": "acc-1"},
    {"prefect.resource.id": "infrahub.branch.7a0e3c1e-0000-4000-8000-000000000001",
     "prefect.resource.role": "infrahub.branch",
     "infrahub.resource.id": "7a0e3c1e-0000-4000-8000-000000000001", "infrahub.resource.label": "main"}])");
  CHECK(related_json(meta.get_related()) == expected);
  eventwire::set_reported_version(eventwire::version_string);
}

TEST_CASE("from_context copies the context, overrides the branch, and records the event") {
  InfrahubContext ctx = request_context();
  EventMeta meta = EventMeta::from_context(ctx, feature_branch);
  CHECK(meta.created_with_context);
  CHECK(meta.level == 0);
  CHECK_FALSE(meta.parent);
  CHECK(meta.context.branch.name == "feature-1");
  CHECK(meta.context.branch.id == feature_branch.id);
  CHECK(ctx.branch.name == "main");  // a copy: the caller's context is untouched
  CHECK(meta.get_branch_id() == feature_branch.id);
  auto reported = meta.context_for("infrahub.node.created");
  REQUIRE(reported.event);
  CHECK(reported.event->name == "infrahub.node.created");
  CHECK(reported.event->id == meta.get_id());
  CHECK(meta.initiator_id == eventwire::worker_identity());
}

TEST_CASE(
    "from_parent propagates level, parent, ancestors and marks the parent (seed: context "
    "propagation)") {
  FakeEvent root{.meta = EventMeta::from_context(request_context())};
  root.meta.request_id = "req-1";
  root.meta.account_id = "acc-1";
  FakeEvent child{.meta = EventMeta::from_parent(root), .name = "infrahub.artifact.generated"};
  CHECK(root.meta.has_children);
  CHECK(child.meta.parent == root.meta.id);
  CHECK(child.meta.level == 1);
  CHECK(child.meta.request_id == "req-1");
  CHECK(child.meta.account_id == "acc-1");
  CHECK(child.meta.initiator_id == root.meta.initiator_id);
  REQUIRE(child.meta.ancestors.size() == 1);
  CHECK(child.meta.ancestors[0] ==
        eventwire::ParentEvent{root.meta.get_id(), "infrahub.node.created"});
  CHECK_FALSE(child.meta.created_with_context);
  CHECK(child.meta.id != root.meta.id);
  // The child's context is the parent's, with the parent's event recorded in it.
  auto child_ctx = child.meta.context_for(child.event_name());
  REQUIRE(child_ctx.event);
  CHECK(child_ctx.event->name == "infrahub.node.created");
  CHECK(child_ctx.event->id == root.meta.get_id());

  FakeEvent grandchild{.meta = EventMeta::from_parent(child, feature_branch),
                       .name = "infrahub.node.updated"};
  CHECK(child.meta.has_children);
  CHECK(grandchild.meta.level == 2);
  CHECK(grandchild.meta.parent == child.meta.id);
  REQUIRE(grandchild.meta.ancestors.size() == 2);
  CHECK(grandchild.meta.ancestors[0].id == child.meta.get_id());
  CHECK(grandchild.meta.ancestors[0].name == "infrahub.artifact.generated");
  CHECK(grandchild.meta.ancestors[1].id == root.meta.get_id());
  CHECK(grandchild.meta.context.branch.name == "feature-1");  // the override reaches the context...
  CHECK_FALSE(grandchild.meta.branch);  // ...but not meta.branch (as Infrahub)

  // Related entries: base four, then child_event, then one per ancestor, nearest first.
  auto related = grandchild.meta.get_related();
  REQUIRE(related.size() == 7);
  CHECK(related[1].get("infrahub.event.level") == "2");
  CHECK(related[3].get("infrahub.resource.label") == "feature-1");
  CHECK(related[4].role() == "infrahub.child_event");
  CHECK(related[4].id() == grandchild.meta.get_id());
  CHECK(related[4].get("infrahub.event_parent.id") == child.meta.get_id());
  CHECK(related[5].role() == "infrahub.ancestor_event");
  CHECK(related[5].id() == child.meta.get_id());
  CHECK(related[5].get("infrahub.ancestor_event.name") == "infrahub.artifact.generated");
  CHECK(related[6].id() == root.meta.get_id());
  CHECK(related[6].get("infrahub.ancestor_event.name") == "infrahub.node.created");
  CHECK(child.meta.get_related()[1].get("infrahub.event.has_children") == "true");
}

TEST_CASE("from_parent of a wire Event reads level, ancestors and context back") {
  FakeEvent root{.meta = EventMeta::from_context(request_context())};
  FakeEvent child{.meta = EventMeta::from_parent(root), .name = "infrahub.artifact.generated"};
  eventwire::Event wire{.event = child.name,
                        .resource = {{"prefect.resource.id", "x"}},
                        .related = child.meta.get_related(),
                        .payload = {{"data", json::object()},
                                    {"context", child.meta.context_for(child.name).to_event()}},
                        .id = child.meta.id};
  EventMeta grandchild = EventMeta::from_parent(wire);
  CHECK(grandchild.level == 2);
  CHECK(grandchild.parent == child.meta.id);
  REQUIRE(grandchild.ancestors.size() == 2);
  CHECK(grandchild.ancestors[0] ==
        eventwire::ParentEvent{child.meta.get_id(), "infrahub.artifact.generated"});
  CHECK(grandchild.ancestors[1] ==
        eventwire::ParentEvent{root.meta.get_id(), "infrahub.node.created"});
  CHECK(grandchild.context.branch.name == "main");
  CHECK(grandchild.context.account.account_id == "acc-1");
  CHECK(grandchild.account_id == "acc-1");

  wire.related[1].set("infrahub.event.level", "two");
  CHECK_THROWS_AS(EventMeta::from_parent(wire), eventwire::ValidationError);
}

TEST_CASE("with_dummy_context: unauthenticated empty account on the given branch") {
  EventMeta meta = EventMeta::with_dummy_context(main_branch);
  CHECK(meta.branch == main_branch);
  CHECK_FALSE(meta.created_with_context);
  CHECK(meta.level == 0);
  CHECK(meta.context.to_event()["account"] ==
        json::parse(R"({"authenticated": false, "account_id": "", "session_id": null,
                        "role": "read-only", "auth_type": "none"})"));
  CHECK(meta.get_related()[2].id() == "infrahub.account.");
  CHECK_FALSE(meta.context_for("x").event);
}

TEST_CASE("get_branch_id prefers the context's branch id, then meta.branch") {
  EventMeta meta;
  CHECK(meta.get_branch_id().empty());
  meta.branch = feature_branch;
  CHECK(meta.get_branch_id() == feature_branch.id);
  meta.context.branch.id = "ctx-id";
  CHECK(meta.get_branch_id() == "ctx-id");
}
