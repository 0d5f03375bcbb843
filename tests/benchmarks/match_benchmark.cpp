// Trigger matching: eventwire's compiled matcher against baselines run in the same process.
//
//   cmake --preset release -DEVENTWIRE_BUILD_BENCHMARKS=ON && cmake --build --preset release
//   ./build/release/tests/benchmarks/match_benchmark
//
// Baselines:
// - naive: what a direct port of Prefect's Python would do, patterns kept as text and
//   interpreted for every event (a recursive glob that re-reads `[...]` each time);
// - std_regex: every glob translated once to a std::regex (as fnmatch.translate does) and
//   matched with std::regex_match;
// - compile_per_event: eventwire's own convenience overload, which compiles on every call.
// Every variant checks the same (trigger, event) pairs, and they must agree on how many match.
#include <benchmark/benchmark.h>

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/detail/glob.hpp"
#include "eventwire/match.hpp"

namespace ew = eventwire;

namespace {

// --- an Infrahub-like workload ------------------------------------------------------------------

std::vector<ew::EventTrigger> infrahub_triggers() {
  const char* role = "prefect.resource.role";
  const char* label = "infrahub.resource.label";
  return {
      {.events = {"infrahub.node.created", "infrahub.node.updated"},
       .match = {{"infrahub.node.kind", "NetworkDevice"}}},
      {.events = {"infrahub.node.created", "infrahub.node.updated"},
       .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}},
      {.events = {"infrahub.node.created"},
       .match = {{"infrahub.node.kind", "NetworkDevice"}},
       .match_related = {{role, "infrahub.branch"}, {label, "main"}}},
      {.events = {"infrahub.node.updated"},
       .match = {{"infrahub.node.kind", "IPAddress"}},
       .match_related = {{role, "infrahub.branch"}, {label, "!main"}}},
      {.events = {"infrahub.schema.updated"},
       .match_related = {{role, "infrahub.branch"}, {label, "main"}}},
      {.events = {"infrahub.node.*"}, .match = {{"infrahub.node.kind", "Core*"}}},
      {.events = {"infrahub.node.updated"},
       .match = {{"infrahub.node.kind", "InfraDevice"}},
       .match_related = {{role,
                          {"infrahub.node.attribute_update", "infrahub.node.relationship_update"}},
                         {"infrahub.field.name", {"name", "description", "role"}}}},
      {.events = {"infrahub.branch.*"}, .match = {{"infrahub.branch.name", "!main"}}},
  };
}

std::vector<ew::Event> infrahub_events() {
  std::vector<ew::Event> events;
  const char* kinds[] = {"NetworkDevice",  "IPAddress",   "IPPrefix",
                         "CoreRepository", "InfraDevice", "BuiltinTag"};
  const char* actions[] = {"created", "updated", "deleted"};
  const char* branches[] = {"main", "feature-1"};
  int n = 0;
  for (const char* kind : kinds) {
    for (const char* action : actions) {
      const char* branch = branches[n++ % 2];
      ew::Event e{.event = std::string("infrahub.node.") + action,
                  .resource = {{"prefect.resource.id", "infrahub.node.1790c4a2"},
                               {"infrahub.node.kind", kind},
                               {"infrahub.node.id", "1790c4a2"},
                               {"infrahub.node.action", action},
                               {"infrahub.node.root_id", "1790c4a2"},
                               {"infrahub.branch.name", branch}}};
      e.related = {
          {{"prefect.resource.id", "1.2.0"}, {"prefect.resource.role", "infrahub.version"}},
          {{"prefect.resource.id", "0190c2a4"},
           {"prefect.resource.role", "infrahub.event"},
           {"infrahub.event.has_children", "false"},
           {"infrahub.event.level", "0"}},
          {{"prefect.resource.id", "infrahub.account.42"},
           {"prefect.resource.role", "infrahub.account"},
           {"infrahub.resource.id", "42"}},
          {{"prefect.resource.id", "infrahub.branch.7f3c"},
           {"prefect.resource.role", "infrahub.branch"},
           {"infrahub.resource.id", "7f3c"},
           {"infrahub.resource.label", branch}},
          {{"prefect.resource.id", "infrahub.node.1790c4a2"},
           {"prefect.resource.role", "infrahub.node.attribute_update"},
           {"infrahub.field.name", "description"}},
      };
      events.push_back(std::move(e));
    }
  }
  ew::Event branch_created{.event = "infrahub.branch.created",
                           .resource = {{"prefect.resource.id", "infrahub.branch.feature-2"},
                                        {"infrahub.branch.name", "feature-2"}}};
  events.push_back(branch_created);
  return events;
}

// --- baseline 1: interpret the pattern text for every event
// ---------------------------------------

