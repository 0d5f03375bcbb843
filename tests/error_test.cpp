#include "eventwire/error.hpp"

#include <catch2/catch.hpp>
#include <string>

using eventwire::LimitError;
using eventwire::ValidationError;
using eventwire::with_field_prefix;

TEST_CASE("with_field_prefix returns what the call returns, and passes void through") {
  CHECK(with_field_prefix("event", [] { return 42; }) == 42);
  int calls = 0;
  with_field_prefix("event", [&] { ++calls; });
  CHECK(calls == 1);
}

TEST_CASE("with_field_prefix names the field within the prefix, keeping a LimitError one") {
  try {
    with_field_prefix("trigger",
                      []() -> int { throw ValidationError("events", "must be a list"); });
    FAIL("no exception");
  } catch (const LimitError&) {
    FAIL("a ValidationError became a LimitError");
  } catch (const ValidationError& e) {
    CHECK(e.field() == "trigger.events");
    CHECK(e.rule() == "must be a list");
    CHECK(std::string(e.what()) == "trigger.events: must be a list");
  }
  try {
    with_field_prefix("events[3]", [] { throw LimitError("related", "must be at most 450"); });
    FAIL("no exception");
  } catch (const LimitError& e) {
    CHECK(std::string(e.what()) == "events[3].related: must be at most 450");
  }
  // An index joins without a dot; prefixes nest.
  CHECK_THROWS_WITH(with_field_prefix("actions",
                                      [] {
                                        with_field_prefix("[0]", [] {
                                          throw ValidationError("workflow.name",
                                                                "must be non-empty");
                                        });
                                      }),
                    "actions[0].workflow.name: must be non-empty");
}

TEST_CASE("with_field_prefix leaves other exceptions alone") {
  CHECK_THROWS_AS(with_field_prefix("x", [] { throw eventwire::ParseError("bad"); }),
                  eventwire::ParseError);
  CHECK_THROWS_WITH(with_field_prefix("x", [] { throw eventwire::ParseError("bad"); }), "bad");
  CHECK_THROWS_AS(with_field_prefix("x", [] { throw std::runtime_error("other"); }),
                  std::runtime_error);
}
