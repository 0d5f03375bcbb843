#include "eventwire/event.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "eventwire/error.hpp"
#include "support/python_oracle.hpp"

using eventwire::Event;
using eventwire::EventLimits;
using eventwire::json;
using eventwire::LimitError;
using eventwire::ParseError;
using eventwire::RelatedResource;
using eventwire::Resource;
using eventwire::ValidationError;

namespace {

// Prefect's own serialized form
// (tests/events/server/test_events_schema.py::test_json_representation), with our fixed id;
// `received` is a ReceivedEvent field that Event ignores.
const std::string prefect_wire =
    R"({"occurred":"2021-02-03T04:05:06.000007Z","event":"hello","resource":{"prefect.resource.id":"hello"},)"
    R"("related":[{"prefect.resource.id":"related-1","prefect.resource.role":"role-1"},)"
    R"({"prefect.resource.id":"related-2","prefect.resource.role":"role-2"}],)"
    R"("payload":{"hello":"world"},"id":"0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f","follows":null})";

Event minimal() {
  return Event{.event = "infrahub.node.created", .resource = {{"prefect.resource.id", "n1"}}};
}

template <typename Error>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("no exception");
  return {};
}

}  // namespace

TEST_CASE("Resource keeps label order and replaces values in place") {
  Resource r{{"prefect.resource.id", "x"}, {"b", "1"}, {"a", "2"}};
  r.set("b", "3");
  r.set("c", "4");
  std::vector<std::string> names;
  for (const auto [name, value] : r)
    names.emplace_back(name);
  CHECK(names == std::vector<std::string>{"prefect.resource.id", "b", "a", "c"});
  CHECK(r.get("b") == "3");
  CHECK(r.id() == "x");
  CHECK_FALSE(r.find("missing"));
  CHECK(r.erase("a"));
  CHECK_FALSE(r.erase("a"));
  CHECK(r.size() == 3);
}

TEST_CASE("Resource: values of any length replace, erase and compare as a map in order would") {
  // All labels share one buffer: a longer or shorter value moves the labels after it.
  const std::string long_value(300, 'v');
  Resource r{{"prefect.resource.id", "id"}, {"k1", "one"}, {"k2", "two"}, {"k3", ""}};
  r.set("k1", long_value);
  CHECK(r.get("k1") == long_value);
  CHECK(r.get("k2") == "two");
  r.set("k1", "");
  REQUIRE(r.find("k1").has_value());
  CHECK(r.find("k1")->empty());
  CHECK(r.get("k3").empty());
  r.set("k3", "three");
  CHECK(r.erase("k2"));
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto [name, value] : r)
    labels.emplace_back(name, value);
  CHECK(labels == std::vector<std::pair<std::string, std::string>>{
                      {"prefect.resource.id", "id"}, {"k1", ""}, {"k3", "three"}});
  CHECK(r.size() == 3);
  CHECK(std::distance(r.begin(), r.end()) == 3);

  // A name that is a prefix of another, or another's value, is not found by mistake.
  Resource tricky{{"ab", "abc"}, {"abc", "x"}};
  CHECK(tricky.get("abc") == "x");
  CHECK_FALSE(tricky.find("a"));
  CHECK_FALSE(tricky.find("x"));

  // Equality is label by label, in order; a copy is independent of its original.
  Resource copy = r;
  CHECK(copy == r);
  copy.set("k3", "other");
  CHECK(copy != r);
  CHECK(r.get("k3") == "three");
  CHECK(Resource{{"a", "1"}, {"b", "2"}} != Resource{{"b", "2"}, {"a", "1"}});
  // Names and values may be views of the resource's own labels, though setting moves them.
  Resource self{{"prefect.resource.id", "id"}, {"a", "first value"}};
  for (int i = 0; i < 20; ++i)
    self.set(fmt::format("{}{}", self.get("a"), i), self.get("a"));
  self.set(self.find("a").value(), self.get("prefect.resource.id"));
  self.set("a", self.get("first value0"));
  CHECK(self.size() == 23);
  CHECK(self.get("first value19") == "first value");
  CHECK(self.get("first value") == "id");
  CHECK(self.get("a") == "first value");
  // A repeated name in the list keeps its first place and its last value, as a dict literal.
  CHECK(Resource{{"a", "1"}, {"b", "2"}, {"a", "3"}} == Resource{{"a", "3"}, {"b", "2"}});
}

