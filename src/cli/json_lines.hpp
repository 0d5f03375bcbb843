// JSON Lines in, JSON Lines out: the shape of the CLI's stream commands (match, render, hydrate).
#pragma once

#include <functional>
#include <iosfwd>
#include <string_view>

#include "eventwire/json.hpp"

namespace eventwire::cli {

/// Reads `in` line by line; each non-blank line is parsed as JSON and handed to `handle`, whose
/// result is written as one line. A line that fails (bad JSON, or `handle` throws) writes
/// `{"error": {"type": "...", "message": "..."}}` and the stream goes on.
/// Returns the exit status: 0 when every line succeeded, 1 otherwise.
int process_json_lines(std::istream& in, std::ostream& out,
                       const std::function<json(const json& line)>& handle);

/// The exception's eventwire type name, e.g. "ValidationError", for error lines.
std::string_view error_type_name(const std::exception& e) noexcept;

/// Reads a whole file as JSON. Throws eventwire::error naming the file.
json read_json_file(const std::string& path);

}  // namespace eventwire::cli
