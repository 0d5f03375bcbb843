/// @file json.hpp
/// The JSON value type used for payloads, parameters and template contexts.
#pragma once

#include <nlohmann/json.hpp>

namespace eventwire {

/// nlohmann's insertion-ordered JSON. Ordered, because Prefect and Python keep dict insertion
/// order: an event's payload written back out, or a dict rendered by a template
/// (`{'b': 1, 'a': 2}`), must come out in the order it came in. A plain `nlohmann::json`
/// converts to it implicitly.
using json = nlohmann::ordered_json;

}  // namespace eventwire
