#include "eventwire/action.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "eventwire/error.hpp"

namespace eventwire {
namespace {

// Python's repr of a set of names, sorted so the message is stable: {'a', 'b'}.
std::string python_set(const std::set<std::string>& names) {
  std::string out = "{";
  for (const auto& name : names) {
    if (out.size() > 1) out += ", ";
    out += "'" + name + "'";
  }
  return out + "}";
}

}  // namespace

void ExecuteWorkflow::validate_parameters() const {
  if (!parameters.is_object()) {
    throw ValidationError("parameters", fmt::format("must be an object of named parameters for "
                                                    "workflow {}",
                                                    workflow.name));
  }
  std::set<std::string> missing;
  for (const auto& name : workflow.required_parameters) {
    if (!parameters.contains(name)) missing.insert(name);
  }
  if (!missing.empty()) {
    throw ValidationError("parameters",
                          fmt::format("Missing required parameters: {} for workflow {}",
                                      python_set(missing), workflow.name));
  }
  if (workflow.required_parameters.empty() && workflow.optional_parameters.empty()) return;
  auto declared = [&](const std::string& name) {
    auto is = [&](const std::vector<std::string>& list) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    return is(workflow.required_parameters) || is(workflow.optional_parameters);
  };
  std::set<std::string> unsupported;
  for (const auto& [name, value] : parameters.items()) {
    if (!declared(name)) unsupported.insert(name);
  }
  if (!unsupported.empty()) {
    throw ValidationError("parameters", fmt::format("Workflow {} doesn't support parameters: {}",
                                                    workflow.name, python_set(unsupported)));
  }
}

}  // namespace eventwire
