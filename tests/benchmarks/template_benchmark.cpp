// Compile and render speed of eventwire's templates against Python Jinja2 (Prefect's
// environment), measured in the same run: Jinja2 is timed by jinja_timing.py in a subprocess,
// eventwire by Google Benchmark, and the ratios are printed at the end.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/event.hpp"
#include "eventwire/template.hpp"
#include "eventwire/timestamp.hpp"

namespace {

using eventwire::json;
using eventwire::Template;

// An infrahub.node.updated event with a realistic changelog and related resources.
json context() {
  eventwire::Event e{.occurred = eventwire::parse_timestamp("2025-03-14T09:26:53.589793Z"),
                     .event = "infrahub.node.updated",
                     .resource = {{"prefect.resource.id", "infrahub.node.1803d0c5"},
                                  {"infrahub.node.kind", "NetworkDevice"},
                                  {"infrahub.branch.name", "main"},
                                  {"infrahub.account.id", "18a0e5b2"}}};
  for (int i = 0; i < 8; ++i) {
    e.related.push_back({{"prefect.resource.id", "infrahub.related." + std::to_string(i)},
                         {"prefect.resource.role", i == 0 ? "infrahub.branch" : "infrahub.node"},
                         {"infrahub.resource.label", "label " + std::to_string(i)}});
  }
  json attributes = json::object();
  for (const char* name : {"name", "description", "role", "status", "weight", "asn"}) {
    attributes[name] = {{"name", name},
                        {"value", std::string(name) + " new"},
                        {"value_previous", std::string(name) + " old"},
                        {"kind", "Text"}};
  }
  e.payload = {{"data",
                {{"node_id", "1803d0c5"},
                 {"kind", "NetworkDevice"},
                 {"action", "updated"},
                 {"changelog",
                  {{"display_label", "Router – Zürich 🚀"},
                   {"attributes", attributes},
                   {"relationships", json::object()}}},
                 {"fields", {"name", "description", "role"}},
                 {"count", 3},
                 {"ratio", 0.25}}},
               {"context", {{"branch", {{"name", "main"}}}, {"account", {{"id", "18a0e5b2"}}}}}};
  return eventwire::event_context(e);
}

const std::map<std::string, std::vector<std::string>>& sets() {
  static const std::map<std::string, std::vector<std::string>> s = {
      // Every template of the seed's ExecuteWorkflow parameters.
      {"seed",
       {"{{ event.payload['data']['changelog']['display_label'] }}",
        "{{ event.payload['data'] | tojson }}", "{{ event.payload['data']['node_id'] }}",
        "{{ event.resource['infrahub.branch.name'] }}", "{{ event.payload['data']['kind'] }}",
        "{{ event.event }}", "{{ event.resource['infrahub.account.id'] }}", "{{ event.occurred }}",
        "{{ event.payload['data']['changelog'] | tojson }}"}},
      // A loop/conditional template, as notification bodies are written.
      {"loop",
       {"{% for r in event.related %}{% if r['prefect.resource.role'] == 'infrahub.branch' %}"
        "branch={{ r['infrahub.resource.label'] }}{% else %}{{ loop.index }}:"
        "{{ r['prefect.resource.id'] | upper }}{% endif %}{% if not loop.last %}, {% endif %}"
        "{% endfor %}\n{% for name, attr in event.payload['data']['changelog']['attributes'] | "
        "dictsort %}{{ name }}: {{ attr.value_previous | default('-') }} -> {{ attr.value }}"
        "{% if attr.kind != 'Text' %} ({{ attr.kind }}){% endif %}\n{% endfor %}"
        "{{ event.payload['data']['fields'] | join(', ') }} x{{ event.payload['data']['count'] * 2 "
        "}}"}},
  };
  return s;
}

std::vector<Template> compile_set(const std::vector<std::string>& sources) {
  std::vector<Template> out;
  for (const auto& s : sources)
    out.push_back(Template::compile(s));
  return out;
}

void BM_compile(benchmark::State& state, const std::string& set) {
  for (auto _ : state)
    benchmark::DoNotOptimize(compile_set(sets().at(set)));
}

void BM_render(benchmark::State& state, const std::string& set) {
  json ctx = context();
  auto templates = compile_set(sets().at(set));
  std::string out;
  for (auto _ : state) {
    for (const auto& t : templates) {
      out.clear();
      t.render_to(out, ctx);
      benchmark::DoNotOptimize(out.data());
    }
  }
}

json seed_parameters() {
  return {{"webhook_name", "{{ event.payload['data']['changelog']['display_label'] }}"},
          {"event_data",
           {{"__prefect_kind", "json"},
            {"value",
             {{"__prefect_kind", "jinja"}, {"template", "{{ event.payload['data'] | tojson }}"}}}}},
          {"timeout", 300}};
}

// hydrate() compiles the parameters' templates on every call.
void BM_hydrate_seed(benchmark::State& state) {
  json ctx = context();
  json parameters = seed_parameters();
  for (auto _ : state)
    benchmark::DoNotOptimize(eventwire::hydrate(parameters, ctx));
}

// CompiledParameters compiles them once, as a trigger registration does.
void BM_hydrate_compiled_seed(benchmark::State& state) {
  json ctx = context();
  auto compiled = eventwire::CompiledParameters::compile(seed_parameters());
  for (auto _ : state)
    benchmark::DoNotOptimize(compiled.hydrate(ctx));
}

// Microseconds per run of `fn`, best of several batches (as jinja_timing.py measures).
template <typename F>
double best_us(F fn, int number) {
  double best = 1e300;
  for (int r = 0; r < 5; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < number; ++i)
      fn();
    std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - start;
    best = std::min(best, d.count() / number);
  }
  return best;
}

