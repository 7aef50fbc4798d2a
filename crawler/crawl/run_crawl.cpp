#include "crawler/crawl/run_crawl.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "crawler/crawl/async_mode.hpp"
#include "crawler/crawl/blocking_modes.hpp"
#include "crawler/crawl/interrupt.hpp"
#include "crawler/fetch/cookie_jar.hpp"
#include "crawler/fetch/curl_share.hpp"
#include "crawler/fetch/fd_limit.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/memory_state.hpp"
#include "crawler/frontier/planner.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/metrics/listen_address.hpp"
#include "crawler/metrics/metrics_endpoint.hpp"
#include "crawler/output/output.hpp"
#include "crawler/output/progress.hpp"
#include "crawler/output/sink.hpp"
#include "crawler/state/crawl_definition.hpp"
#include "crawler/state/redis_state.hpp"
#include "crawler/state/sqlite_state.hpp"
#include "crawler/state/state_store.hpp"

namespace acrawl::crawler {

const char* mode_name(Mode mode) noexcept {
  switch (mode) {
    case Mode::async:
      return "async";
    case Mode::threads:
      return "threads";
    case Mode::sync:
      return "sync";
  }
  return "?";
}

namespace {

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

FilePtr open_for_writing(const std::string& path, const char* what, bool append = false) {
  FilePtr file(std::fopen(path.c_str(), append ? "ab" : "wb"), &std::fclose);
  if (!file) {
    throw OutputError(errno, std::generic_category(),
                      std::string("cannot open ") + what + " '" + path + "'");
  }
  return file;
}

void close_checked(FilePtr file, const char* what) {
  if (std::fclose(file.release()) != 0) {
    throw OutputError(errno, std::generic_category(), std::string("cannot write ") + what);
  }
}

// Settings that follow from others and from the system: the concurrency the open-files limit
// allows, and, with thousands of transfers at once, a smaller curl receive buffer (16 KB each
// by default) since those buffers become most of the memory.
CrawlConfig effective(CrawlConfig config) {
  config.concurrency = fit_concurrency(config.concurrency);
  if (config.fetch.receive_buffer == 0 && config.concurrency > 256) {
    config.fetch.receive_buffer = 4096;
  }
  return config;
}

void run_mode(const CrawlConfig& config, UrlSource& source, CrawlOutput& output,
              Interrupt& interrupt, CURLSH* share, CrawlState* state) {
  switch (config.mode) {
    case Mode::async:
      crawl_async(config, source, output, interrupt, share, state);
      return;
    case Mode::threads:
      crawl_blocking(config, source, output, config.concurrency, interrupt, share, state);
      return;
    case Mode::sync:
      crawl_blocking(config, source, output, 0, interrupt, share, state);
      return;
  }
}

// The crawl's cookie store, from --cookie FILE.
void load_cookies(const CrawlConfig& config, SharedCaches& caches) {
  if (config.cookie_file.empty()) return;
  const std::size_t n = load_cookie_file(caches.handle(), config.cookie_file);
  if (n == 0) {
    spdlog::warn("cookie file {}: no cookies in it (not a Netscape cookie file?)",
                 config.cookie_file);
  } else {
    spdlog::info("cookie file {}: {} cookies", config.cookie_file, n);
  }
}

// --cookie-jar: what the store holds at the end, the crawl stopped by a signal too.
void write_cookies(const CrawlConfig& config, SharedCaches& caches) {
  if (config.cookie_jar.empty()) return;
  try {
    const std::size_t n = write_cookie_jar(caches.handle(), config.cookie_jar);
    spdlog::info("cookie jar {}: {} cookies", config.cookie_jar, n);
  } catch (const std::system_error& e) {
    throw OutputError(e.code(), "cannot write cookie jar '" + config.cookie_jar + "'");
  }
}

// --state: the crawl kept in an SQLite file, which also writes -o itself; or in Redis, shared
// with other processes (-o is then written as without a state).
struct Durable {
  std::unique_ptr<StateStore> store;
  std::unique_ptr<SqliteState> sqlite;
  std::unique_ptr<RedisState> redis;

