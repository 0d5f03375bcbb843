// Internal: templates that are one lookup of the context, which hydration can answer without
// building a context.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace eventwire::detail {

struct Program;

/// A template that is exactly `{{ a.b['c'] }}` or `{{ a.b['c'] | tojson }}`: constant keys of
/// dicts only (no dict attribute names, no `_` names), nothing else in the template.
struct LookupTemplate {
  std::vector<std::string> path;  // {"a", "b", "c"}
  bool tojson = false;
};

std::optional<LookupTemplate> lookup_template(const Program& program);

}  // namespace eventwire::detail
