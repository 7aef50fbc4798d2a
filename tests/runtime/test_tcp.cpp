#include <doctest/doctest.h>

#include <array>
#include <string>
#include <system_error>

#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/tcp.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;

namespace {

Task<void> echo_once(TcpListener* listener) {
  TcpStream conn = co_await listener->accept();
  std::array<char, 4096> buf;
  for (;;) {
    std::size_t n = co_await conn.read(buf);
    if (n == 0) break;
    co_await conn.write_all(std::string_view(buf.data(), n));
  }
}

Task<std::string> client(std::uint16_t port, std::string message) {
  TcpStream s = co_await TcpStream::connect("127.0.0.1", port);
  co_await s.write_all(message);
  s.shutdown_write();
  std::string got;
  std::array<char, 1000> buf;
  for (;;) {
    std::size_t n = co_await s.read(buf);
    if (n == 0) break;
    got.append(buf.data(), n);
  }
  co_return got;
}

Task<std::string> echo_roundtrip(std::string message) {
  TcpListener listener = TcpListener::bind("127.0.0.1", 0);
  Scope scope;
  scope.spawn(echo_once(&listener));
  auto reply = scope.spawn(client(listener.port(), message));
  co_await scope.join();
  co_return reply.result();
}

Task<void> read_forever(TcpStream* s, bool* cancelled) {
  std::array<char, 16> buf;
  try {
    std::size_t n = co_await s->read(buf);
    (void)n;
  } catch (const Cancelled&) {
    *cancelled = true;
    throw;
  }
}

Task<void> accept_and_hold(TcpListener* listener, TcpStream* out) {
  *out = co_await listener->accept();
}

Task<bool> cancel_blocked_read() {
  TcpListener listener = TcpListener::bind("127.0.0.1", 0);
  TcpStream server_side;
  Scope accept_scope;
  accept_scope.spawn(accept_and_hold(&listener, &server_side));
  TcpStream c = co_await TcpStream::connect("127.0.0.1", listener.port());
  co_await accept_scope.join();
  bool cancelled = false;
  Scope scope;
  auto reader = scope.spawn(read_forever(&c, &cancelled));
  co_await yield();  // the read has started and waits for data
  CHECK_FALSE(reader.done());
  reader.cancel();  // the peer never writes: only cancellation can end this read
  co_await scope.join();
  co_return cancelled;
}

Task<void> connect_refused() {
  TcpListener listener = TcpListener::bind("127.0.0.1", 0);
  std::uint16_t port = listener.port();
  listener.close();
  TcpStream s = co_await TcpStream::connect("127.0.0.1", port);
}

}  // namespace

TEST_CASE("tcp: accept, connect, write and read round-trip (1 MB)") {
  std::string message(1 << 20, 'x');
  for (std::size_t i = 0; i < message.size(); i += 7) message[i] = static_cast<char>('a' + i % 26);
  CHECK(run(echo_roundtrip(message)) == message);
}

TEST_CASE("tcp: a blocked read is woken by cancellation") {
  CHECK(run(cancel_blocked_read()));
}

TEST_CASE("tcp: connecting to a closed port throws ECONNREFUSED") {
  try {
    run(connect_refused());
    FAIL("connect should have failed");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::connection_refused);
  }
}
