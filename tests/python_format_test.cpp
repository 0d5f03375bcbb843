#include "detail/python_format.hpp"
#include <catch2/catch.hpp>
TEST_CASE("placeholder pf") { CHECK(true); }
