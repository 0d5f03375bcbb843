#include "eventwire/action.hpp"

#include <catch2/catch.hpp>

#include "eventwire/error.hpp"

using eventwire::ExecuteWorkflow;
using eventwire::json;
using eventwire::WorkflowDefinition;

namespace {
const WorkflowDefinition device_validation{.name = "device-validation",
                                           .required_parameters = {"device_id", "branch"},
                                           .optional_parameters = {"timeout"}};
}

TEST_CASE("ExecuteWorkflow reads like the seed and keeps static values as they are") {
  ExecuteWorkflow action{.workflow = device_validation,
                         .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"},
                                        {"branch", "{{ event.resource['infrahub.branch.name'] }}"},
                                        {"timeout", 300}}};
  CHECK(action.parameters["timeout"].is_number_integer());
  CHECK_NOTHROW(action.validate_parameters());
}

TEST_CASE("validate_parameters names the missing required parameters, as Infrahub does") {
  ExecuteWorkflow action{.workflow = device_validation, .parameters = {{"device_id", "x"}}};
  try {
    action.validate_parameters();
    FAIL("accepted");
  } catch (const eventwire::ValidationError& e) {
    CHECK(e.field() == "parameters");
    CHECK(e.rule() == "Missing required parameters: {'branch'} for workflow device-validation");
  }
  ExecuteWorkflow none{.workflow = device_validation};
  CHECK_THROWS_WITH(none.validate_parameters(),
                    "parameters: Missing required parameters: {'branch', 'device_id'} for workflow "
                    "device-validation");
}

TEST_CASE("validate_parameters names unsupported parameters") {
  ExecuteWorkflow action{
      .workflow = device_validation,
      .parameters = {{"device_id", "x"}, {"branch", "b"}, {"colour", 1}, {"a", 2}}};
  CHECK_THROWS_WITH(
      action.validate_parameters(),
      "parameters: Workflow device-validation doesn't support parameters: {'a', 'colour'}");
}

TEST_CASE("a workflow that declares no parameters accepts any") {
  ExecuteWorkflow action{.workflow = {.name = "anything"}, .parameters = {{"x", 1}}};
  CHECK_NOTHROW(action.validate_parameters());
  action.parameters = json::array();
  CHECK_THROWS_AS(action.validate_parameters(), eventwire::ValidationError);
}

TEST_CASE("WorkflowRun::child_meta makes a child of the triggering event") {
  auto ctx = eventwire::InfrahubContext::init({.name = "main", .id = "b1"}, {.account_id = "a1"});
  auto meta = eventwire::EventMeta::from_context(ctx);
  auto event = std::make_shared<eventwire::Event>(eventwire::Event{
      .event = "infrahub.node.created",
      .resource = {{"prefect.resource.id", "infrahub.node.n1"}},
      .related = meta.get_related(),
      .payload = {{"data", json::object()},
                  {"context", meta.context_for("infrahub.node.created").to_event()}},
      .id = meta.id});
  eventwire::WorkflowRun run{.workflow = "w", .event = event, .trigger = "t"};
  auto child = run.child_meta();
  CHECK(child.level == 1);
  CHECK(child.parent == event->id);
  REQUIRE(child.ancestors.size() == 1);
  CHECK(child.ancestors[0].name == "infrahub.node.created");
  CHECK(child.context.branch.name == "main");
}
