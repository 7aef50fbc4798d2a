#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>

#include "runtime/http_server.hpp"
#include "runtime/loop.hpp"
#include "runtime/scope.hpp"
#include "runtime/tcp.hpp"
#include "runtime/timer.hpp"

using namespace acrawl::rt;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBigBody = 32 << 20;  // more than the socket buffers hold

HttpReply handle(std::string_view path, const HttpRequest&) {
  HttpReply reply;
  if (path == "/throw") throw std::runtime_error("handler failed");
  if (path == "/big") {
    reply.body.assign(kBigBody, 'x');
    return reply;
  }
  if (path == "/missing") {
    reply.status = 404;
    reply.body = "no\n";
    return reply;
  }
  reply.body = "path=" + std::string(path) + "\n";
  return reply;
}

// Reads until the server closes (bounded, so a server that never closes fails the test).
Task<std::string> read_to_end(TcpStream& s) {
  std::string got;
  std::array<char, 65536> buf;
  for (;;) {
    std::size_t n = 0;
    try {
      n = co_await with_timeout(s.read(buf), 10s);
    } catch (const std::system_error&) {
      break;  // reset: what was read is the answer
    }
    if (n == 0) break;
    got.append(buf.data(), n);
  }
  co_return got;
}

Task<std::string> exchange(std::uint16_t port, std::string request) {
  TcpStream s = co_await TcpStream::connect("127.0.0.1", port);
  co_await s.write_all(request);
  co_return co_await read_to_end(s);
}

// Runs body(server) against a server with limits, then stops the server.
template <class Body>
Task<void> with_server(HttpServerLimits limits, Body body) {
  HttpServer server("127.0.0.1", 0, handle, limits);
  Scope scope;
  scope.spawn(server.serve());
  try {
    co_await body(server);
  } catch (...) {
    scope.cancel();
    throw;
  }
  scope.cancel();
  co_await scope.join();
}

// Waits (polling the loop every millisecond, 10 s at most) until done() holds: the server's
// counters change on its own tasks' turns.
template <class Done>
Task<void> until(Done done) {
  const auto deadline = Clock::now() + 10s;
  while (!done()) {
    REQUIRE(Clock::now() < deadline);
    co_await sleep_for(1ms);
  }
}