TEST_CASE("Resource: a moved-from resource is empty, and a reused one counts its labels") {
  // The label count is kept beside the buffer: a move must empty both, or size() and equality
  // describe labels the resource no longer has.
  Resource from{{"prefect.resource.id", "a long enough id to leave the inline buffer"}, {"k", "v"}};
  Resource to = std::move(from);
  CHECK(to.size() == 2);
  CHECK(from.size() == static_cast<std::size_t>(std::distance(from.begin(), from.end())));
  CHECK(from.empty());
  CHECK(from == Resource{});
  from.set("prefect.resource.id", "again");
  CHECK(from.size() == 1);
  CHECK(from == Resource{{"prefect.resource.id", "again"}});

  Resource assigned{{"x", "1"}, {"y", "2"}, {"z", "3"}};
  Resource source{{"prefect.resource.id", "short"}};
  assigned = std::move(source);
  CHECK(assigned.size() == 1);
  CHECK(source.size() == static_cast<std::size_t>(std::distance(source.begin(), source.end())));
  // Related resources move when their vector grows: each keeps its own labels and count.
  std::vector<RelatedResource> related;
  for (int i = 0; i < 9; ++i)
    related.push_back(RelatedResource{{"prefect.resource.id", fmt::format("r{}", i)},
                                      {"prefect.resource.role", "x"}});
  for (const auto& r : related)
    CHECK(r.size() == 2);
}

TEST_CASE("Resource helpers read id, name and role; an empty label is not an absent one") {
  RelatedResource r{{"prefect.resource.id", "i"},
                    {"prefect.resource.role", "branch"},
                    {"prefect.resource.name", "main"},
                    {"empty", ""}};
  CHECK(r.role() == "branch");
  CHECK(r.name() == "main");
  REQUIRE(r.find("empty").has_value());
  CHECK(r.find("empty")->empty());
  CHECK(Resource{}.id().empty());
}

TEST_CASE("Prefect's wire form round-trips byte for byte") {
  Event e = Event::parse(prefect_wire);
  CHECK(e.event == "hello");
  CHECK(e.related.size() == 2);
  CHECK(e.related[1].role() == "role-2");
  CHECK(e.payload["hello"] == "world");
  CHECK(e.id.to_string() == "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f");
  CHECK_FALSE(e.follows);
  CHECK(e.dump() == prefect_wire);
}

TEST_CASE("Wire form: key order, follows written when null, payload order kept") {
  Event e = minimal();
  e.payload = json::parse(R"({"z":1,"a":{"y":2,"b":3}})");
  json j = e.to_json();
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"occurred", "event", "resource", "related", "payload",
                                         "id", "follows"});
  CHECK(j["follows"].is_null());
  CHECK(e.dump().find(R"("payload":{"z":1,"a":{"y":2,"b":3}})") != std::string::npos);
  e.follows = eventwire::Uuid::v7();
  CHECK(Event::parse(e.dump()).follows == e.follows);
}

TEST_CASE("Unknown fields are ignored; missing optional fields get Prefect's defaults") {
  Event e = Event::parse(
      R"({"event":"x","resource":{"prefect.resource.id":"r"},"received":"2021-01-01T00:00:00Z","extra":[1]})");
  CHECK(e.related.empty());
  CHECK(e.payload == json::object());
  CHECK(e.id.version() == 7);
  CHECK(e.occurred.time_since_epoch().count() > 0);
}

TEST_CASE("Default ids are UUID v7 and increase") {
  Event a = minimal();
  Event b = minimal();
  CHECK(a.id.version() == 7);
  CHECK(a.id < b.id);
}

