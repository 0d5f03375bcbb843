#include "detail/utf8.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "eventwire/json.hpp"
#include "support/python_oracle.hpp"

using eventwire::detail::ascii_prefix_length;
using eventwire::detail::is_valid_utf8;

namespace {

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// Strings of every length up to 40 around the word-at-a-time fast path: plain ASCII, and one
// odd byte sequence (valid multi-byte, truncated, overlong, surrogate, stray continuation) at
// every position, including inside the last partial word.
std::vector<std::string> samples() {
  const std::vector<std::string> odd = {
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xe2\x82", "\x80",
      "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x7f"};
  std::vector<std::string> out;
  for (std::size_t length = 0; length <= 40; ++length) {
    const std::string plain(length, 'a');
    out.push_back(plain);
    for (std::size_t at = 0; at <= length; ++at) {
      for (const auto& piece : odd)
        out.push_back(plain.substr(0, at) + piece + plain.substr(at));
    }
  }
  std::mt19937 rng(7);  // and random bytes, mostly ASCII
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 33, 'x');
    for (char& c : s)
      c = static_cast<char>(rng() % 8 == 0 ? 0x80 + rng() % 128 : 0x20 + rng() % 95);
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("is_valid_utf8 accepts exactly what Python's strict UTF-8 decoder accepts") {
  const auto inputs = samples();
  eventwire::json request = eventwire::json::array();
  for (const auto& s : inputs)
    request.push_back(hex(s));
  const eventwire::json expected = eventwire::testing::run_python_oracle("utf8_valid.py", request);
  REQUIRE(expected.size() == inputs.size());
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    INFO("bytes " << hex(inputs[i]));
    CHECK(is_valid_utf8(inputs[i]) == expected[i].get<bool>());
    invalid += expected[i].get<bool>() ? 0 : 1;
  }
  CHECK(invalid > 1000);  // the samples do exercise refusals
}

TEST_CASE("ascii_prefix_length stops at or before the first byte above 0x7F") {
  for (std::size_t length = 0; length <= 24; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      std::string s(length, 'a');
      if (at < length) s[at] = '\xc3';
      const std::size_t prefix = ascii_prefix_length(s);
      INFO("length " << length << ", non-ASCII at " << at);
      CHECK(prefix <= at);
      CHECK((at == length) == (prefix == length));
    }
  }
}
