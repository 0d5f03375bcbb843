#include "detail/python_format.hpp"

#include <catch2/catch.hpp>

#include "detail/unicode_tables.hpp"

using eventwire::json;
using namespace eventwire::detail;

// Expectations are Python 3.11's output, as pinned in shared/reference/jinja.md 2.7-2.9.

TEST_CASE("python_float_repr prints floats as Python's repr") {
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(1e-05) == "1e-05");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(-0.0) == "-0.0");
  CHECK(python_float_repr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(python_float_repr(1.5e-07) == "1.5e-07");
  CHECK(python_float_repr(-1.224812623201524e-119) == "-1.224812623201524e-119");
}

TEST_CASE("python_repr and python_str of JSON values") {
  CHECK(python_repr(json::parse(R"({"a": [1, null, true, 1.5, "x"]})")) ==
        "{'a': [1, None, True, 1.5, 'x']}");
  CHECK(python_str(json("text")) == "text");
  CHECK(python_str(json(nullptr)) == "None");
  CHECK(python_str(json(json::value_t::discarded)).empty());
  CHECK(python_repr(json::array({json(json::value_t::discarded)})) == "[Undefined]");
}

TEST_CASE("python_string_repr quotes and escapes as CPython") {
  CHECK(python_string_repr("it's") == "\"it's\"");
  CHECK(python_string_repr("say \"hi\"") == "'say \"hi\"'");
  CHECK(python_string_repr("both ' and \"") == "'both \\' and \"'");
  CHECK(python_string_repr("a\nb\tc\x01\x7f\\") == "'a\\nb\\tc\\x01\\x7f\\\\'");
  CHECK(python_string_repr("Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80") ==
        "'Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80'");
  // NBSP, soft hyphen, U+200B, U+2028, U+3000, BOM are not printable.
  CHECK(python_string_repr("\xc2\xa0\xc2\xad\xe2\x80\x8b\xe2\x80\xa8\xe3\x80\x80\xef\xbb\xbf") ==
        "'\\xa0\\xad\\u200b\\u2028\\u3000\\ufeff'");
  CHECK_FALSE(is_python_printable(0xE000));  // private use
  CHECK(is_python_printable(0x1F680));
}

TEST_CASE("Python's case mapping, strip, replace and split") {
  CHECK(python_upper("stra\xc3\x9f"
                     "e") == "STRASSE");
  CHECK(python_lower("\xce\xa3\xce\x91\xce\xa3") == "\xcf\x83\xce\xb1\xcf\x82");  // ΣΑΣ -> σας
  CHECK(python_strip("\xe3\x80\x80 a \xe2\x80\xa8") == "a");
  CHECK(python_strip_chars("xxhixx", "x") == "hi");
  CHECK(python_replace("abc", "", "-") == "-a-b-c-");
  CHECK(python_replace("aaa", "a", "b", 2) == "bba");
  std::string comma = ",";
  CHECK(python_split("a,b,,c", &comma) == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(python_split("  a  b ", nullptr) == std::vector<std::string>{"a", "b"});
  CHECK(python_title("hello world") == "Hello World");
  CHECK(python_capitalize("hELLO") == "Hello");
}