bool naive_glob(std::string_view p, std::string_view v) {
  if (p.empty()) return v.empty();
  if (p[0] == '*') {
    for (std::size_t i = 0; i <= v.size(); ++i) {
      if (naive_glob(p.substr(1), v.substr(i))) return true;
    }
    return false;
  }
  if (v.empty()) return false;
  if (p[0] == '[') {
    std::size_t body = p.size() > 1 && p[1] == '!' ? 2 : 1;
    std::size_t close = p.find(']', body + 1);
    if (close != std::string_view::npos) {
      bool in = false;
      for (std::size_t i = body; i < close; ++i) {
        if (i + 2 < close && p[i + 1] == '-') {
          in = in || (p[i] <= v[0] && v[0] <= p[i + 2]);
          i += 2;
        } else {
          in = in || p[i] == v[0];
        }
      }
      return in != (body == 2) && naive_glob(p.substr(close + 1), v.substr(1));
    }
  }
  return (p[0] == '?' || p[0] == v[0]) && naive_glob(p.substr(1), v.substr(1));
}

bool naive_label(const std::string& pattern, std::optional<std::string_view> value) {
  if (!value) return false;
  bool negated = !pattern.empty() && pattern[0] == '!';
  return naive_glob(std::string_view(pattern).substr(negated ? 1 : 0), *value) != negated;
}

bool naive_spec(const ew::ResourceSpecification& spec, const ew::Resource& resource) {
  for (const auto& [label, patterns] : spec) {
    const std::optional<std::string_view> value = resource.find(label);
    bool any = false;
    for (const auto& p : patterns.patterns())
      any = any || naive_label(p, value);
    if (!any) return false;
  }
  return true;
}

bool naive_matches(const ew::EventTrigger& t, const ew::Event& e) {
  if (!t.events.empty()) {
    bool any = false;
    for (const auto& name : t.events)
      any = any || naive_glob(name, e.event);
    if (!any) return false;
  }
  if (!naive_spec(t.match, e.resource)) return false;
  for (const auto& spec : t.match_related.specifications()) {
    if (spec.empty()) continue;
    bool any = false;
    for (const auto& r : e.related)
      any = any || naive_spec(spec, r);
    if (!any) return false;
  }
  return true;
}

// --- baseline 2: globs translated once to std::regex
// ----------------------------------------------

