// The eventwire command line tool, run as a user runs it.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eventwire/infrahub/events.hpp"
#include "eventwire/sqlite_store.hpp"
#include "support/cli_run.hpp"

namespace {

using eventwire::test::eventwire_cli;
using eventwire::test::lines;
using eventwire::test::Run;

struct Fixture {
  std::string db = (std::filesystem::temp_directory_path() /
                    ("eventwire-cli-test-" + eventwire::Uuid::v4().to_string() + ".db"))
                       .string();
  eventwire::infrahub::NodeMutatedEvent root;
  eventwire::infrahub::ArtifactGeneratedEvent child;

  Fixture() {
    using namespace eventwire::infrahub;
    auto ctx = eventwire::InfrahubContext::init({.name = "main", .id = "b1"}, {.account_id = "a1"});
    root = {.meta = eventwire::EventMeta::from_context(ctx),
            .kind = "NetworkDevice",
            .node_id = "n1",
            .action = MutationAction::created};
    child = {
        .meta = eventwire::EventMeta::from_parent(root), .node_id = "art-1", .target_id = "n1"};
    eventwire::SqliteEventStore store(db);
    auto at = eventwire::parse_timestamp("2024-03-01T10:00:00Z");
    auto e1 = to_event(root);
    e1.occurred = at;
    auto e2 = to_event(child);
    e2.occurred = at + std::chrono::minutes(1);
    auto e3 = eventwire::Event{.occurred = at + std::chrono::minutes(2),
                               .event = "infrahub.branch.created",
                               .resource = {{"prefect.resource.id", "infrahub.branch.dev"}}};
    for (auto& e : {e1, e2, e3})
      store.append(std::make_shared<const eventwire::Event>(e));
  }
  ~Fixture() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db + suffix);
  }
};

}  // namespace

TEST_CASE("eventwire events prints matching events as JSON Lines in wire form") {
  Fixture f;
  auto run = eventwire_cli("events --db " + f.db + " --order asc");
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 3);
  CHECK(eventwire::Event::parse(out[0]).id == f.root.meta.id);
  CHECK(eventwire::Event::parse(out[2]).event == "infrahub.branch.created");

  run = eventwire_cli("events --db " + f.db +
                      " --prefix infrahub.node. --prefix infrahub.artifact. "
                      "--before 2024-03-01T10:01:00Z --after 2024-03-01T10:00:00.000001Z");
  REQUIRE(run.status == 0);
  out = lines(run.out);
  REQUIRE(out.size() == 1);
  CHECK(eventwire::Event::parse(out[0]).event == "infrahub.artifact.generated");

  run = eventwire_cli("events --db " + f.db + " --name infrahub.branch.created --format table");
  REQUIRE(run.status == 0);
  CHECK_THAT(run.out,
             Catch::Contains("infrahub.branch.created") && Catch::Contains("infrahub.branch.dev"));
}

TEST_CASE("eventwire events --tree prints an event's family, indented by depth") {
  Fixture f;
  auto run = eventwire_cli("events --db " + f.db + " --tree " + f.child.meta.id.to_string());
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 2);
  CHECK_THAT(out[0], Catch::StartsWith("infrahub.node.created  " + f.root.meta.id.to_string()));
  CHECK_THAT(out[1],
             Catch::StartsWith("  infrahub.artifact.generated  " + f.child.meta.id.to_string()));
  CHECK(eventwire_cli("events --db " + f.db + " --format text --tree " + f.root.meta.id.to_string())
            .out == run.out);
}