TEST_CASE("Validation names the field and the rule") {
  SECTION("resource id required") {
    Event e = minimal();
    e.resource = Resource{{"other", "x"}};
    try {
      e.validate();
      FAIL("accepted");
    } catch (const ValidationError& err) {
      CHECK(err.field() == "resource['prefect.resource.id']");
      CHECK_THAT(err.rule(), Catch::Contains("required"));
    }
  }
  SECTION("resource id non-empty") {
    Event e = minimal();
    e.resource.set("prefect.resource.id", "");
    CHECK(error_of<ValidationError>([&] { e.validate(); }) ==
          "resource['prefect.resource.id']: must be non-empty");
  }
  SECTION("related needs a role") {
    Event e = minimal();
    e.related.push_back(
        RelatedResource{{"prefect.resource.id", "r"}, {"prefect.resource.role", "x"}});
    e.related.push_back(RelatedResource{{"prefect.resource.id", "r"}});
    CHECK_THAT(error_of<ValidationError>([&] { e.validate(); }),
               Catch::StartsWith("related[1]['prefect.resource.role']: is required"));
  }
  SECTION("related needs a non-empty id") {
    Event e = minimal();
    e.related.push_back(RelatedResource{{"prefect.resource.role", "x"}});
    CHECK_THAT(error_of<ValidationError>([&] { e.validate(); }),
               Catch::StartsWith("related[0]['prefect.resource.id']: is required"));
  }
  SECTION("payload must be an object") {
    Event e = minimal();
    e.payload = json::array();
    CHECK(error_of<ValidationError>([&] { e.validate(); }) ==
          "payload: must be an object, got list");
  }
  SECTION("strings must be UTF-8") {
    Event e = minimal();
    e.payload["bad"] = std::string("\xff\xfe");
    CHECK_THAT(error_of<ValidationError>([&] { e.validate(); }), Catch::Contains("UTF-8"));
    Event key = minimal();
    key.payload["data"] = {{std::string("k\xc3"), 1}};
    CHECK_THAT(error_of<ValidationError>([&] { key.validate(); }), Catch::Contains("UTF-8"));
    Event label = minimal();
    label.related.push_back(
        {{"prefect.resource.id", "r"}, {"prefect.resource.role", std::string("\xed\xa0\x80")}});
    CHECK_THAT(error_of<ValidationError>([&] { label.validate(); }), Catch::Contains("UTF-8"));
  }
  SECTION("a byte that is not UTF-8 is found at any offset of any string") {
    // validate reads strings a word at a time (whole words, an overlapping last word, halves for
    // short strings): every offset of every length up to three words, in each place a string
    // can be, with the rest ASCII.
    auto places = std::vector<std::function<void(Event&, const std::string&)>>{
        [](Event& e, const std::string& s) { e.event = s; },
        [](Event& e, const std::string& s) { e.resource.set(s, "v"); },
        [](Event& e, const std::string& s) { e.resource.set("k", s); },
        [](Event& e, const std::string& s) {
          e.related.push_back({{"prefect.resource.id", "r"}, {"prefect.resource.role", s}});
        },
        [](Event& e, const std::string& s) { e.payload[s] = 1; },
        [](Event& e, const std::string& s) {
          e.payload["a"] = {{"b", json::array({1, s})}};
        },
    };
    for (std::size_t place = 0; place < places.size(); ++place) {
      for (std::size_t n = 1; n <= 24; ++n) {
        for (std::size_t at = 0; at < n; ++at) {
          std::string text(n, 'x');
          text[at] = '\xff';
          Event e = minimal();
          places[place](e, text);
          INFO("place " << place << ", length " << n << ", offset " << at);
          CHECK_THAT(error_of<ValidationError>([&] { e.validate(); }), Catch::Contains("UTF-8"));
          text[at] = '\x7f';
          Event ascii = minimal();
          places[place](ascii, text);
          CHECK_NOTHROW(ascii.validate());
        }
      }
      // Valid UTF-8 beyond ASCII passes, whatever its offset.
      Event e = minimal();
      places[place](e, "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac");
      INFO("place " << place);
      CHECK_NOTHROW(e.validate());
    }
  }
}

