// libFuzzer target for parameter hydration: any parameters JSON hydrates against a fixed event's
// context or fails with a HydrationError, and CompiledParameters gives the same result or the
// same error as hydrate(), with and without typed single expressions, also from the context
// projected on what its templates read and from an EventTemplateContext.
//   scripts/fuzz 60            (or: build/fuzz/tests/fuzz/hydrate_fuzz tests/fuzz/corpus/hydrate)
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "eventwire/template.hpp"
#include "fixed_events.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();  // an invariant broke: libFuzzer saves the input
}

/// The output of a hydration, or the message of its HydrationError.
struct Outcome {
  std::optional<eventwire::json> value{};
  std::string error{};
  bool operator==(const Outcome&) const = default;
};

template <typename Hydrate>
Outcome outcome_of(Hydrate&& hydrate) {
  try {
    return {.value = hydrate()};
  } catch (const eventwire::HydrationError& e) {
    return {.error = e.what()};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto environment = [] {
    eventwire::TemplateLimits limits;
    limits.max_output_bytes = 100'000;
    limits.max_loop_iterations = 10'000;
    return eventwire::Environment::prefect().set_limits(limits);
  }();
  static const auto contexts = [] {
    std::array<eventwire::json, 2> out;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = eventwire::event_context(eventwire::fuzz::fixed_events()[i]);
    }
    return out;
  }();

  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parameters = eventwire::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parameters.is_discarded()) return 0;
  for (bool typed : {true, false}) {
    const eventwire::HydrateOptions options{.typed_single_expressions = typed};
    std::optional<eventwire::CompiledParameters> compiled;
    std::string compile_error;
    try {
      compiled.emplace(eventwire::CompiledParameters::compile(parameters, environment, options));
    } catch (const eventwire::HydrationError& e) {
      compile_error = e.what();
    }
    for (std::size_t i = 0; i < contexts.size(); ++i) {
      const auto& context = contexts[i];
      const auto& event = eventwire::fuzz::fixed_events()[i];
      const Outcome direct =
          outcome_of([&] { return eventwire::hydrate(parameters, context, environment, options); });
      if (compiled) {
        check(outcome_of([&] { return compiled->hydrate(context); }) == direct);
        // Only what the templates read, and lookups answered from the event: the same result.
        check(outcome_of([&] {
                return compiled->hydrate(eventwire::event_context(event, compiled->reads()));
              }) == direct);
        check(outcome_of([&] {
                eventwire::EventTemplateContext lazy(event);
                return compiled->hydrate(lazy);
              }) == direct);
      } else {
        // A template that does not compile fails hydrate() with the same message (when hydrate
        // reaches it: an earlier parameter may fail first at render).
        check(!direct.value);
      }
    }
  }
  return 0;
}
