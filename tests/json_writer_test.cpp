#include "detail/json_writer.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "eventwire/error.hpp"
#include "support/python_oracle.hpp"

using eventwire::json;
using eventwire::detail::pydantic_style;
using eventwire::detail::to_json_text;
using eventwire::detail::tojson_style;

namespace {

// Values that exercise every rule: float forms at each exponent boundary, escapes, key order.
json corpus() {
  json values = json::array();
  for (double d : {0.0,
                   -0.0,
                   1.0,
                   2.5,
                   100.0,
                   0.1,
                   0.30000000000000004,
                   1e-4,
                   1e-5,
                   1.5e-5,
                   1e-6,
                   1e-7,
                   2.5e-7,
                   1e-10,
                   1e15,
                   1e16,
                   1.5e16,
                   1e17,
                   1e21,
                   1e22,
                   1e300,
                   5e-324,
                   1.7976931348623157e308,
                   123456789012345678.0,
                   9007199254740992.0,
                   12345678.9,
                   -1.224812623201524e-119,
                   1234.5678,
                   0.000123,
                   99999999999999.98}) {
    values.push_back(d);
  }
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> bits;
  for (int i = 0; i < 300; ++i) {
    std::uint64_t b = bits(rng);
    double d;
    std::memcpy(&d, &b, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
  }
  std::uniform_real_distribution<double> decimal(-1e6, 1e6);
  for (int i = 0; i < 100; ++i)
    values.push_back(std::round(decimal(rng) * 1000) / 1000);
  for (const char* s : {"", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", "\x01\x1f\x7f",
                        "caf\xc3\xa9", "\xf0\x9f\x9a\x80 rocket", "\xe2\x80\xa8 line sep",
                        "<a href='x'>&</a>", "\xef\xbb\xbf bom", "\xe4\xb8\x9c\xe4\xba\xac"}) {
    values.push_back(s);
  }
  values.push_back(json::parse(
      R"({"b": 1, "a": [true, false, null], "\u00e9": {}, "B": [], "10": 1, "9": 2, "_": -3})"));
  values.push_back(json::parse(R"([[], {}, [[1]], {"z": {"y": {"x": [1.5, "s"]}}}])"));
  values.push_back(json::parse(R"({"int": 12345678901234567890, "neg": -9223372036854775808})"));
  return values;
}

}  // namespace

TEST_CASE("the writer matches pydantic's wire form and Jinja's tojson, byte for byte") {
  json values = corpus();
  json expected = eventwire::testing::run_python_oracle("json_dialects.py", values);
  REQUIRE(expected.size() == values.size());
  auto indented = tojson_style;
  indented.indent = "  ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    CAPTURE(i, values[i].dump());
    if (!expected[i]["pydantic"].is_null()) {  // null: python3 has no pydantic here
      CHECK(to_json_text(values[i], pydantic_style) == expected[i]["pydantic"].get<std::string>());
    }
    CHECK(to_json_text(values[i], tojson_style) == expected[i]["tojson"].get<std::string>());
    CHECK(to_json_text(values[i], indented) == expected[i]["tojson_indent"].get<std::string>());
  }
}

TEST_CASE("one string literal is written as the whole writer writes it, in every style") {
  // write_json_string copies short plain text directly; anything else goes through the writer.
  std::vector<std::string> texts = {
      "",          "a",     "infrahub.node.kind", "say \"hi\"", "back\\slash",
      "tab\there", "<b>&'", "caf\xc3\xa9",        "\x7f",       "ok\x01"};
  for (std::size_t n : {63, 64, 65, 200})
    texts.push_back(std::string(n, 'x'));
  texts.push_back(std::string(64, 'x') + "\"");
  texts.push_back(std::string(63, 'x') + "\n");
  for (const auto* style : {&pydantic_style, &tojson_style}) {
    for (const auto& text : texts) {
      CAPTURE(text);
      std::string out = "prefix";
      eventwire::detail::write_json_string(out, text, *style);
      CHECK(out == "prefix" + to_json_text(json(text), *style));
    }
  }
  std::string out;
  CHECK_THROWS_AS(eventwire::detail::write_json_string(out, "ok\xe2\x82", pydantic_style),
                  eventwire::ValidationError);
}

TEST_CASE("the writer refuses invalid UTF-8 with a ValidationError") {
  for (const char* bad :
       {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(to_json_text(json(bad), pydantic_style), eventwire::ValidationError);
  }
}

TEST_CASE("non-finite floats: null in pydantic's form, NaN/Infinity in json.dumps's") {
  CHECK(to_json_text(json(std::nan("")), pydantic_style) == "null");
  CHECK(to_json_text(json(-INFINITY), tojson_style) == "-Infinity");
  CHECK(to_json_text(json(std::nan("")), tojson_style) == "NaN");
}
