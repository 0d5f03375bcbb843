// Internal: reading the wire form without validating it, for events already accepted once (a
// store reading back its own history must not refuse it when the host's limits change).
#pragma once

#include "eventwire/event.hpp"

namespace eventwire::detail {

/// Event::from_json without the final validate(): types are still checked, rules are not.
Event read_wire_event(const json& value, const EventLimits& limits);

}  // namespace eventwire::detail
