// Internal: an event built in place in its shared allocation (see share_event in store.hpp).
#pragma once

#include <memory>

#include "eventwire/event.hpp"

namespace eventwire::detail {

/// A default Event (now, a fresh UUID v7, an empty payload object) in the same single allocation
/// share_event makes, for a builder that fills it in place and then publishes it as an EventPtr:
/// no Event is moved into the allocation and no moved-from shell is destroyed.
std::shared_ptr<Event> make_shared_event();

}  // namespace eventwire::detail
