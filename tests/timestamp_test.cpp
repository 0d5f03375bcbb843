#include "eventwire/timestamp.hpp"

#include <catch2/catch.hpp>

#include "eventwire/error.hpp"

using eventwire::parse_timestamp;
using eventwire::Timestamp;
using namespace std::chrono;

namespace {
Timestamp at(int y, unsigned m, unsigned d, int h, int mi, int s, int us) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}
}  // namespace

TEST_CASE("format_timestamp writes pydantic's form: microseconds, Z, no fraction when zero") {
  CHECK(eventwire::format_timestamp(at(2021, 2, 3, 4, 5, 6, 7)) == "2021-02-03T04:05:06.000007Z");
  CHECK(eventwire::format_timestamp(at(2021, 2, 3, 4, 5, 6, 0)) == "2021-02-03T04:05:06Z");
  CHECK(eventwire::format_timestamp(at(1999, 12, 31, 23, 59, 59, 999999)) ==
        "1999-12-31T23:59:59.999999Z");
}

TEST_CASE("format_timestamp_python is Python's str(datetime)") {
  CHECK(eventwire::format_timestamp_python(at(2025, 3, 14, 9, 26, 53, 589793)) ==
        "2025-03-14 09:26:53.589793+00:00");
  CHECK(eventwire::format_timestamp_python(at(2025, 3, 14, 9, 26, 53, 0)) ==
        "2025-03-14 09:26:53+00:00");
}

TEST_CASE("parse_timestamp reads what pydantic reads") {
  CHECK(parse_timestamp("2021-02-03T04:05:06.000007Z") == at(2021, 2, 3, 4, 5, 6, 7));
  CHECK(parse_timestamp("2021-02-03T04:05:06Z") == at(2021, 2, 3, 4, 5, 6, 0));
  CHECK(parse_timestamp("2021-02-03 04:05:06.5+00:00") == at(2021, 2, 3, 4, 5, 6, 500000));
  CHECK(parse_timestamp("2021-02-03T04:05:06.1234567Z") == at(2021, 2, 3, 4, 5, 6, 123456));
  CHECK(parse_timestamp("2021-02-03T06:05:06+02:00") == at(2021, 2, 3, 4, 5, 6, 0));
  CHECK(parse_timestamp("2021-02-03T02:05:06-0200") == at(2021, 2, 3, 4, 5, 6, 0));
  // Zone minutes in both forms (+hh:mm, +hhmm), west and east of UTC.
  CHECK(parse_timestamp("2021-02-03T09:35:06+05:30") == at(2021, 2, 3, 4, 5, 6, 0));
  CHECK(parse_timestamp("2021-02-03T00:20:06-0345") == at(2021, 2, 3, 4, 5, 6, 0));
  CHECK(parse_timestamp("2021-02-03T04:05Z") == at(2021, 2, 3, 4, 5, 0, 0));
  CHECK(parse_timestamp("2024-03-01") == at(2024, 3, 1, 0, 0, 0, 0));
  CHECK(parse_timestamp("2024-03-01T00:00:00") == at(2024, 3, 1, 0, 0, 0, 0));  // naive = UTC
  CHECK(parse_timestamp("2024-02-29T12:00:00Z") == at(2024, 2, 29, 12, 0, 0, 0));
}

TEST_CASE("parse_timestamp round-trips format_timestamp") {
  for (auto t : {at(1970, 1, 1, 0, 0, 0, 0), at(2038, 1, 19, 3, 14, 8, 1),
                 at(9999, 12, 31, 23, 59, 59, 999999)}) {
    CHECK(parse_timestamp(eventwire::format_timestamp(t)) == t);
  }
}

TEST_CASE("parse_timestamp refuses malformed text with a ParseError naming it") {
  for (const char* bad :
       {"", "2021", "2021-02-30", "2023-02-29", "2021-13-01", "2021-02-03T24:00:00Z",
        "2021-02-03T04:60:00Z", "2021-02-03T04:05:06.Z", "2021-02-03T04:05:06Zjunk",
        "2021-02-03T04:05:06+25:00", "2021-02-03T04:05:06+02:", "2021-02-03T04:05:06+02:60",
        "yesterday", "2021-02-03T4:05:06Z"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_timestamp(bad), eventwire::ParseError);
  }
  CHECK_THROWS_WITH(parse_timestamp("2021-02-30"),
                    "timestamp '2021-02-30': is not a valid calendar date");
}
