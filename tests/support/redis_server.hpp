#pragma once
// RedisServer: Debian's redis-server started for a test on 127.0.0.1, on a port of its own, its
// data in a temporary directory. Tests wait for its log line "Ready to accept connections",
// never for a time.

#include <sys/types.h>

#include <string>

namespace acrawl::test {

class RedisServer {
 public:
  // persistent: an append-only file fsynced at every write, so a restart keeps the data.
  // Throws std::runtime_error when it cannot be started.
  explicit RedisServer(bool persistent = false);
  // Kills it. Never throws.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const noexcept { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // Stops it (SIGKILL: no goodbye to clients) and waits for the exit. Never throws.
  void stop() noexcept;
  // Starts it again on the same port, with the same directory. Throws std::runtime_error.
  void start();

  static bool available();

 private:
  bool try_start(int port);
  std::string dir_;
  bool persistent_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace acrawl::test
