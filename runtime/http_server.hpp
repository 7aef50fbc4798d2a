#pragma once
// HttpServer: a small HTTP/1.1 server on the loop for answers computed at once (status pages,
// metrics). It serves GET and HEAD, keep-alive and pipelined requests; everything else gets
// its proper error status. It is built to face any client on the network: a request head
// must arrive whole within head_timeout (one byte at a time does not hold a connection), an
// idle keep-alive connection is closed after idle_timeout, a client that does not read its
// answer is dropped after write_timeout, and past max_connections the connection idle longest
// is ended to make room (when none is idle, the newcomer is closed at once).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "runtime/http_request.hpp"
#include "runtime/task.hpp"
#include "runtime/tcp.hpp"

namespace acrawl::rt {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Computes the answer to a GET or HEAD request (path without the query). Runs on the loop
// thread, so it must be quick. An exception it throws becomes a 500 answer.
using HttpHandler = std::function<HttpReply(std::string_view path, const HttpRequest& request)>;

struct HttpServerLimits {
  std::size_t max_connections = 64;
  std::size_t max_head = 8192;
  std::chrono::milliseconds head_timeout{5000};   // from a request's first byte to its last
  std::chrono::milliseconds idle_timeout{30000};  // waiting for a request on a kept connection
  std::chrono::milliseconds write_timeout{10000};
};

class HttpServer {
 public:
  // Binds ip:port now (port 0: an ephemeral port), so that a bad or taken address is reported
  // before anything else starts. Throws std::system_error (EADDRINUSE, EADDRNOTAVAIL, ...) or
  // std::invalid_argument for an address that is not a numeric IPv4 or IPv6 address.
  HttpServer(const std::string& ip, std::uint16_t port, HttpHandler handler,
             HttpServerLimits limits = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const noexcept { return listener_.port(); }
  // Connections being served now; of them, those waiting for a request.
  std::size_t open_connections() const noexcept { return open_; }
  std::size_t idle_connections() const noexcept { return idle_.size(); }

  // Serves until cancelled; then closes the listener and every connection, and throws
  // Cancelled. A client's errors (resets, timeouts, garbage) end only its connection. Throws
  // std::system_error when accepting fails for another reason than a lack of descriptors.
  Task<void> serve();

 private:
  Task<void> accept_loop(class Scope* scope);
  Task<void> connection(TcpStream stream);

  TcpListener listener_;
  HttpHandler handler_;
  HttpServerLimits limits_;
  std::size_t open_ = 0;
  std::map<std::uint64_t, int> idle_;  // connections waiting for a request: order -> socket
  std::uint64_t idle_seq_ = 0;
};

}  // namespace acrawl::rt
