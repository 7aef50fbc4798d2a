#pragma once
// RedisConnection: hiredis's asynchronous API on a Loop. The connection's socket is watched by
// the loop's epoll; commands are written as they are issued and their replies matched in order,
// so any number may be in flight at once (pipelining: a batch costs one round trip).
//
//   auto redis = co_await rt::RedisConnection::connect("127.0.0.1", 6379, 2s);
//   rt::RedisReply r = co_await redis->command({"INCR", "counter"});
//
// Loop thread only. The connection must outlive every command task on it.

#include <hiredis/async.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/loop.hpp"
#include "runtime/task.hpp"

namespace acrawl::rt {

// An owned copy of a reply. An error reply (type error) is a reply: the server answered.
struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string str;  // string, status, error
  std::vector<RedisReply> elements;

  bool is_error() const noexcept { return type == Type::error; }
};

// The connection cannot be made or was lost: refused, timed out, reset, closed by the server.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A command's arguments as command() takes them. Build them with this outside a coroutine's
// body, not as a braced list inside it (GCC 12 mishandles those). Throws only std::bad_alloc.
template <class... Args>
std::vector<std::string> redis_argv(Args... args) {
  std::vector<std::string> out;
  out.reserve(sizeof...(args));
  (out.push_back(std::string(std::move(args))), ...);
  return out;
}

class RedisConnection final : public IoWatcher, public TimerNode {
 public:
  // Connects to host:port (an IP address) without blocking the loop. Throws RedisError when the
  // connection is refused or not made within timeout; a cancellation point (the attempt is
  // dropped).
  static Task<std::unique_ptr<RedisConnection>> connect(std::string host, int port,
                                                        std::chrono::milliseconds timeout);

  // Closes the connection; commands still waiting end with RedisError. Never throws.
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command (its arguments binary-safe) and returns its reply. Throws RedisError when
  // the connection is (or gets) lost before the reply. Cancellation stops the wait only: the
  // command may still run on the server, and its reply is then dropped.
  Task<RedisReply> command(std::vector<std::string> argv);

  // False once the connection is lost (every later command throws RedisError).
  bool connected() const noexcept { return ctx_ != nullptr && !lost_; }
  // Why it was lost ("" while connected).
  const std::string& error() const noexcept { return error_; }

 private:
  struct Pending;
  struct Connecting;
  RedisConnection() = default;

  void on_io(std::uint32_t events) noexcept override;
  void on_timer() noexcept override;
  void update_watch() noexcept;
  void lose(std::string why) noexcept;

  static void on_connect(const redisAsyncContext* c, int status);
  static void on_disconnect(const redisAsyncContext* c, int status);
  static void on_reply(redisAsyncContext* c, void* reply, void* privdata);
  static void ev_add_read(void* self);
  static void ev_del_read(void* self);
  static void ev_add_write(void* self);
  static void ev_del_write(void* self);
  static void ev_cleanup(void* self);

  redisAsyncContext* ctx_ = nullptr;
  Loop* loop_ = nullptr;
  IoHandle io_{};
  int fd_ = -1;
  bool want_read_ = false;
  bool want_write_ = false;
  bool lost_ = false;
  std::string error_;
  Connecting* connecting_ = nullptr;  // the connect() waiting for the outcome
};

}  // namespace acrawl::rt