  explicit Durable(const CrawlConfig& config) {
    if (config.state_path.empty()) return;
    if (is_redis_url(config.state_path)) {
      RedisStateOptions options;
      options.target = parse_redis_url(config.state_path);
      options.definition = redis_definition(config);
      options.crawl_id =
          config.crawl_id.empty() ? default_crawl_id(config, options.definition) : config.crawl_id;
      options.lease = std::chrono::seconds(config.lease_seconds);
      options.links = config.follow.links;
      spdlog::info("crawl '{}' in Redis at {}:{}", options.crawl_id, options.target.host,
                   options.target.port);
      redis = std::make_unique<RedisState>(frontier_options(config), std::move(options));
      return;
    }
    StoredOutput out{config.output_path, config.format, config.follow.links};
    store = std::make_unique<StateStore>(config.state_path, crawl_definition(config), out);
    // Enough for every transfer twice over, and never less than a few thousand URLs.
    const std::size_t window = std::max<std::size_t>(8192, 4 * config.concurrency);
    sqlite = std::make_unique<SqliteState>(frontier_options(config), *store, window);
  }
  CrawlState* state() const noexcept {
    return sqlite ? static_cast<CrawlState*>(sqlite.get()) : redis.get();
  }
};

// --metrics reads output while it exists.
class MetricsFeed {
 public:
  MetricsFeed(MetricsEndpoint* endpoint, CrawlOutput& output, Mode mode,
              std::chrono::steady_clock::time_point start)
      : endpoint_(endpoint) {
    if (endpoint_ == nullptr) return;
    const double unix_start =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    endpoint_->set_source([&output, mode, start, unix_start] {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return take_snapshot(output, mode_name(mode), elapsed, unix_start);
    });
  }
  ~MetricsFeed() {
    if (endpoint_ != nullptr) endpoint_->set_source(nullptr);
  }
  MetricsFeed(const MetricsFeed&) = delete;
  MetricsFeed& operator=(const MetricsFeed&) = delete;

