// libFuzzer target for triggers: any text reads as an EventTrigger (Prefect's form, Infrahub's
// form, or either as EventTrigger::parse decides) or fails with an eventwire::error; a trigger
// that reads compiles or fails with a ValidationError, and a compiled trigger matches fixed
// events with explain() agreeing with matches(). Text that reads as a whole TriggerDefinition
// (Infrahub's form) writes JSON that reads back equal.
//   scripts/fuzz 60            (or: build/fuzz/tests/fuzz/trigger_fuzz tests/fuzz/corpus/trigger)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "eventwire/error.hpp"
#include "eventwire/match.hpp"
#include "eventwire/trigger.hpp"
#include "fixed_events.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();  // an invariant broke: libFuzzer saves the input
}

void exercise(const eventwire::EventTrigger& trigger) {
  // Both JSON forms read back to a trigger that writes the same JSON.
  const auto prefect = trigger.to_prefect_json();
  check(eventwire::EventTrigger::from_prefect_json(prefect).to_prefect_json() == prefect);
  const auto infrahub = trigger.to_infrahub_json();
  check(eventwire::EventTrigger::from_infrahub_json(infrahub).to_infrahub_json() == infrahub);

  std::optional<eventwire::CompiledTrigger> compiled;
  try {
    compiled.emplace(trigger.compile());
  } catch (const eventwire::ValidationError&) {
    return;
  }
  for (const auto& event : eventwire::fuzz::fixed_events()) {
    const bool matched = compiled->matches(event);
    const auto explanation = compiled->explain(event);
    check(explanation.matched == matched);
    check(matched == explanation.reason.empty());
    if (matched) check(compiled->matches_event_name(event.event));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eventwire::fuzz::fixed_events();  // built outside the try blocks: they must not fail quietly
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    exercise(eventwire::EventTrigger::parse(text));
  } catch (const eventwire::error&) {
  }
  // The same text read explicitly as each form (inputs are at most a few KB: nlohmann's
  // iterative parser is safe at any depth they reach).
  const auto value = eventwire::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  try {
    exercise(eventwire::EventTrigger::from_prefect_json(value));
  } catch (const eventwire::error&) {
  }
  try {
    exercise(eventwire::EventTrigger::from_infrahub_json(value));
  } catch (const eventwire::error&) {
  }
  std::optional<eventwire::TriggerDefinition> definition;
  try {
    definition = eventwire::TriggerDefinition::from_json(value);
  } catch (const eventwire::error&) {
  }
  // Outside the try: a definition that reads must read back from its JSON, not throw.
  if (definition)
    check(eventwire::TriggerDefinition::from_json(definition->to_json()) == *definition);
  return 0;
}
