#pragma once
// Runs a program to completion for end-to-end tests: feeds stdin, captures stdout and stderr,
// kills it if it outlives a deadline (a hung binary fails the test instead of hanging CI).

#include <chrono>
#include <string>
#include <vector>

namespace acrawl::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;
  std::chrono::duration<double> elapsed{};
};

// Throws std::system_error if the program cannot be started.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_data = {},
                          std::chrono::seconds deadline = std::chrono::seconds(60));

}  // namespace acrawl::test
