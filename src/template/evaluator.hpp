// Internal: rendering a compiled Program.
#pragma once

#include <string>

#include "template/program.hpp"

namespace eventwire::detail {

/// Renders `program` with `context`, appending to `out`. Throws UndefinedError or
/// TemplateRuntimeError.
void render_program(const Program& program, const EnvironmentState& env, const json& context,
                    std::string& out);

}  // namespace eventwire::detail
