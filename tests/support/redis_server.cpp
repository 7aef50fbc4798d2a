#include "tests/support/redis_server.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace acrawl::test {

namespace {

constexpr const char* kRedis = "/usr/bin/redis-server";

// A port the kernel just handed out on 127.0.0.1 (free now; redis-server binds it next).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("redis server: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("redis server: no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

bool RedisServer::available() {
  return ::access(kRedis, X_OK) == 0;
}

RedisServer::RedisServer(bool persistent) : persistent_(persistent) {
  char tmpl[] = "/tmp/acrawl-redis-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("redis server: mkdtemp");
  dir_ = tmpl;
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (try_start(free_port())) return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  throw std::runtime_error("redis server: it did not start");
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void RedisServer::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void RedisServer::start() {
  if (pid_ > 0) return;
  for (int attempt = 0; attempt < 50; ++attempt) {
    // The port was ours a moment ago; a connection of the old server may still hold it briefly.
    if (try_start(port_)) return;
  }
  throw std::runtime_error("redis server: it did not start again on port " + std::to_string(port_));
}

bool RedisServer::try_start(int port) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("redis server: pipe");
  const std::string port_s = std::to_string(port);
  std::vector<std::string> args = {kRedis,
                                   "--port",
                                   port_s,
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--dir",
                                   dir_,
                                   "--logfile",
                                   "",
                                   "--daemonize",
                                   "no",
                                   "--appendonly",
                                   persistent_ ? "yes" : "no",
                                   "--appendfsync",
                                   "always"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, kRedis, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("redis server: cannot start " + std::string(kRedis));
  }
  // Its log, until it says it is ready (or it exits: the port was taken).
  std::string log;
  bool ready = false;
  char buf[4096];
  for (;;) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 30'000) <= 0) break;
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    log.append(buf, static_cast<std::size_t>(n));
    if (log.find("Ready to accept connections") != std::string::npos) {
      ready = true;
      break;
    }
  }
  ::close(out[0]);  // later log lines go nowhere (redis-server ignores SIGPIPE)
  if (!ready) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return false;
  }
  pid_ = pid;
  port_ = port;
  return true;
}

}  // namespace acrawl::test
