#include "eventwire/uuid.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>
#include <unordered_set>

#include "eventwire/error.hpp"

using eventwire::Uuid;

TEST_CASE("UUID text round-trips in canonical and hyphen-less forms") {
  Uuid id = Uuid::parse("0190C2A4-7C3E-7B1A-9F00-1A2B3C4D5E6F");
  CHECK(id.to_string() == "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f");
  CHECK(Uuid::parse("0190c2a47c3e7b1a9f001a2b3c4d5e6f") == id);
  CHECK(id.version() == 7);
  CHECK(Uuid{}.is_nil());
  CHECK(Uuid{}.to_string() == "00000000-0000-0000-0000-000000000000");
}

TEST_CASE("append_to writes the canonical text after what the string holds") {
  const auto id = Uuid::parse("0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f");
  std::string out = "prefect.event.";
  id.append_to(out);
  CHECK(out == "prefect.event.0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f");
  std::string empty;
  Uuid{}.append_to(empty);
  CHECK(empty == "00000000-0000-0000-0000-000000000000");
}

TEST_CASE("UUID parse refuses bad text") {
  for (const char* bad :
       {"", "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6", "0190c2a4x7c3e-7b1a-9f00-1a2b3c4d5e6f",
        "g190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f", "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f0"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(Uuid::parse(bad), eventwire::ParseError);
    Uuid out;
    CHECK_FALSE(Uuid::try_parse(bad, out));
  }
}

TEST_CASE("v7 ids carry the time, the version and the variant, and increase per thread") {
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  Uuid previous = Uuid::v7();
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i)
    ms = (ms << 8) | previous.bytes()[static_cast<std::size_t>(i)];
  CHECK(static_cast<long long>(ms) >= before);
  CHECK(static_cast<long long>(ms) <= before + 1000);
  CHECK(previous.version() == 7);
  CHECK((previous.bytes()[8] & 0xC0) == 0x80);
  for (int i = 0; i < 100000; ++i) {  // many ids per millisecond: the counter keeps them ordered
    Uuid next = Uuid::v7();
    REQUIRE(previous < next);
    previous = next;
  }
}

TEST_CASE("ids from concurrent threads are unique") {
  std::vector<std::vector<Uuid>> made(4);
  std::vector<std::thread> threads;
  for (auto& bucket : made) {
    threads.emplace_back([&bucket] {
      for (int i = 0; i < 20000; ++i)
        bucket.push_back(Uuid::v7());
    });
  }
  for (auto& t : threads)
    t.join();
  std::unordered_set<Uuid> all;
  for (auto& bucket : made)
    all.insert(bucket.begin(), bucket.end());
  CHECK(all.size() == 80000);
  CHECK(Uuid::v4().version() == 4);
  CHECK(Uuid::v4() != Uuid::v4());
}
