// libFuzzer target for the event model: any text parses into an Event or fails with an
// eventwire::error; a parsed event validates, writes back to the same event, and serves as the
// parent of a typed Infrahub event (EventMeta::from_parent reads its context, level and
// ancestors back from the payload and related resources).
//   scripts/fuzz 60            (or: build/fuzz/tests/fuzz/event_fuzz tests/fuzz/corpus/event)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "eventwire/error.hpp"
#include "eventwire/event.hpp"
#include "eventwire/infrahub/events.hpp"
#include "eventwire/meta.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();  // an invariant broke: libFuzzer saves the input
}

void exercise_as_parent(const eventwire::Event& parent) {
  using namespace eventwire;
  try {
    auto context = parent.payload.find("context");
    if (context != parent.payload.end()) InfrahubContext::from_json(*context);
  } catch (const eventwire::error&) {
  }
  try {
    infrahub::BranchCreatedEvent child{
        .meta = EventMeta::from_parent(parent), .branch_name = "b", .branch_id = "1"};
    check(child.meta.level >= 1);
    Event wire = infrahub::to_event(child);
    wire.validate();
  } catch (const eventwire::error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  eventwire::Event event;
  try {
    event = eventwire::Event::parse(text);
  } catch (const eventwire::error&) {
    return 0;
  }
  // Accepted input is a valid event that survives its own wire form.
  event.validate();
  const std::string wire = event.dump();
  check(eventwire::Event::parse(wire) == event);
  check(eventwire::Event::from_json(event.to_json()) == event);
  exercise_as_parent(event);
  return 0;
}
