// The event history tools, run as a user runs them: `eventwire replay` (stored events against a
// triggers file) and `eventwire events` pages and label filters.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "eventwire/infrahub/events.hpp"
#include "eventwire/sqlite_store.hpp"
#include "support/cli_run.hpp"

using eventwire::test::eventwire_cli;
using eventwire::test::lines;

namespace {

std::string temp_path(const char* suffix) {
  return (std::filesystem::temp_directory_path() /
          ("eventwire-replay-test-" + eventwire::Uuid::v4().to_string() + suffix))
      .string();
}

// Three devices created on main, an address updated on dev, a branch created: five events.
struct History {
  std::string db = temp_path(".db");
  std::string triggers = temp_path(".json");
  std::vector<eventwire::Uuid> ids;

  History() {
    using namespace eventwire::infrahub;
    auto main =
        eventwire::InfrahubContext::init({.name = "main", .id = "b1"}, {.account_id = "a1"});
    auto dev = eventwire::InfrahubContext::init({.name = "dev", .id = "b2"}, {.account_id = "a2"});
    auto at = eventwire::parse_timestamp("2024-03-01T10:00:00Z");
    std::vector<eventwire::Event> events;
    for (int i = 0; i < 3; ++i) {
      events.push_back(to_event(NodeMutatedEvent{.meta = eventwire::EventMeta::from_context(main),
                                                 .kind = "NetworkDevice",
                                                 .node_id = "d" + std::to_string(i),
                                                 .action = MutationAction::created}));
    }
    events.push_back(to_event(NodeMutatedEvent{.meta = eventwire::EventMeta::from_context(dev),
                                               .kind = "IPAddress",
                                               .node_id = "ip",
                                               .action = MutationAction::updated}));
    events.push_back(eventwire::Event{.event = "infrahub.branch.created",
                                      .resource = {{"prefect.resource.id", "infrahub.branch.x"}}});
    eventwire::SqliteEventStore store(db);
    for (std::size_t i = 0; i < events.size(); ++i) {
      events[i].occurred = at + std::chrono::minutes(i);
      ids.push_back(events[i].id);
      store.append(std::make_shared<const eventwire::Event>(events[i]));
    }
    std::ofstream(triggers) << R"([
      {"name": "devices", "trigger": {"events": ["infrahub.node.created"],
                                      "match": {"infrahub.node.kind": "NetworkDevice"}}},
      {"name": "off-main", "trigger": {"events": ["infrahub.node.*"],
                                       "match_related": {"prefect.resource.role": "infrahub.branch",
                                                         "infrahub.resource.label": "!main"}}},
      {"name": "schema", "trigger": {"events": ["infrahub.schema.updated"]}}
    ])";
  }
  ~History() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db + suffix);
    std::filesystem::remove(triggers);
  }
  std::string args() const { return "replay --db " + db + " --triggers " + triggers; }
};

}  // namespace

TEST_CASE("eventwire replay: one line per event that would fire, with the triggers it fires") {
  History h;
  auto run = eventwire_cli(h.args());
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 4);  // the branch event fires nothing
  for (std::size_t i = 0; i < 3; ++i) {
    auto line = eventwire::json::parse(out[i]);
    CHECK(line["id"] == h.ids[i].to_string());  // in the order they occurred
    CHECK(line["event"] == "infrahub.node.created");
    CHECK(line["fired"] == eventwire::json::array({"devices"}));
  }
  auto last = eventwire::json::parse(out[3]);
  CHECK(last["event"] == "infrahub.node.updated");
  CHECK(last["resource"] == "infrahub.node.ip");
  CHECK(last["fired"] == eventwire::json::array({"off-main"}));
}

TEST_CASE("eventwire replay --format summary: per trigger, how often it would fire") {
  History h;
  auto run = eventwire_cli(h.args() + " --format summary");
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 4);
  CHECK(out[0] == "5 events replayed, 4 would fire a trigger (4 firings)");
  CHECK(out[1] == "devices: would fire on 3 events, 2024-03-01T10:00:00Z .. 2024-03-01T10:02:00Z");
  CHECK(out[2] == "off-main: would fire on 1 event, 2024-03-01T10:03:00Z .. 2024-03-01T10:03:00Z");
  CHECK(out[3] == "schema: would not fire");
}

