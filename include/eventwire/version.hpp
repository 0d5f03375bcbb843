/// @file version.hpp
/// eventwire's version. CMake reads the project version from these macros, so they cannot drift.
#pragma once

#define EVENTWIRE_VERSION_MAJOR 0
#define EVENTWIRE_VERSION_MINOR 1
#define EVENTWIRE_VERSION_PATCH 0

/// major * 10000 + minor * 100 + patch, as fmt and spdlog do.
#define EVENTWIRE_VERSION \
  (EVENTWIRE_VERSION_MAJOR * 10000 + EVENTWIRE_VERSION_MINOR * 100 + EVENTWIRE_VERSION_PATCH)

#define EVENTWIRE_STRINGIFY_IMPL(x) #x
#define EVENTWIRE_STRINGIFY(x) EVENTWIRE_STRINGIFY_IMPL(x)

namespace eventwire {
/// The version as "major.minor.patch"; Infrahub puts its own version in the `infrahub.version`
/// related resource, and eventwire puts this one there unless the host sets another.
inline constexpr const char* version_string =
    EVENTWIRE_STRINGIFY(EVENTWIRE_VERSION_MAJOR) "." EVENTWIRE_STRINGIFY(
        EVENTWIRE_VERSION_MINOR) "." EVENTWIRE_STRINGIFY(EVENTWIRE_VERSION_PATCH);
}  // namespace eventwire