TEST_CASE("eventwire events --tree --format jsonl: the family as wire JSON lines, in tree order") {
  Fixture f;
  // A grandchild, and a second child of the root that occurred before the first one.
  using eventwire::infrahub::ArtifactGeneratedEvent;
  ArtifactGeneratedEvent grandchild{
      .meta = eventwire::EventMeta::from_parent(f.child), .node_id = "art-2", .target_id = "n1"};
  ArtifactGeneratedEvent sibling{
      .meta = eventwire::EventMeta::from_parent(f.root), .node_id = "art-3", .target_id = "n1"};
  {
    eventwire::SqliteEventStore store(f.db);
    auto e = to_event(sibling);
    e.occurred = eventwire::parse_timestamp("2024-03-01T10:00:30Z");
    store.append(std::make_shared<const eventwire::Event>(e));
    e = to_event(grandchild);
    e.occurred = eventwire::parse_timestamp("2024-03-01T10:05:00Z");
    store.append(std::make_shared<const eventwire::Event>(e));
  }
  for (const char* format : {"jsonl", "json"}) {
    auto run = eventwire_cli("events --db " + f.db + " --format " + format + " --tree " +
                             grandchild.meta.id.to_string());
    REQUIRE(run.status == 0);
    auto out = lines(run.out);
    REQUIRE(out.size() == 4);
    std::vector<eventwire::json> j;
    for (const auto& line : out)
      j.push_back(eventwire::json::parse(line));
    const auto root = f.root.meta.id.to_string(), child = f.child.meta.id.to_string();
    CHECK(j[0]["id"] == root);
    CHECK(j[0]["depth"] == 0);
    CHECK(j[0]["tree_parent"].is_null());
    CHECK(j[1]["id"] == sibling.meta.id.to_string());  // siblings by occurred
    CHECK(j[1]["depth"] == 1);
    CHECK(j[1]["tree_parent"] == root);
    CHECK(j[2]["id"] == child);
    CHECK(j[2]["depth"] == 1);
    CHECK(j[2]["tree_parent"] == root);
    CHECK(j[3]["id"] == grandchild.meta.id.to_string());
    CHECK(j[3]["depth"] == 2);
    CHECK(j[3]["tree_parent"] == child);
    // Each line is still the event: Event::parse reads it back.
    CHECK(eventwire::Event::parse(out[3]).id == grandchild.meta.id);
    CHECK(eventwire::Event::parse(out[2]).id == f.child.meta.id);
  }
  auto run = eventwire_cli("events --db " + f.db + " --format text 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("--format: text is the indented tree of --tree"));
}

TEST_CASE("eventwire events reports bad input clearly, with a failing status") {
  Fixture f;
  auto run = eventwire_cli("events --db " + f.db + " --after yesterday 2>&1");
  CHECK(run.status != 0);
  CHECK_THAT(run.out, Catch::Contains("timestamp 'yesterday'"));
  run = eventwire_cli("events --db /nonexistent/events.db 2>&1");
  CHECK(run.status != 0);
  CHECK_THAT(run.out, Catch::Contains("/nonexistent/events.db"));
  run = eventwire_cli("events --db " + f.db + " --tree not-a-uuid 2>&1");
  CHECK(run.status != 0);
  CHECK_THAT(run.out, Catch::Contains("not a UUID"));
  run = eventwire_cli("events --db " + f.db + " --tree " + eventwire::Uuid::v4().to_string() +
                      " 2>&1");
  CHECK(run.status != 0);
  CHECK_THAT(run.out, Catch::Contains("no stored event has id"));
}

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  auto path =
      (std::filesystem::temp_directory_path() / (eventwire::Uuid::v4().to_string() + "-" + name))
          .string();
  std::ofstream(path) << text;
  return path;
}
// Runs `eventwire explain` on a triggers file and an event file holding these texts.
Run eventwire_explain(const std::string& triggers_json, const std::string& event_json) {
  std::string triggers = write_temp("triggers.json", triggers_json);
  std::string event = write_temp("event.json", event_json);
  auto run = eventwire_cli("explain --triggers " + triggers + " --event " + event);
  std::filesystem::remove(triggers);
  std::filesystem::remove(event);
  return run;
}
// Runs `eventwire <command>` with `input` on stdin.
Run eventwire_cli_with_stdin(const std::string& command, const std::string& input) {
  std::string path = write_temp(command + ".jsonl", input);
  auto run = eventwire_cli(command + " < " + path);
  std::filesystem::remove(path);
  return run;
}

}  // namespace

