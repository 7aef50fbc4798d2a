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

namespace acrawl::test {

// A running child for interactive tests: feed stdin piecemeal, read stdout as it comes, send
// signals. stderr goes to a pipe, or to a pseudo-terminal when stderr_is_terminal.
class Child {
 public:
  // Throws std::system_error if the program cannot be started.
  Child(const std::string& program, const std::vector<std::string>& args,
        bool stderr_is_terminal = false);
  ~Child();  // kills the child if it still runs
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void write_stdin(const std::string& data);
  void close_stdin();
  // Reads stdout until it holds at least `lines` newlines or the deadline passes; returns all
  // stdout read so far.
  const std::string& read_lines(std::size_t lines, std::chrono::milliseconds deadline);
  // Reads stdout and stderr until stderr holds `needle` at least `count` times or the deadline
  // passes; returns whether it does.
  bool wait_stderr(const std::string& needle, std::size_t count,
                   std::chrono::milliseconds deadline);
  // The read end of the child's stdout, for a test that leaves it unread (a stalled reader).
  int stdout_fd() const { return out_fd_; }
  void send_signal(int sig);
  // Waits for the exit (killing the child after the deadline), reads what is left; returns the
  // exit code (128 + signal when killed by one).
  int wait(std::chrono::milliseconds deadline);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void pump(int timeout_ms);

  int pid_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  int exit_code_ = -1;
};

}  // namespace acrawl::test