TEST_CASE("Limits are Prefect's by default, configurable, and crossing one is a LimitError") {
  SECTION("labels per resource") {
    Event e = minimal();
    for (int i = 1; i < 500; ++i)
      e.resource.set("l" + std::to_string(i), "v");
    CHECK(e.resource.size() == 500);
    CHECK_NOTHROW(e.validate());
    e.resource.set("one-more", "v");
    CHECK_THAT(error_of<LimitError>([&] { e.validate(); }),
               Catch::Contains("has 501 labels; at most 500") &&
                   Catch::Contains("max_labels_per_resource"));
    CHECK_NOTHROW(e.validate(EventLimits{.max_labels_per_resource = 501}));
  }
  SECTION("labels per related resource") {
    Event e = minimal();
    RelatedResource r{{"prefect.resource.id", "r"}, {"prefect.resource.role", "x"}, {"a", "1"}};
    e.related.push_back(r);
    CHECK_THAT(error_of<LimitError>([&] { e.validate({.max_labels_per_resource = 2}); }),
               Catch::StartsWith("resource: has") || Catch::StartsWith("related[0]: has 3 labels"));
  }
  SECTION("related resources") {
    Event e = minimal();
    for (int i = 0; i < 100; ++i) {
      e.related.push_back(RelatedResource{{"prefect.resource.id", std::to_string(i)},
                                          {"prefect.resource.role", "r"}});
    }
    CHECK_NOTHROW(e.validate());
    e.related.push_back(e.related.front());
    CHECK_THAT(error_of<LimitError>([&] { e.validate(); }),
               Catch::StartsWith("related: has 101 resources; at most 100"));
    CHECK_NOTHROW(e.validate({.max_related_resources = 101}));
  }
  SECTION("event name length counts characters, not bytes") {
    Event e = minimal();
    e.event = std::string(1024, 'a');
    CHECK_NOTHROW(e.validate());
    e.event = std::string(1022, 'a') + "\xc3\xa9\xc3\xa9";  // 1024 characters, 1026 bytes
    CHECK_NOTHROW(e.validate());
    e.event = std::string(1025, 'a');
    CHECK_THAT(error_of<LimitError>([&] { e.validate(); }),
               Catch::StartsWith("event: is 1025 characters; event names must be at most 1024"));
    CHECK_NOTHROW(e.validate({.max_event_name_length = 2000}));
  }
  SECTION("serialized size") {
    Event e = minimal();
    e.payload["blob"] = std::string(1'500'000, 'x');
    CHECK_THAT(error_of<LimitError>([&] { e.validate(); }),
               Catch::Contains("bytes as JSON; at most 1500000 bytes") &&
                   Catch::Contains("max_event_size_bytes"));
    e.payload["blob"] = std::string(1'499'000, 'x');
    CHECK_NOTHROW(e.validate());
    CHECK_THROWS_AS(e.validate({.max_event_size_bytes = 1000}), LimitError);
  }
  SECTION("serialized size, exactly at the limit") {
    Event e = minimal();
    e.payload["text"] = "caf\u00e9 \"quoted\" \u2603";
    const std::size_t size = e.dump().size();
    CHECK_NOTHROW(e.validate({.max_event_size_bytes = size}));
    CHECK_THAT(error_of<LimitError>([&] { e.validate({.max_event_size_bytes = size - 1}); }),
               Catch::StartsWith("event: is " + std::to_string(size) + " bytes as JSON"));
  }
  SECTION("payload depth") {
    Event e = minimal();
    json deep = json::object();
    json* cursor = &deep;
    for (int i = 0; i < 250; ++i)
      cursor = &((*cursor)["d"] = json::object());
    e.payload = deep;
    CHECK_THAT(error_of<LimitError>([&] { e.validate(); }),
               Catch::StartsWith("payload: nests deeper than 200"));
    CHECK_NOTHROW(e.validate({.max_json_depth = 300}));
  }
}

TEST_CASE("Bad JSON input gets typed errors, never a crash") {
  SECTION("malformed text") {
    CHECK_THAT(error_of<ParseError>([] { Event::parse(R"({"event": )"); }),
               Catch::StartsWith("event JSON: parse error"));
    CHECK_THROWS_AS(Event::parse(""), ParseError);
    CHECK_THROWS_AS(Event::parse("\xff"), ParseError);
  }
  SECTION("wrong shapes") {
    CHECK(error_of<ValidationError>([] { Event::parse("[]"); }) ==
          "event JSON: must be an object, got list");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"resource":{"prefect.resource.id":"r"}})");
          }) == "event: is required");
    CHECK(error_of<ValidationError>([] { Event::parse(R"({"event":1,"resource":{}})"); }) ==
          "event: must be a string, got int");
    CHECK(error_of<ValidationError>([] { Event::parse(R"({"event":"e"})"); }) ==
          "resource: is required");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r","n":null}})");
          }) == "resource['n']: must be a string (label values are strings), got None");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r"},"related":{}})");
          }) == "related: must be a list of resources, got dict");
    CHECK(
        error_of<ValidationError>([] {
          Event::parse(
              R"({"event":"e","resource":{"prefect.resource.id":"r"},"related":[{"prefect.resource.id":"x","prefect.resource.role":5}]})");
        }) ==
        "related[0]['prefect.resource.role']: must be a string (label values are strings), got "
        "int");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r"},"payload":[]})");
          }) == "payload: must be an object, got list");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r"},"payload":null})");
          }) == "payload: must be an object, got None");
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r"},"id":"nope"})");
          }) == "id: 'nope' is not a valid UUID");
    CHECK_THAT(
        error_of<ValidationError>([] {
          Event::parse(
              R"({"event":"e","resource":{"prefect.resource.id":"r"},"occurred":"2021-13-01"})");
        }),
        Catch::StartsWith("occurred: timestamp '2021-13-01': is not a valid calendar date"));
    CHECK(error_of<ValidationError>([] {
            Event::parse(R"({"event":"e","resource":{"prefect.resource.id":"r"},"follows":7})");
          }) == "follows: must be a UUID string, got int");
  }
  SECTION("oversize and deeply nested text is refused before it costs anything") {
    std::string deep = R"({"event":"e","resource":{"prefect.resource.id":"r"},"payload":{"a":)" +
                       std::string(100000, '[') + std::string(100000, ']') + "}}";
    CHECK_THAT(error_of<LimitError>([&] { Event::parse(deep); }),
               Catch::StartsWith("event JSON: nests deeper than"));
    std::string big(5'000'000, ' ');
    CHECK_THAT(error_of<LimitError>([&] { Event::parse(big); }),
               Catch::StartsWith("event JSON: is 5000000 bytes; at most 4000000"));
  }
  SECTION("every error is an eventwire::error") {
    CHECK_THROWS_AS(Event::parse("{"), eventwire::error);
    CHECK_THROWS_AS(Event::parse("{}"), eventwire::error);
  }
}

