// RedisConnection against a real redis-server started by the test on 127.0.0.1.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/redis.hpp"
#include "runtime/scope.hpp"
#include "tests/support/redis_server.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;
using acrawl::test::RedisServer;

namespace {

// The arguments built outside the calling coroutine (GCC 12 mishandles a braced list there).
template <class... Args>
Task<RedisReply> cmd(RedisConnection& r, Args... args) {
  return r.command(std::vector<std::string>{std::string(args)...});
}

Task<std::unique_ptr<RedisConnection>> open(int port) {
  co_return co_await RedisConnection::connect("127.0.0.1", port, 5s);
}

Task<long long> incr(RedisConnection* r) {
  RedisReply reply = co_await cmd(*r, "INCR", "n");
  co_return reply.integer;
}

}  // namespace

TEST_CASE("RedisConnection: commands and replies, binary-safe, of every type") {
  RedisServer server;
  Loop loop;
  loop.run([](int port) -> Task<void> {
    auto r = co_await open(port);
    const std::string value("a\0b\r\nc", 6);
    RedisReply set = co_await cmd(*r, "SET", "k", value);
    CHECK(set.type == RedisReply::Type::status);
    CHECK(set.str == "OK");
    RedisReply get = co_await cmd(*r, "GET", "k");
    CHECK(get.type == RedisReply::Type::string);
    CHECK(get.str == value);
    CHECK((co_await cmd(*r, "GET", "missing")).type == RedisReply::Type::nil);
    RedisReply list = co_await cmd(*r, "RPUSH", "l", "x", "y");
    CHECK(list.integer == 2);
    RedisReply range = co_await cmd(*r, "LRANGE", "l", "0", "-1");
    REQUIRE(range.type == RedisReply::Type::array);
    REQUIRE(range.elements.size() == 2);
    CHECK(range.elements[1].str == "y");
    RedisReply bad = co_await cmd(*r, "NOSUCHCOMMAND");
    CHECK(bad.is_error());
    CHECK(r->connected());  // an error reply is a reply
  }(server.port()));
}

TEST_CASE("RedisConnection: a thousand commands in flight at once, each reply to its own") {
  RedisServer server;
  Loop loop;
  loop.run([](int port) -> Task<void> {
    auto r = co_await open(port);
    std::vector<Task<long long>> tasks;
    for (int i = 0; i < 1000; ++i) tasks.push_back(incr(r.get()));
    std::vector<long long> got = co_await gather(std::move(tasks));
    // Pipelined in order: the i-th INCR sent is the i-th answered.
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == static_cast<long long>(i) + 1);
  }(server.port()));
}

TEST_CASE("RedisConnection: nothing listening is a RedisError, not a hang") {
  int port = 0;
  {
    RedisServer server;
    port = server.port();
  }
  Loop loop;
  bool refused = false;
  loop.run([](int p, bool* out) -> Task<void> {
    try {
      co_await open(p);
    } catch (const RedisError& e) {
      *out = std::string(e.what()).find("redis 127.0.0.1:") != std::string::npos;
    }
  }(port, &refused));
  CHECK(refused);
}

TEST_CASE("RedisConnection: a server that dies under a waiting command ends it with RedisError") {
  RedisServer server;
  Loop loop;
  loop.run([](RedisServer* s) -> Task<void> {
    auto r = co_await open(s->port());
    auto probe = co_await open(s->port());
    Scope scope;
    bool lost = false;
    auto waiting = scope.spawn([](RedisConnection* c, bool* out) -> Task<void> {
      try {
        co_await cmd(*c, "BLPOP", "never", "0");
      } catch (const RedisError&) {
        *out = true;
      }
    }(r.get(), &lost));
    // The BLPOP is blocked at the server once CLIENT LIST shows it.
    for (;;) {
      RedisReply clients = co_await cmd(*probe, "CLIENT", "LIST");
      if (clients.str.find("cmd=blpop") != std::string::npos) break;
    }
    s->stop();
    co_await scope.join();
    CHECK(lost);
    CHECK_FALSE(r->connected());
    bool refused = false;
    try {
      co_await cmd(*r, "PING");
    } catch (const RedisError&) {
      refused = true;
    }
    CHECK(refused);
  }(&server));
}

TEST_CASE("RedisConnection: a cancelled wait ends at once; the connection goes on") {
  RedisServer server;
  Loop loop;
  loop.run([](int port) -> Task<void> {
    auto r = co_await open(port);
    auto probe = co_await open(port);
    Scope scope;
    auto blocked = scope.spawn(cmd(*r, "BLPOP", "q", "0"));
    for (;;) {
      RedisReply clients = co_await cmd(*probe, "CLIENT", "LIST");
      if (clients.str.find("cmd=blpop") != std::string::npos) break;
    }
    blocked.cancel();
    co_await scope.join();
    CHECK(blocked.cancelled());
    // The BLPOP still holds the connection's place in line: once it is answered (and its
    // reply dropped), the next command gets its own reply.
    co_await cmd(*probe, "RPUSH", "q", "x");
    RedisReply pong = co_await cmd(*r, "PING");
    CHECK(pong.str == "PONG");
  }(server.port()));
}
