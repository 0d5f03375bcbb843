// libFuzzer target for the template engine: any input compiles or fails with a TemplateError,
// and whatever compiles renders or fails with one, within the configured limits.
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DEVENTWIRE_BUILD_FUZZERS=ON
//   cmake --build build/fuzz --target template_fuzz
//   mkdir -p /tmp/template-corpus
//   build/fuzz/tests/fuzz/template_fuzz -max_total_time=600 /tmp/template-corpus \
//     tests/fuzz/corpus/template
// tests/fuzz/corpus/template is the kept seed corpus: at most 200 inputs, chosen from a run's
// corpus by greedy set cover of the edges they reach (libFuzzer -merge=1 with
// -merge_control_file, then the 200 inputs adding the most new edges).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eventwire/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const eventwire::json context = eventwire::json::parse(
      R"({"x": [1, 2.5, "s", null, true], "d": {"a": {"b": [1, {"c": "é"}]}, "k": "v"}, "s": "text",
          "n": 3})");
  static const auto environments = [] {
    eventwire::TemplateLimits limits;
    limits.max_output_bytes = 100'000;
    limits.max_loop_iterations = 10'000;
    return std::array{eventwire::Environment::prefect().set_limits(limits),
                      eventwire::Environment::jinja_sandbox().set_limits(limits),
                      eventwire::Environment::jinja_sandbox()
                          .set_undefined(eventwire::UndefinedPolicy::strict)
                          .set_limits(limits)};
  }();
  std::string_view source(reinterpret_cast<const char*>(data), size);
  for (const auto& env : environments) {
    try {
      env.compile(source).render(context);
    } catch (const eventwire::TemplateError&) {
    }
  }
  return 0;
}
