#include "runtime/http_server.hpp"

#include <sys/socket.h>

#include <ctime>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "runtime/http_response.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

namespace acrawl::rt {

namespace {

constexpr std::size_t kReadChunk = 4096;
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = 64 * 1024;  // read while closing, at most

// RFC 9110 §6.6.1: an origin server with a clock sends Date. Caching a status page would
// show stale figures.
std::string fixed_headers() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[96];
  std::size_t n = std::strftime(
      buf, sizeof buf, "Date: %a, %d %b %Y %H:%M:%S GMT\r\nCache-Control: no-store\r\n", &utc);
  return std::string(buf, n);
}

void append_reply(std::string& out, const HttpReply& reply, bool keep_alive, bool head_only,
                  std::string_view extra = {}) {
  std::string headers = fixed_headers();
  headers.append(extra);
  append_response(out,
                  ResponseHead(reply.status, keep_alive, reply.content_type)
                      .with_server("acrawl")
                      .with_headers(headers),
                  reply.body, head_only);
}

HttpReply error_reply(int status) {
  HttpReply reply;
  reply.status = status;
  reply.body = std::string(reason_phrase(status)) + "\n";
  return reply;
}

// The answer to a request that cannot be served, when it is one (the connection then closes).
int refusal(ParseStatus status) noexcept {
  switch (status) {
    case ParseStatus::bad_request:
      return 400;
    case ParseStatus::head_too_large:
      return 431;
    case ParseStatus::version_not_supported:
      return 505;
    case ParseStatus::incomplete:
    case ParseStatus::complete:
      break;
  }
  return 0;
}

Task<void> drain(TcpStream& stream) {
  char sink[kReadChunk];
  std::size_t total = 0;
  while (total < kLingerBytes) {
    std::size_t n = co_await stream.read(std::span<char>(sink, sizeof sink));
    if (n == 0) break;
    total += n;
  }
}

// Half-closes, then reads until the peer closes too (bounded): closing with unread input
// would send a reset that can destroy the answer before the client reads it.
Task<void> close_gracefully(TcpStream& stream) {
  stream.shutdown_write();
  try {
    co_await with_timeout(drain(stream), kLingerTimeout);
  } catch (const TimeoutError&) {
  } catch (const std::system_error&) {
  }
  stream.close();
}

}  // namespace

HttpServer::HttpServer(const std::string& ip, std::uint16_t port, HttpHandler handler,
                       HttpServerLimits limits)
    : listener_(TcpListener::bind(ip, port, 64)), handler_(std::move(handler)), limits_(limits) {}

Task<void> HttpServer::serve() {
  Scope scope;
  scope.spawn_into(accept_loop(&scope));
  try {
    co_await scope.join();
  } catch (...) {
    listener_.close();
    throw;
  }
  listener_.close();
}

Task<void> HttpServer::accept_loop(Scope* scope) {
  for (;;) {
    TcpStream stream = co_await listener_.accept();
    if (open_ >= limits_.max_connections) {
      if (idle_.empty()) {
        stream.close();  // every connection is busy: the newcomer sees its connection end
        continue;
      }
      // Make room by ending the connection that has waited longest for a request: idle
      // connections held open cannot lock a scraper out. Its read wakes with end of stream.
      ::shutdown(idle_.begin()->second, SHUT_RDWR);
      idle_.erase(idle_.begin());
    }
    ++open_;  // counted here: a burst of accepts must not pass the cap before any task runs
    scope->spawn_into(connection(std::move(stream)));
  }
}

Task<void> HttpServer::connection(TcpStream stream) {
  struct Count {
    std::size_t& open;
    ~Count() { --open; }
  } count{open_};
  std::string in;
  std::string out;
  char chunk[kReadChunk];
  try {
    for (;;) {
      // Waiting for a request: idle_timeout; once its first byte is here, head_timeout.
      bool started = !in.empty();
      Clock::time_point deadline =
          Clock::now() + (started ? limits_.head_timeout : limits_.idle_timeout);
      HttpRequest request;
      ParseStatus status = ParseStatus::incomplete;
      while ((status = parse_request(in, limits_.max_head, request)) == ParseStatus::incomplete) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        std::size_t n = 0;
        bool late = left.count() <= 0;
        if (!late) {
          // Between requests, the connection may be ended to make room (accept_loop).
          const std::uint64_t idle_id = started ? 0 : ++idle_seq_;
          if (!started) idle_.emplace(idle_id, stream.fd());
          try {
            n = co_await with_timeout(stream.read(std::span<char>(chunk, sizeof chunk)), left);
          } catch (const TimeoutError&) {
            late = true;
          } catch (...) {
            idle_.erase(idle_id);
            throw;
          }
          idle_.erase(idle_id);
        }
        if (late) {
          if (!started) co_return;  // an idle connection just ends
          out.clear();
          append_reply(out, error_reply(408), false, false);
          co_await with_timeout(stream.write_all(out), limits_.write_timeout);
          co_await close_gracefully(stream);
          co_return;
        }
        if (n == 0) co_return;
        if (!started) {
          started = true;
          deadline = Clock::now() + limits_.head_timeout;
        }
        in.append(chunk, n);
      }
      out.clear();
      bool keep_alive = request.keep_alive;
      if (int code = refusal(status); code != 0) {
        append_reply(out, error_reply(code), false, false);
        keep_alive = false;
      } else if (!request.is_get() && !request.is_head()) {
        // A body (or a tunnel) is not read: the connection ends after the answer.
        if (request.content_length > 0 || request.is_connect()) keep_alive = false;
        append_reply(out, error_reply(405), keep_alive, false, "Allow: GET, HEAD\r\n");
      } else if (request.content_length > 0) {
        // No route takes a body, and skipping one would let a client stream into the server.
        append_reply(out, error_reply(413), false, request.is_head());
        keep_alive = false;
      } else {
        std::string_view path = request.target.substr(0, request.target.find('?'));
        HttpReply reply;
        try {
          reply = handler_(path, request);
        } catch (const std::exception&) {
          reply = error_reply(500);
        }
        append_reply(out, reply, keep_alive, request.is_head());
      }
      co_await with_timeout(stream.write_all(out), limits_.write_timeout);
      if (!keep_alive) {
        co_await close_gracefully(stream);
        co_return;
      }
      in.erase(0, request.head_size);
    }
  } catch (const TimeoutError&) {
    // The client did not take its answer within write_timeout.
  } catch (const std::system_error&) {
    // A reset or a broken pipe: the client is gone.
  }
}

}  // namespace acrawl::rt
