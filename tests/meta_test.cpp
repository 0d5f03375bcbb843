#include "eventwire/meta.hpp"
#include <catch2/catch.hpp>
TEST_CASE("placeholder meta") { CHECK(true); }
