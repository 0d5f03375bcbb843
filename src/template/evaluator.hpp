// Internal: rendering a compiled Program.
#pragma once

#include <string>

#include "template/program.hpp"

namespace eventwire::detail {

/// Renders `program` with `context`, appending to `out`. Throws UndefinedError or
/// TemplateRuntimeError.
void render_program(const Program& program, const EnvironmentState& env, const json& context,
                    std::string& out);

/// Whether the program is exactly `{{ expr | tojson }}` (Infrahub's json+jinja parameters).
bool is_tojson_expression(const Program& program) noexcept;

/// For such a program, `json.loads` of its output computed without the text: the value of
/// `expr` with object keys sorted at every level, as tojson writes them. Same errors as render.
json tojson_value(const Program& program, const EnvironmentState& env, const json& context);

}  // namespace eventwire::detail
