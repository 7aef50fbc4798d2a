#pragma once
// MetricsEndpoint: the --metrics server. GET /metrics answers in the Prometheus text format,
// GET /status with the JSON summary so far. It runs an rt::HttpServer on a loop and thread of
// its own, so a scrape never takes time from the crawl's loop or its transfers: it reads the
// crawl's atomics and copies its counts under the output's lock, a few microseconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "crawler/config.hpp"
#include "crawler/metrics/metrics_snapshot.hpp"

namespace acrawl::rt {
class Loop;
}

namespace acrawl::crawler {

class MetricsEndpoint {
 public:
  using Source = std::function<MetricsSnapshot()>;

  // Binds address and starts serving; until a source is set, both paths answer 503. An answer
  // is computed at most once per 50 ms and path (a client asking faster gets it again). Throws
  // ConfigError when the address cannot be listened on (taken, not this host's, a privileged
  // port, no descriptor left), std::system_error when the system refuses a thread or an epoll.
  explicit MetricsEndpoint(const ListenAddress& address);
  // Stops serving: closes the listener and every connection, and joins the thread.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The port bound (the one chosen, for port 0).
  std::uint16_t port() const noexcept { return port_; }

  // Where the figures come from (any thread); an empty one: 503 again. Waits for an answer
  // being computed from the previous source, so that source may go once this returns.
  void set_source(Source source);

 private:
  void run(ListenAddress address, std::function<void(std::uint16_t, std::exception_ptr)> bound);
  std::string answer(std::string_view path, int& status, std::string& type);

  struct Rendered {
    std::optional<std::chrono::steady_clock::time_point> at;
    std::string body;
  };

  std::mutex source_mutex_;  // also guards the answers kept
  Source source_;
  Rendered metrics_text_;
  Rendered status_text_;
  std::mutex loop_mutex_;
  rt::Loop* loop_ = nullptr;  // while serving
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace acrawl::crawler