TEST_CASE("eventwire match answers one line per input line, errors included, and goes on") {
  auto run = eventwire_cli_with_stdin(
      "match",
      R"({"trigger": {"events": ["infrahub.node.created"], "match": {"infrahub.node.kind": ["NetworkDevice", "IPAddress"]}, "match_related": {"prefect.resource.role": "infrahub.branch", "infrahub.resource.label": "!main"}}, "event": {"event": "infrahub.node.created", "resource": {"prefect.resource.id": "n", "infrahub.node.kind": "IPAddress"}, "related": [{"prefect.resource.id": "infrahub.branch.1", "prefect.resource.role": "infrahub.branch", "infrahub.resource.label": "main"}]}}
not json

{"trigger": {"expect": ["infrahub.node.*"], "match": {}, "match_related": [], "posture": "Reactive", "threshold": 1, "within": 0.0}, "event": {"event": "infrahub.node.deleted", "resource": {"prefect.resource.id": "n"}}}
{"trigger": {"events": ["x"]}}
{"trigger": {"events": ["x"]}, "event": {"event": "x", "resource": {}}}
)");
  CHECK(run.status == 1);
  auto out = lines(run.out);
  REQUIRE(out.size() == 5);
  auto first = eventwire::json::parse(out[0]);
  CHECK(first["matched"] == false);
  CHECK_THAT(first["reason"].get<std::string>(), Catch::Contains("infrahub.branch"));
  CHECK(eventwire::json::parse(out[1])["error"]["type"] == "ParseError");
  CHECK(eventwire::json::parse(out[2]) ==
        eventwire::json::parse(R"({"matched": true, "reason": null})"));
  auto missing = eventwire::json::parse(out[3])["error"];
  CHECK(missing["type"] == "ValidationError");
  CHECK_THAT(missing["message"].get<std::string>(), Catch::StartsWith("event: is required"));
  CHECK_THAT(eventwire::json::parse(out[4])["error"]["message"].get<std::string>(),
             Catch::StartsWith("event.resource['prefect.resource.id']: "));
}

TEST_CASE("eventwire match says whose field is wrong: the trigger's or the event's") {
  auto run = eventwire_cli_with_stdin(
      "match",
      R"({"trigger": {"events": "x"}, "event": {"event": "x", "resource": {"prefect.resource.id": "n"}}}
{"trigger": {"events": ["x"]}, "event": {"event": 5, "resource": {"prefect.resource.id": "n"}}}
)");
  auto out = lines(run.out);
  REQUIRE(out.size() == 2);
  CHECK_THAT(eventwire::json::parse(out[0])["error"]["message"].get<std::string>(),
             Catch::StartsWith("trigger.events: "));
  CHECK_THAT(eventwire::json::parse(out[1])["error"]["message"].get<std::string>(),
             Catch::StartsWith("event.event: "));
}

TEST_CASE("eventwire match exits 0 when every line succeeds") {
  auto run = eventwire_cli_with_stdin(
      "match",
      R"({"trigger": {"events": []}, "event": {"event": "x", "resource": {"prefect.resource.id": "r"}}})");
  CHECK(run.status == 0);
  CHECK(run.out == "{\"matched\":true,\"reason\":null}\n");
}

TEST_CASE("eventwire explain says, per trigger, fired or why not (Events Not Triggering)") {
  auto run = eventwire_explain(
      R"([
    {"name": "ipam-auto-validate", "trigger": {"events": ["infrahub.node.created", "infrahub.node.updated"], "match": {"infrahub.node.kind": ["IPAddress", "IPPrefix"]}}},
    {"name": "branch-filter", "trigger": {"events": ["infrahub.node.created"], "match_related": {"prefect.resource.role": "infrahub.branch", "infrahub.resource.label": "main"}}},
    {"events": ["infrahub.branch.*"]},
    {"name": "broken", "trigger": {"events": "not a list"}}
  ])",
      R"({"event": "infrahub.node.created", "resource": {"prefect.resource.id": "n", "infrahub.node.kind": "IPAddress"}, "related": [{"prefect.resource.id": "infrahub.branch.9", "prefect.resource.role": "infrahub.branch", "infrahub.resource.label": "feature"}]})");
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 4);
  CHECK(out[0] == "ipam-auto-validate: fired");
  CHECK_THAT(out[1], Catch::StartsWith("branch-filter: not fired: ") && Catch::Contains("main"));
  CHECK_THAT(out[2],
             Catch::StartsWith("#3: not fired: ") && Catch::Contains("infrahub.node.created"));
  CHECK_THAT(out[3], Catch::StartsWith("broken: invalid trigger: "));
}