std::string glob_to_ecmascript(std::string_view p) {
  std::string out;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*') {
      out += "[\\s\\S]*";
    } else if (c == '?') {
      out += "[\\s\\S]";
    } else if (c == '[' && p.find(']', i + 2) != std::string_view::npos) {
      std::size_t close = p.find(']', i + 2);
      out += '[';
      std::size_t body = i + 1;
      if (p[body] == '!') {
        out += '^';
        ++body;
      }
      for (std::size_t k = body; k < close; ++k) {
        if (p[k] == '\\' || p[k] == '^' || p[k] == ']') out += '\\';
        out += p[k];
      }
      out += ']';
      i = close;
    } else {
      if (std::string_view("\\^$.|+()[]{}").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

struct RegexPattern {
  bool negated;
  std::regex regex;
  bool matches(std::optional<std::string_view> value) const {
    return value && std::regex_match(value->begin(), value->end(), regex) != negated;
  }
};
RegexPattern regex_pattern(const std::string& text) {
  bool negated = !text.empty() && text[0] == '!';
  return {negated, std::regex(glob_to_ecmascript(std::string_view(text).substr(negated ? 1 : 0)),
                              std::regex::ECMAScript | std::regex::optimize)};
}

struct RegexTrigger {
  using Spec = std::vector<std::pair<std::string, std::vector<RegexPattern>>>;
  std::vector<std::regex> names;
  Spec match;
  std::vector<Spec> related;

  static Spec spec(const ew::ResourceSpecification& s) {
    Spec out;
    for (const auto& [label, patterns] : s) {
      std::vector<RegexPattern> compiled;
      for (const auto& p : patterns.patterns())
        compiled.push_back(regex_pattern(p));
      out.emplace_back(label, std::move(compiled));
    }
    return out;
  }
  explicit RegexTrigger(const ew::EventTrigger& t) {
    for (const auto& name : t.events)
      names.emplace_back(glob_to_ecmascript(name));
    match = spec(t.match);
    for (const auto& s : t.match_related.specifications()) {
      if (!s.empty()) related.push_back(spec(s));
    }
  }
  static bool spec_matches(const Spec& s, const ew::Resource& r) {
    for (const auto& [label, patterns] : s) {
      const std::optional<std::string_view> value = r.find(label);
      bool any = false;
      for (const auto& p : patterns)
        any = any || p.matches(value);
      if (!any) return false;
    }
    return true;
  }
  bool matches(const ew::Event& e) const {
    if (!names.empty()) {
      bool any = false;
      for (const auto& n : names)
        any = any || std::regex_match(e.event, n);
      if (!any) return false;
    }
    if (!spec_matches(match, e.resource)) return false;
    for (const auto& s : related) {
      bool any = false;
      for (const auto& r : e.related)
        any = any || spec_matches(s, r);
      if (!any) return false;
    }
    return true;
  }
};

// --- trigger benchmarks: every (trigger, event) pair per iteration
// ---------------------------------

template <typename Match>
void run_pairs(benchmark::State& state, std::size_t triggers, Match&& match) {
  const auto events = infrahub_events();
  std::size_t matched = 0;
  for (auto _ : state) {
    for (const auto& e : events) {
      for (std::size_t t = 0; t < triggers; ++t)
        matched += match(t, e) ? 1 : 0;
    }
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size() * triggers));
  state.counters["matched_per_pass"] =
      static_cast<double>(matched) / static_cast<double>(state.iterations());
}

void BM_Trigger_eventwire_compiled(benchmark::State& state) {
  std::vector<ew::CompiledTrigger> compiled;
  for (const auto& t : infrahub_triggers())
    compiled.push_back(t.compile());
  run_pairs(state, compiled.size(),
            [&](std::size_t t, const ew::Event& e) { return compiled[t].matches(e); });
}
BENCHMARK(BM_Trigger_eventwire_compiled);

void BM_Trigger_naive_reparse(benchmark::State& state) {
  const auto triggers = infrahub_triggers();
  run_pairs(state, triggers.size(),
            [&](std::size_t t, const ew::Event& e) { return naive_matches(triggers[t], e); });
}
BENCHMARK(BM_Trigger_naive_reparse);

void BM_Trigger_std_regex(benchmark::State& state) {
  std::vector<RegexTrigger> triggers;
  for (const auto& t : infrahub_triggers())
    triggers.emplace_back(t);
  run_pairs(state, triggers.size(),
            [&](std::size_t t, const ew::Event& e) { return triggers[t].matches(e); });
}
BENCHMARK(BM_Trigger_std_regex);

void BM_Trigger_eventwire_compile_per_event(benchmark::State& state) {
  const auto triggers = infrahub_triggers();
  run_pairs(state, triggers.size(),
            [&](std::size_t t, const ew::Event& e) { return ew::matches(triggers[t], e); });
}
BENCHMARK(BM_Trigger_eventwire_compile_per_event);

// --- glob benchmarks: one pattern, a few values
// -------------------------------------------------------

const std::vector<std::string> glob_values = {
    "infrahub.node.created",     "infrahub.node.updated",      "infrahub.branch.merged",
    "infrahub.artifact.created", "prefect.flow-run.Completed", "aaaaaaaaaaaaaaaaaaaaaa"};

void BM_Glob_eventwire(benchmark::State& state, const char* pattern) {
  const ew::detail::Glob glob(pattern);
  std::size_t matched = 0;
  for (auto _ : state) {
    for (const auto& v : glob_values)
      matched += glob.matches(v) ? 1 : 0;
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * glob_values.size()));
}
void BM_Glob_naive(benchmark::State& state, const char* pattern) {
  std::size_t matched = 0;
  for (auto _ : state) {
    for (const auto& v : glob_values)
      matched += naive_glob(pattern, v) ? 1 : 0;
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * glob_values.size()));
}
void BM_Glob_std_regex(benchmark::State& state, const char* pattern) {
  const std::regex regex(glob_to_ecmascript(pattern),
                         std::regex::ECMAScript | std::regex::optimize);
  std::size_t matched = 0;
  for (auto _ : state) {
    for (const auto& v : glob_values)
      matched += std::regex_match(v, regex) ? 1 : 0;
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * glob_values.size()));
}

#define EVENTWIRE_GLOB_BENCHMARKS(name, pattern)       \
  BENCHMARK_CAPTURE(BM_Glob_eventwire, name, pattern); \
  BENCHMARK_CAPTURE(BM_Glob_naive, name, pattern);     \
  BENCHMARK_CAPTURE(BM_Glob_std_regex, name, pattern)

EVENTWIRE_GLOB_BENCHMARKS(literal, "infrahub.node.created");
EVENTWIRE_GLOB_BENCHMARKS(prefix, "infrahub.node.*");
EVENTWIRE_GLOB_BENCHMARKS(suffix, "*.created");
EVENTWIRE_GLOB_BENCHMARKS(general, "infrahub.*.[cu]?*d");
EVENTWIRE_GLOB_BENCHMARKS(many_stars, "*a*a*a*a*a*a*b");

}  // namespace

BENCHMARK_MAIN();
