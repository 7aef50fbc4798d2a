#include "crawler/metrics/metrics_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <future>
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
}

MetricsEndpoint::MetricsEndpoint(const ListenAddress& address) {
  std::promise<std::uint16_t> bound;
  std::future<std::uint16_t> port = bound.get_future();
  thread_ = std::thread([this, address, &bound] {
    run(address, [&bound](std::uint16_t p, std::exception_ptr error) {
      if (error) {
        bound.set_exception(error);
      } else {
        bound.set_value(p);
      }
    });
  });
  try {
    port_ = port.get();
  } catch (const std::system_error& e) {
    thread_.join();
    throw ConfigError("--metrics " + url_authority(address) +
                      ": cannot listen there: " + e.code().message());
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
  std::optional<MetricsSnapshot> snapshot;
  {
    std::lock_guard lock(source_mutex_);
    if (source_) snapshot = source_();
  }
  if (!snapshot) {
    status = 503;
    return "the crawl has not started\n";
  }
  if (path == "/metrics") {
    type = "text/plain; version=0.0.4; charset=utf-8";
    return prometheus_text(*snapshot);
  }
  type = "application/json";
  return status_json(*snapshot);
}

void MetricsEndpoint::run(ListenAddress address,
                          std::function<void(std::uint16_t, std::exception_ptr)> bound) {
  std::optional<rt::Loop> loop;
  std::optional<rt::HttpServer> server;
  try {
    loop.emplace();
    server.emplace(address.ip, address.port, [this](std::string_view path, const rt::HttpRequest&) {
      rt::HttpReply reply;
      reply.body = answer(path, reply.status, reply.content_type);
      return reply;
    });
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
