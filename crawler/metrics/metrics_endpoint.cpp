#include "crawler/metrics/metrics_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <system_error>

#include "crawler/metrics/exposition.hpp"
#include "crawler/metrics/listen_address.hpp"
#include "runtime/http_server.hpp"
#include "runtime/loop.hpp"

namespace acrawl::crawler {

namespace {
constexpr const char* kIndex =
    "acrawl metrics\n/metrics  Prometheus text format\n/status   JSON summary so far\n";
// An answer this young is served again: a client asking in a loop costs the crawl one
// snapshot per path per interval, however fast it asks.
constexpr auto kFresh = std::chrono::milliseconds(50);
}  // namespace

MetricsEndpoint::MetricsEndpoint(const ListenAddress& address) {
  // Shared: the thread may still be inside set_value when get() returns here.
  auto bound = std::make_shared<std::promise<std::uint16_t>>();
  std::future<std::uint16_t> port = bound->get_future();
  thread_ = std::thread([this, address, bound] {
    run(address, [&bound](std::uint16_t p, std::exception_ptr error) {
      if (error) {
        bound->set_exception(error);
      } else {
        bound->set_value(p);
      }
    });
  });
  try {
    port_ = port.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

MetricsEndpoint::~MetricsEndpoint() {
  {
    std::lock_guard lock(loop_mutex_);
    if (loop_ != nullptr) {
      rt::Loop* loop = loop_;
      loop->post([loop] { loop->cancel_root(); });
    }
  }
  thread_.join();
}

void MetricsEndpoint::set_source(Source source) {
  std::lock_guard lock(source_mutex_);
  source_ = std::move(source);
}

std::string MetricsEndpoint::answer(std::string_view path, int& status, std::string& type) {
  if (path == "/") return kIndex;
  if (path != "/metrics" && path != "/status") {
    status = 404;
    return "Not Found: try /metrics or /status\n";
  }
  const bool metrics = path == "/metrics";
  type = metrics ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
  Rendered& cached = metrics ? metrics_text_ : status_text_;
  std::lock_guard lock(source_mutex_);
  if (!source_) {
    status = 503;
    type = "text/plain; charset=utf-8";
    return "the crawl is not running\n";
  }
  const auto now = std::chrono::steady_clock::now();
  if (cached.at && now - *cached.at < kFresh) return cached.body;
  const MetricsSnapshot snapshot = source_();
  cached.body = metrics ? prometheus_text(snapshot) : status_json(snapshot);
  cached.at = now;
  return cached.body;
}

void MetricsEndpoint::run(ListenAddress address,
                          std::function<void(std::uint16_t, std::exception_ptr)> bound) {
  std::optional<rt::Loop> loop;
  std::optional<rt::HttpServer> server;
  try {
    loop.emplace();
  } catch (...) {
    bound(0, std::current_exception());
    return;
  }
  try {
    server.emplace(address.ip, address.port, [this](std::string_view path, const rt::HttpRequest&) {
      rt::HttpReply reply;
      reply.body = answer(path, reply.status, reply.content_type);
      return reply;
    });
  } catch (const std::system_error& e) {  // the address: taken, not this host's, privileged
    bound(0, std::make_exception_ptr(ConfigError("--metrics " + url_authority(address) +
                                                 ": cannot listen there: " + e.code().message())));
    return;
  } catch (...) {
    bound(0, std::current_exception());
    return;
  }
  {
    std::lock_guard lock(loop_mutex_);
    loop_ = &*loop;
  }
  bound(server->port(), nullptr);
  try {
    loop->run(server->serve());
  } catch (const rt::Cancelled&) {
    // Stopped by the destructor.
  } catch (const std::exception& e) {
    spdlog::warn("metrics server stopped: {}", e.what());
  }
  std::lock_guard lock(loop_mutex_);
  loop_ = nullptr;
}

}  // namespace acrawl::crawler