json time_jinja2() {
  json request = {{"context", context()}, {"sets", sets()}};
  std::string in = "/tmp/eventwire-bench-request.json", out = "/tmp/eventwire-bench-answer.json";
  std::ofstream(in) << request.dump();
  std::string command = "python3 " EVENTWIRE_BENCH_DIR "/jinja_timing.py < " + in + " > " + out;
  if (std::system(command.c_str()) != 0) return nullptr;
  std::ifstream f(out);
  std::stringstream text;
  text << f.rdbuf();
  std::remove(in.c_str());
  std::remove(out.c_str());
  return json::parse(text.str());
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& [name, _] : sets()) {
    benchmark::RegisterBenchmark(("compile/" + name).c_str(), BM_compile, name);
    benchmark::RegisterBenchmark(("render/" + name).c_str(), BM_render, name);
  }
  benchmark::RegisterBenchmark("hydrate/seed", BM_hydrate_seed);
  benchmark::RegisterBenchmark("hydrate/compiled-seed", BM_hydrate_compiled_seed);
  // A filtered run (profiling one benchmark) skips the Jinja2 comparison.
  bool filtered = false;
  for (int i = 1; i < argc; ++i)
    filtered = filtered || std::string_view(argv[i]).starts_with("--benchmark_filter");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  if (filtered) return 0;

  json jinja = time_jinja2();
  if (jinja.is_null()) {
    std::cerr << "python3 with Jinja2 is not available: no ratios\n";
    return 0;
  }
  json ctx = context();
  std::printf("\n%-8s %14s %14s %9s %14s %14s %9s\n", "set", "jinja2 compile", "ours compile",
              "ratio", "jinja2 render", "ours render", "ratio");
  for (const auto& [name, sources] : sets()) {
    double compile_us = best_us([&] { benchmark::DoNotOptimize(compile_set(sources)); }, 2000);
    auto templates = compile_set(sources);
    std::string out;
    double render_us = best_us(
        [&] {
          for (const auto& t : templates) {
            out.clear();
            t.render_to(out, ctx);
            benchmark::DoNotOptimize(out.data());
          }
        },
        20000);
    double jc = jinja[name]["compile_us"], jr = jinja[name]["render_us"];
    std::printf("%-8s %12.2fus %12.3fus %8.0fx %12.2fus %12.3fus %8.0fx\n", name.c_str(), jc,
                compile_us, jc / compile_us, jr, render_us, jr / render_us);
  }
  return 0;
}
