// Test support: asks real Python (python3 with pydantic / Jinja2) for the expected output, inside
// the test run, so no expectation is ever our own output pasted back.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "eventwire/json.hpp"

#ifndef EVENTWIRE_ORACLE_DIR
#error "tests must define EVENTWIRE_ORACLE_DIR (tests/oracle)"
#endif

namespace eventwire::testing {

/// Runs tests/oracle/<script> with `input` as JSON on stdin; returns its JSON stdout. A script
/// whose Python module is missing answers {"unavailable": why}: see oracle_unavailable.
inline json run_python_oracle(const std::string& script, const json& input) {
  static int counter = 0;
  std::string base = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                     "/eventwire-oracle-" + std::to_string(::getpid()) + "-" +
                     std::to_string(++counter);
  {
    std::ofstream in(base + ".in.json", std::ios::binary);
    in << input.dump();
  }
  std::string command = "python3 " + std::string(EVENTWIRE_ORACLE_DIR) + "/" + script + " < " +
                        base + ".in.json > " + base + ".out.json";
  int rc = std::system(command.c_str());
  std::ifstream out(base + ".out.json", std::ios::binary);
  std::stringstream text;
  text << out.rdbuf();
  std::remove((base + ".in.json").c_str());
  std::remove((base + ".out.json").c_str());
  if (rc != 0) throw std::runtime_error("python oracle failed: " + command);
  return json::parse(text.str());
}

/// True (and a warning in the test log) when the oracle could not run here.
inline bool oracle_unavailable(const json& answer) {
  if (!answer.is_object() || !answer.contains("unavailable")) return false;
  std::fprintf(stderr, "warning: oracle unavailable, comparison skipped: %s\n",
               answer["unavailable"].get<std::string>().c_str());
  return true;
}

}  // namespace eventwire::testing