TEST_CASE("find_related returns the first resource in a role") {
  Event e = minimal();
  e.related = {RelatedResource{{"prefect.resource.id", "a"}, {"prefect.resource.role", "tag"}},
               RelatedResource{{"prefect.resource.id", "b"}, {"prefect.resource.role", "tag"}}};
  REQUIRE(e.find_related("tag") != nullptr);
  CHECK(e.find_related("tag")->id() == "a");
  CHECK(e.find_related("none") == nullptr);
}

TEST_CASE("dump() is what pydantic writes for Prefect's Event, floats and escapes included") {
  std::vector<Event> events;
  Event e = minimal();
  e.occurred = eventwire::parse_timestamp("2024-03-01T12:00:00Z");  // zero fraction: omitted
  e.payload = json::parse(
      R"({"f": [1.0, 1e-05, 2.5e-07, 1e16, 0.1, 123456.789], "s": "caf\u00e9 \u2028 <&>",
                              "ctl": "\u0001\n", "n": null, "b": true, "big": 12345678901234567890})");
  e.related.push_back(
      RelatedResource{{"prefect.resource.id", "r\"1"}, {"prefect.resource.role", "tag"}});
  e.follows = eventwire::Uuid::v4();
  events.push_back(e);
  e.occurred = eventwire::parse_timestamp("2024-03-01T12:00:00.000001Z");
  e.follows.reset();
  events.push_back(e);
  json input = json::array();
  for (const auto& ev : events)
    input.push_back(json::parse(ev.dump()));
  json expected = eventwire::testing::run_python_oracle("prefect_event.py", input);
  if (eventwire::testing::oracle_unavailable(expected)) return;
  REQUIRE(expected.size() == events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].dump() == expected[i].get<std::string>());
    CHECK(Event::parse(events[i].dump()) == events[i]);
  }
}

TEST_CASE("A number too large for a double is a ParseError, not an escaping nlohmann error") {
  // Found by tests/fuzz/event_fuzz: nlohmann throws out_of_range (406), not parse_error.
  const std::string text = R"({"event": "e", "resource": {"prefect.resource.id": "r"},
                               "payload": {"n": 5640497e333333333333}})";
  CHECK(error_of<ParseError>([&] { Event::parse(text); }) ==
        "event JSON: number overflow parsing '5640497e333333333333'");
  CHECK_THROWS_AS(Event::parse(R"({"n": -1e400})"), ParseError);
}

TEST_CASE("Too deep event text names max_json_depth's value, not the text's depth") {
  // The payload sits one level inside the event, so the text may nest one level more; the
  // message still names the configured limit (it said 201 for max_json_depth 200).
  const std::string deep = R"({"event": "e", "resource": {"prefect.resource.id": "r"},
                               "payload": {"p": )" +
                           std::string(200, '[') + std::string(200, ']') + "}}";
  CHECK(error_of<LimitError>([&] { Event::parse(deep); }) ==
        "event JSON: nests deeper than 200 levels (max_json_depth)");
  CHECK(error_of<LimitError>([&] { Event::parse(deep, {.max_json_depth = 100}); }) ==
        "event JSON: nests deeper than 100 levels (max_json_depth)");
}
