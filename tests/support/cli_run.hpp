// Running the eventwire command line tool from a test, as a user runs it (EVENTWIRE_CLI is the
// built binary's path).
#pragma once

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace eventwire::test {

struct Run {
  int status;
  std::string out;
};

/// Runs `eventwire <arguments>` through the shell, capturing stdout (stderr joins it with 2>&1
/// when asked).
inline Run eventwire_cli(const std::string& arguments) {
  std::string command = std::string(EVENTWIRE_CLI) + " " + arguments;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// The lines of `text`.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

}  // namespace eventwire::test
