#include "tests/support/process.hpp"

#include <pty.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <system_error>
#include <thread>

extern char** environ;

namespace acrawl::test {

namespace {
[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_data, std::chrono::seconds deadline) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    fail("pipe2");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    errno = rc;
    fail("posix_spawn");
  }

  ProcessResult result;
  std::size_t written = 0;
  int in_fd = in[1];
  if (stdin_data.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  int fds[2] = {out[0], err[0]};
  std::string* sinks[2] = {&result.out, &result.err};
  bool open[2] = {true, true};
  char buf[65536];
  while (open[0] || open[1]) {
    auto left = deadline - (std::chrono::steady_clock::now() - start);
    if (left <= std::chrono::seconds::zero()) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p[3];
    int n = 0;
    for (int i = 0; i < 2; ++i) {
      if (open[i]) p[n++] = pollfd{fds[i], POLLIN, 0};
    }
    if (in_fd >= 0) p[n++] = pollfd{in_fd, POLLOUT, 0};
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
    if (::poll(p, static_cast<nfds_t>(n), ms + 1) < 0 && errno != EINTR) fail("poll");
    for (int k = 0; k < n; ++k) {
      if (p[k].revents == 0) continue;
      if (p[k].fd == in_fd) {
        ssize_t w = ::write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = stdin_data.size();
        if (written == stdin_data.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      int i = p[k].fd == fds[0] ? 0 : 1;
      ssize_t r = ::read(fds[i], buf, sizeof buf);
      if (r > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        open[i] = false;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace acrawl::test

namespace acrawl::test {

Child::Child(const std::string& program, const std::vector<std::string>& args,
             bool stderr_is_terminal) {
  int in[2], out[2], err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) fail("pipe2");
  if (stderr_is_terminal) {
    if (::openpty(&err[0], &err[1], nullptr, nullptr, nullptr) != 0) fail("openpty");
    ::fcntl(err[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(err[1], F_SETFD, FD_CLOEXEC);
  } else if (::pipe2(err, O_CLOEXEC) != 0) {
    fail("pipe2");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    errno = rc;
    fail("posix_spawn");
  }
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Child::~Child() {
  if (exit_code_ < 0 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_, out_fd_, err_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void Child::write_stdin(const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t w = ::write(in_, data.data() + done, data.size() - done);
    if (w < 0 && errno != EINTR) fail("write");
    if (w > 0) done += static_cast<std::size_t>(w);
  }
}

void Child::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void Child::pump(int timeout_ms) {
  pollfd p[2];
  int n = 0;
  if (out_fd_ >= 0) p[n++] = pollfd{out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) p[n++] = pollfd{err_fd_, POLLIN, 0};
  if (n == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  if (::poll(p, static_cast<nfds_t>(n), timeout_ms) <= 0) return;
  char buf[65536];
  for (int k = 0; k < n; ++k) {
    if (p[k].revents == 0) continue;
    bool is_out = p[k].fd == out_fd_;
    ssize_t r = ::read(p[k].fd, buf, sizeof buf);
    if (r > 0) {
      (is_out ? out_ : err_).append(buf, static_cast<std::size_t>(r));
    } else if (r == 0 || errno != EINTR) {
      ::close(p[k].fd);  // EOF, or EIO on a pty whose other end closed
      (is_out ? out_fd_ : err_fd_) = -1;
    }
  }
}

const std::string& Child::read_lines(std::size_t lines, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  auto count = [this] {
    return static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n'));
  };
  while (count() < lines && std::chrono::steady_clock::now() < end && out_fd_ >= 0) pump(50);
  return out_;
}

bool Child::wait_stderr(const std::string& needle, std::size_t count,
                        std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  auto found = [&] {
    std::size_t n = 0;
    for (auto at = err_.find(needle); at != std::string::npos; at = err_.find(needle, at + 1)) {
      ++n;
    }
    return n >= count;
  };
  while (!found() && std::chrono::steady_clock::now() < end && err_fd_ >= 0) pump(50);
  return found();
}

void Child::send_signal(int sig) {
  ::kill(pid_, sig);
}

int Child::wait(std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    pump(20);
  }
  while (out_fd_ >= 0 || err_fd_ >= 0) pump(0 + 10);
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

}  // namespace acrawl::test