int count_of(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("http server: GET and HEAD answers, query stripped, Date, keep-alive and pipelining") {
  run(with_server({}, [](HttpServer& server) -> Task<void> {
    std::string got =
        co_await exchange(server.port(),
                          "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"
                          "HEAD /status HTTP/1.1\r\nHost: a\r\n\r\n"
                          "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    CHECK(count_of(got, "HTTP/1.1 200 OK\r\n") == 3);
    CHECK(got.find("path=/metrics\n") != std::string::npos);
    CHECK(got.find("path=/status") == std::string::npos);            // HEAD: no body
    CHECK(got.find("Content-Length: 13\r\n") != std::string::npos);  // the HEAD's length
    CHECK(got.find("path=/last\n") != std::string::npos);
    CHECK(got.find("\r\nDate: ") != std::string::npos);
    CHECK(got.find("\r\nServer: acrawl\r\n") != std::string::npos);
    CHECK(got.find("Connection: close") > got.find("path=/metrics"));
    CHECK(got.ends_with("path=/last\n"));
  }));
}

TEST_CASE("http server: every malformed or unsupported request gets its status") {
  run(with_server({}, [](HttpServer& server) -> Task<void> {
    const std::uint16_t port = server.port();
    std::string post =
        co_await exchange(port, "POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    CHECK(post.starts_with("HTTP/1.1 405 "));
    CHECK(post.find("Allow: GET, HEAD\r\n") != std::string::npos);
    // With a body: 405 still (the method is what is wrong), and the connection closes.
    std::string posted =
        co_await exchange(port, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(posted.starts_with("HTTP/1.1 405 "));
    CHECK(posted.find("Connection: close") != std::string::npos);
    std::string body =
        co_await exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(body.starts_with("HTTP/1.1 413 "));
    CHECK(body.find("Connection: close") != std::string::npos);
    CHECK((co_await exchange(port, "garbage\r\n\r\n")).starts_with("HTTP/1.1 400 "));
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400.
    CHECK((co_await exchange(port, "GET / HTTP/1.1\r\n\r\n")).starts_with("HTTP/1.1 400 "));
    CHECK((co_await exchange(port, "GET / HTTP/2.0\r\n\r\n")).starts_with("HTTP/1.1 505 "));
    std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
    CHECK((co_await exchange(port, huge)).starts_with("HTTP/1.1 431 "));
    CHECK((co_await exchange(port, "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n"))
              .starts_with("HTTP/1.1 405 "));
    std::string thrown =
        co_await exchange(port, "GET /throw HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    CHECK(thrown.starts_with("HTTP/1.1 500 "));
    std::string missing =
        co_await exchange(port, "GET /missing HTTP/1.0\r\n\r\n");  // 1.0: closes by default
    CHECK(missing.starts_with("HTTP/1.1 404 "));
    CHECK(missing.ends_with("no\n"));
  }));
}

TEST_CASE("http server: idle connections are closed silently, slow heads with 408") {
  HttpServerLimits limits;
  limits.idle_timeout = 200ms;
  limits.head_timeout = 200ms;
  run(with_server(limits, [](HttpServer& server) -> Task<void> {
    const auto start = Clock::now();
    CHECK(co_await exchange(server.port(), "") == "");
    std::string slow = co_await exchange(server.port(), "GET / HTTP/1.1\r\nHost:");
    CHECK(slow.starts_with("HTTP/1.1 408 "));
    // Both ended by the server's timeouts, long before read_to_end's own 10 s bound.
    CHECK(Clock::now() - start < 8s);
  }));
}

TEST_CASE("http server: a client that does not read its answer is dropped") {
  HttpServerLimits limits;
  limits.write_timeout = 200ms;
  run(with_server(limits, [](HttpServer& server) -> Task<void> {
    TcpStream s = co_await TcpStream::connect("127.0.0.1", server.port());
    co_await s.write_all("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    // Not reading: the server's write stalls on full buffers until write_timeout ends it.
    co_await until([&] { return server.open_connections() == 1; });
    co_await until([&] { return server.open_connections() == 0; });
    std::string got = co_await read_to_end(s);
    CHECK(got.starts_with("HTTP/1.1 200 "));
    CHECK(got.size() < kBigBody);
  }));
}

TEST_CASE("http server: past max_connections, the connection idle longest makes room") {
  HttpServerLimits limits;
  limits.max_connections = 2;
  run(with_server(limits, [](HttpServer& server) -> Task<void> {
    TcpStream a = co_await TcpStream::connect("127.0.0.1", server.port());
    co_await until([&] { return server.idle_connections() == 1; });
    TcpStream b = co_await TcpStream::connect("127.0.0.1", server.port());
    co_await until([&] { return server.idle_connections() == 2; });
    // A third client is served; a, idle longest, is ended without an answer.
    std::string c =
        co_await exchange(server.port(), "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    CHECK(c.ends_with("path=/c\n"));
    CHECK(co_await read_to_end(a) == "");
    co_await b.write_all("GET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    CHECK((co_await read_to_end(b)).ends_with("path=/b\n"));
  }));
}

TEST_CASE("http server: past max_connections with none idle, a newcomer is closed at once") {
  HttpServerLimits limits;
  limits.max_connections = 2;
  run(with_server(limits, [](HttpServer& server) -> Task<void> {
    // Two clients in the middle of their request heads: busy, not idle.
    TcpStream a = co_await TcpStream::connect("127.0.0.1", server.port());
    TcpStream b = co_await TcpStream::connect("127.0.0.1", server.port());
    co_await a.write_all("GET /a HTTP/1.1\r\n");
    co_await b.write_all("GET /b HTTP/1.1\r\n");
    co_await until(
        [&] { return server.open_connections() == 2 && server.idle_connections() == 0; });
    CHECK(co_await exchange(server.port(), "GET / HTTP/1.1\r\nHost: a\r\n\r\n") == "");
    co_await a.write_all("Host: a\r\nConnection: close\r\n\r\n");
    co_await b.write_all("Host: a\r\nConnection: close\r\n\r\n");
    CHECK((co_await read_to_end(a)).ends_with("path=/a\n"));
    CHECK((co_await read_to_end(b)).ends_with("path=/b\n"));
  }));
}

TEST_CASE("http server: a taken port and a name instead of an address are refused") {
  run([]() -> Task<void> {
    HttpServer first("127.0.0.1", 0, handle);
    try {
      HttpServer second("127.0.0.1", first.port(), handle);
      FAIL("binding a taken port should throw");
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::errc::address_in_use);
    }
    CHECK_THROWS_AS(HttpServer("localhost", 0, handle), std::invalid_argument);
    co_return;
  }());
}