TEST_CASE("eventwire explain reads whole definitions: Infrahub's, and Prefect's automations") {
  auto run = eventwire_explain(
      R"json([
    {"name": "device-validation", "type": "builtin", "description": "d",
     "trigger": {"events": ["infrahub.node.created"], "match": {"infrahub.node.kind": "IPAddress"}},
     "actions": [{"workflow": {"name": "device-validation", "required_parameters": ["device_id"]},
                  "parameters": {"device_id": "{{ event.resource['infrahub.node.id'] }}"}}]},
    {"name": "builtin::from-prefect", "description": "Automation for Trigger from-prefect", "enabled": true,
     "trigger": {"type": "event", "expect": ["infrahub.node.*"], "match": {}, "match_related": {},
                 "after": [], "for_each": [], "posture": "Reactive", "threshold": 1, "within": 0.0},
     "actions": [{"type": "run-deployment", "source": "selected",
                  "deployment_id": "8e2b3c4d-0000-4000-8000-000000000001",
                  "parameters": {"x": "{{ event.id }}"}, "job_variables": {}}],
     "actions_on_trigger": [], "actions_on_resolve": []},
    {"trigger": {"events": ["infrahub.branch.created"]}},
    {"name": "missing-parameter", "trigger": {"events": ["infrahub.node.created"]},
     "actions": [{"workflow": {"name": "w", "required_parameters": ["a"]}, "parameters": {"b": 1}}]},
    {"name": "typo", "trigger": {"events": ["infrahub.node.created"]}, "action": []}
  ])json",
      R"({"event": "infrahub.node.created", "resource": {"prefect.resource.id": "n", "infrahub.node.kind": "IPAddress"}})");
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 5);
  CHECK(out[0] == "device-validation: fired");
  CHECK(out[1] == "builtin::from-prefect: fired");
  CHECK_THAT(out[2], Catch::StartsWith("#3: not fired: "));
  CHECK(out[3] ==
        "missing-parameter: invalid trigger: actions[0].parameters: Missing required parameters: "
        "{'a'} for workflow w");
  CHECK_THAT(out[4], Catch::StartsWith("typo: invalid trigger: action: is not a field of a trigger "
                                       "definition"));
}

TEST_CASE("eventwire render: one output or error line per template, environments and policies") {
  auto run = eventwire_cli_with_stdin(
      "render",
      R"({"template": "{{ event.resource['infrahub.branch.name'] }}", "context": {"event": {"resource": {"infrahub.branch.name": "main"}}}}
{"template": "{{ missing.attr }}"}
{"template": "{{ missing.attr }}", "environment": "jinja"}
{"template": "{{ x }}", "undefined": "strict"}
{"template": "{% if %}"}
{"template": "plain {{", "environment": "nope"}
{"template": "{{ x }}", "undefined": "lenient", "context": {"x": 1}}
{"template": "{{ x }}", "context": [1, 2]}
)");
  CHECK(run.status == 1);
  auto out = lines(run.out);
  REQUIRE(out.size() == 8);
  CHECK(out[0] == R"({"output":"main"})");
  CHECK(out[1] == R"({"output":""})");  // Prefect's chainable undefined
  CHECK(eventwire::json::parse(out[2])["error"]["type"] == "UndefinedError");
  CHECK(eventwire::json::parse(out[3])["error"]["type"] == "UndefinedError");
  CHECK(eventwire::json::parse(out[3])["error"]["line"] == 1);
  CHECK_FALSE(eventwire::json::parse(out[3])["error"].contains("column"));  // not known: left out
  CHECK(eventwire::json::parse(out[4])["error"]["type"] == "TemplateSyntaxError");
  CHECK(eventwire::json::parse(out[4])["error"]["line"] == 1);  // where, as TemplateError has it
  CHECK(eventwire::json::parse(out[4])["error"].contains("column"));
  CHECK_THAT(eventwire::json::parse(out[5])["error"]["message"].get<std::string>(),
             Catch::StartsWith("environment:"));
  CHECK(out[6] == R"({"output":"1"})");  // "lenient", the policy's C++ name, is "default"
  CHECK(eventwire::json::parse(out[7])["error"]["message"] ==
        "context: must be an object of names, got array");
}

TEST_CASE("eventwire hydrate: Prefect's hydration per line, errors naming the parameter") {
  auto run = eventwire_cli_with_stdin(
      "hydrate",
      R"({"parameters": {"node_id": "{{ event.payload['data']['node_id'] }}", "timeout": 300, "event_data": {"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": "{{ event.payload['data'] | tojson }}"}}}, "context": {"event": {"payload": {"data": {"node_id": "n1", "kind": "IPAddress"}}}}}
{"parameters": {"bad_template": "{{ event.payload['data' }}"}, "context": {}}
)");
  CHECK(run.status == 1);
  auto out = lines(run.out);
  REQUIRE(out.size() == 2);
  CHECK(
      eventwire::json::parse(out[0]) ==
      eventwire::json::parse(
          R"({"parameters": {"node_id": "n1", "timeout": 300, "event_data": {"kind": "IPAddress", "node_id": "n1"}}})"));  // tojson sorts keys; json.loads keeps that order
  auto error = eventwire::json::parse(out[1])["error"];
  CHECK(error["type"] == "HydrationError");
  CHECK_THAT(error["message"].get<std::string>(),
             Catch::StartsWith("bad_template: Invalid jinja: "));
}
