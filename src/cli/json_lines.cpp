#include "cli/json_lines.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "detail/json_text.hpp"
#include "eventwire/error.hpp"
#include "eventwire/template.hpp"

namespace eventwire::cli {

// Lines are read with the event limits' defaults for size and nesting.
constexpr std::size_t max_line_bytes = 16'000'000;
constexpr std::size_t max_line_depth = 512;

std::string_view error_type_name(const std::exception& e) noexcept {
  if (dynamic_cast<const TemplateSyntaxError*>(&e)) return "TemplateSyntaxError";
  if (dynamic_cast<const UndefinedError*>(&e)) return "UndefinedError";
  if (dynamic_cast<const TemplateRuntimeError*>(&e)) return "TemplateRuntimeError";
  if (dynamic_cast<const HydrationError*>(&e)) return "HydrationError";
  if (dynamic_cast<const LimitError*>(&e)) return "LimitError";
  if (dynamic_cast<const ValidationError*>(&e)) return "ValidationError";
  if (dynamic_cast<const ParseError*>(&e)) return "ParseError";
  if (dynamic_cast<const error*>(&e)) return "Error";
  return "InternalError";
}

int process_json_lines(std::istream& in, std::ostream& out,
                       const std::function<json(const json& line)>& handle) {
  int status = 0;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json result;
    try {
      result = handle(detail::parse_json_text(line, "line " + std::to_string(number),
                                              max_line_bytes, max_line_depth));
    } catch (const std::exception& e) {
      result = {{"error", {{"type", error_type_name(e)}, {"message", e.what()}}}};
      if (const auto* t = dynamic_cast<const TemplateError*>(&e); t && t->line() > 0) {
        result["error"]["line"] = t->line();  // where in the template, as Jinja reports it
        if (t->column() > 0) result["error"]["column"] = t->column();  // 0: not known
      }
      status = 1;
    }
    out << result.dump() << '\n';
  }
  out.flush();
  return status;
}

json read_json_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw error(path + ": cannot be read");
  std::stringstream text;
  text << file.rdbuf();
  return detail::parse_json_text(text.str(), path, max_line_bytes, max_line_depth);
}

}  // namespace eventwire::cli
