// Jinja's `tojson` as Prefect runs it: json.dumps(value, sort_keys=True[, indent=N]) with
// ensure_ascii, then `<`, `>`, `&`, `'` replaced by \u003c, \u003e, \u0026, \u0027. The writer is
// the one the wire form uses (detail/json_writer), in json.dumps's dialect.
#include "detail/json_writer.hpp"
#include "template/runtime.hpp"

namespace eventwire::detail {

void write_tojson(std::string& out, const json& value, const std::string* indent) {
  JsonStyle style = tojson_style;
  if (indent) style.indent = *indent;
  try {
    write_json(out, value, style);
  } catch (const ValidationError& e) {  // a string that is not UTF-8
    throw TemplateRuntimeError("tojson: " + std::string(e.what()), "UnicodeDecodeError");
  }
}

}  // namespace eventwire::detail