 private:
  MetricsEndpoint* endpoint_;
};

// The async mode resolves names inside libcurl's multi loop: without AsynchDNS every lookup
// blocks the whole loop.
void check_resolver(Mode mode) {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (mode == Mode::async && (info->features & CURL_VERSION_ASYNCHDNS) == 0) {
    spdlog::warn(
        "libcurl {} resolves names synchronously (no AsynchDNS): each DNS lookup "
        "stalls every transfer; --mode threads avoids that",
        info->version);
  }
}

// Every option of a page and of a robots.txt transfer, tried on one handle each before the
// crawl starts: an option this libcurl refuses stops it here, with its name.
void check_fetch_options(const CrawlConfig& config) {
  MemoryState probe_state(frontier_options(config));
  CrawlPlanner planner(config, probe_state);
  const std::atomic<bool> never{false};
  Fetch page(planner.page_fetch(), nullptr, &never);
  Fetch robots(planner.robots_fetch(), nullptr, &never);
}

}  // namespace

CrawlSummary run_crawl(const CrawlConfig& config) {
  // Before any other thread starts: every thread inherits the blocked signals.
  Interrupt interrupt;
  check_resolver(config.mode);
  if (config.fetch.insecure) {
    spdlog::warn(
        "--insecure: TLS certificates and host names are not verified; anyone between here and "
        "a site can pose as it");
  }
  check_fetch_options(config);
  // Bound before any output file is opened: a taken address must not cost the last output.
  std::optional<MetricsEndpoint> metrics;
  if (config.metrics) {
    metrics.emplace(*config.metrics);
    ListenAddress bound = *config.metrics;
    bound.port = metrics->port();
    spdlog::info("metrics on http://{}/metrics and /status", url_authority(bound));
  }
  SharedCaches caches(config.fetch.cookie_engine);  // first: every easy handle goes before it
  load_cookies(config, caches);
  if (!config.crawl_id.empty() && !is_redis_url(config.state_path)) {
    spdlog::warn("--crawl-id names a crawl in Redis: it has no effect without --state redis://");
  }
  Durable durable(config);
  UrlSource source(config.inputs);
  FilePtr file(nullptr, &std::fclose);
  if (!config.output_path.empty() && !durable.store) {
    file = open_for_writing(config.output_path, "output file");
  }
  FilePtr stats_file(nullptr, &std::fclose);
  if (!config.stats_json_path.empty()) {
    stats_file = open_for_writing(config.stats_json_path, "stats file");
  }
  FilePtr links_file(nullptr, &std::fclose);
  std::unique_ptr<RecordSink> links_sink;
  if (!config.follow.links_path.empty()) {
    // A resumed crawl adds to the links of the runs before it (a page fetched again after a
    // kill may repeat its lines; the state's links table has each page once).
    links_file = open_for_writing(config.follow.links_path, "links file", durable.store != nullptr);
    links_sink = make_links_sink(links_file.get());
  }
  auto sink = durable.store && !config.output_path.empty()
                  ? make_null_sink()
                  : make_sink(config.format, file ? file.get() : stdout, config.follow.links);
  auto start = std::chrono::steady_clock::now();
  CrawlSummary summary;
  {
    CrawlOutput output(*sink, links_sink.get());
    // The store's thread wakes the crawl when it catches up; it stops before output goes.
    struct StopStore {
      StateStore* store;
      ~StopStore() {
        if (store == nullptr) return;
        try {
          store->close();
        } catch (...) {  // an error is reported by the close() on the way out
        }
      }
    } stop_store{durable.store.get()};
    if (durable.store) durable.store->start([&output] { output.wake(); });
    if (durable.redis) durable.redis->start([&output] { output.wake(); });
    Interrupt::Subscription stop_input = interrupt.on_first([&source] { source.stop(); });
    Interrupt::Subscription last_words = interrupt.on_second([&output] { output.write_out_now(); });
    MetricsFeed feed(metrics ? &*metrics : nullptr, output, config.mode, start);
    {
      ProgressLine progress(output.live(), config.progress);
      try {
        const CrawlConfig settings = effective(config);
        spdlog::debug(
            "mode {}, concurrency {}, connect timeout {} ms, transfer timeout {} ms, depth {}",
            mode_name(settings.mode), settings.concurrency, settings.fetch.connect_timeout_ms,
            settings.fetch.timeout_ms, settings.follow.depth);
        run_mode(settings, source, output, interrupt, caches.handle(), durable.state());
        if (durable.store) durable.store->close();  // every change committed, or its error
        if (durable.redis) durable.redis->close();  // every change answered, or its error
      } catch (...) {
        try {
          output.close();  // what was emitted before the error still goes out
        } catch (...) {
        }
        throw;
      }
    }
    output.close();
    summary = output.summary();
  }
  if (file) close_checked(std::move(file), "output file");
  write_cookies(config, caches);
  if (durable.store) {
    const std::int64_t left = durable.store->queued_rows();
    if (left > 0) {
      spdlog::info("state {}: {} URLs still queued; the same command resumes the crawl",
                   config.state_path, left);
    }
  }
  if (durable.redis && interrupt.raised()) {
    spdlog::info("the crawl in Redis keeps what is queued; the same command resumes it");
  }
  if (links_file) close_checked(std::move(links_file), "links file");

  summary.mode = mode_name(config.mode);
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.measure_process();
  summary.interrupted = interrupt.raised();
  auto cancelled = summary.failures.find("cancelled");
  summary.unfinished = cancelled == summary.failures.end() ? 0 : cancelled->second;
  if (stats_file) {
    std::string json = summary_json(summary);
    if (std::fwrite(json.data(), 1, json.size(), stats_file.get()) != json.size()) {
      throw OutputError(errno, std::generic_category(), "cannot write stats file");
    }
    close_checked(std::move(stats_file), "stats file");
  }
  return summary;
}

}  // namespace acrawl::crawler