TEST_CASE("eventwire replay takes the events filters") {
  History h;
  auto run = eventwire_cli(h.args() + " --format summary --branch dev");
  REQUIRE(run.status == 0);
  CHECK(lines(run.out).at(0) == "1 events replayed, 1 would fire a trigger (1 firings)");
  run = eventwire_cli(h.args() + " --after 2024-03-01T10:01:00Z --before 2024-03-01T10:02:00Z");
  CHECK(lines(run.out).size() == 2);
  run = eventwire_cli(h.args() + " --format summary --label infrahub.node.kind=IP*");
  CHECK(lines(run.out).at(0) == "1 events replayed, 1 would fire a trigger (1 firings)");
}

TEST_CASE("eventwire replay: bad input is named, with a failing status") {
  History h;
  auto run = eventwire_cli(h.args() + " --after 'last tuesday' 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("--after"));
  run = eventwire_cli(h.args() + " --label kind 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("--label: must be KEY=PATTERN"));
  std::ofstream(h.triggers)
      << R"([{"name": "broken", "trigger": {"events": "infrahub.node.created"}}])";
  run = eventwire_cli(h.args() + " 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("trigger 'broken'"));
  CHECK_THAT(run.out, Catch::Contains("events"));
  // A definition's actions are checked as registration checks them: templates compile.
  std::ofstream(h.triggers) << R"([{"name": "bad-template", "trigger": {"events": []},
      "actions": [{"workflow": {"name": "w"}, "parameters": {"x": "{{ event.id "}}]}])";
  run = eventwire_cli(h.args() + " 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("trigger 'bad-template': builtin::bad-template: "
                                      "actions[0].parameters: x: Invalid jinja"));
}

TEST_CASE("eventwire replay reports triggers by the names their file gives them") {
  History h;
  std::ofstream(h.triggers) << R"([
      {"name": "computed_attr_jinja2::main::devices", "enabled": true,
       "trigger": {"type": "event", "expect": ["infrahub.node.created"],
                   "match": {"infrahub.node.kind": "NetworkDevice"}},
       "actions": [{"type": "run-deployment", "source": "selected", "deployment_id": "d1",
                    "parameters": {}}]},
      {"name": "devices", "type": "webhook", "trigger": {"events": ["infrahub.node.created"]},
       "actions": [{"workflow": {"name": "webhook-send"}, "parameters": {"id": 1}}]}
    ])";
  auto run = eventwire_cli(h.args() + " --format summary");
  REQUIRE(run.status == 0);
  auto out = lines(run.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "5 events replayed, 3 would fire a trigger (6 firings)");
  CHECK_THAT(out[1], Catch::StartsWith("computed_attr_jinja2::main::devices: would fire on 3 "));
  CHECK_THAT(out[2], Catch::StartsWith("devices: would fire on 3 events"));
}

TEST_CASE("eventwire replay draws a progress bar on a terminal only") {
  History h;
  // Piped: no bar on stderr.
  auto piped = eventwire_cli(h.args() + " --format summary 2>&1");
  CHECK_THAT(piped.out, !Catch::Contains("replay ["));
  // Under a pseudo-terminal (script(1)), the bar is drawn and erased at the end.
  std::string command = "script -qec '" + std::string(EVENTWIRE_CLI) + " " + h.args() +
                        " --format summary' /dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.append(buffer, n);
  CHECK(pclose(pipe) == 0);
  CHECK_THAT(out, Catch::Contains("replay [##############################] 5/5 events, 4 fired"));
  CHECK_THAT(out, Catch::Contains("\r\033[K"));
}

TEST_CASE("eventwire events: label filters, and pages that continue with --cursor") {
  History h;
  auto run = eventwire_cli("events --db " + h.db + " --label 'infrahub.node.kind=Network*' 2>&1");
  REQUIRE(run.status == 0);
  CHECK(lines(run.out).size() == 3);
  // A full page says how to read the next one on stderr; stdout stays JSON Lines.
  run = eventwire_cli("events --db " + h.db + " --order asc --limit 2 2>&1 >/dev/null");
  auto hint = lines(run.out);
  REQUIRE(hint.size() == 1);
  REQUIRE(hint[0].rfind("next page: --cursor ", 0) == 0);
  std::string cursor = hint[0].substr(std::string("next page: --cursor ").size());
  run = eventwire_cli("events --db " + h.db + " --order asc --limit 2 --cursor " + cursor +
                      " 2>/dev/null");
  auto page = lines(run.out);
  REQUIRE(page.size() == 2);
  CHECK(eventwire::json::parse(page[0])["id"] == h.ids[2].to_string());
  CHECK(eventwire::json::parse(page[1])["id"] == h.ids[3].to_string());
  run = eventwire_cli("events --db " + h.db + " --order desc --cursor " + cursor + " 2>&1");
  CHECK(run.status == 2);
  CHECK_THAT(run.out, Catch::Contains("cursor: was issued for ascending order"));
}
