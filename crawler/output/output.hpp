#pragma once
// CrawlOutput: where every mode sends its records — the RecordWriter (its own thread, a bounded
// buffer), the summary, and the live counters the progress line reads. Thread-safe: the
// threads mode emits from many threads; the counters are atomics.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

#include "crawler/output/metric_counts.hpp"
#include "crawler/output/record.hpp"
#include "crawler/output/record_writer.hpp"
#include "crawler/output/sink.hpp"
#include "crawler/output/summary.hpp"

namespace acrawl::crawler {

struct LiveCounters {
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> in_flight{0};  // transfers under way
  std::atomic<std::size_t> queued{0};     // fetched, waiting to be parsed
  std::atomic<std::size_t> peak_in_flight{0};
  // Published by the crawl driver for --metrics.
  std::atomic<std::size_t> urls_queued{0};       // the frontier
  std::atomic<std::size_t> hosts_active{0};      // hosts with a page being fetched or parsed
  std::atomic<std::uint64_t> retries{0};         // transfers queued to be tried again
  std::atomic<std::uint64_t> robots_refused{0};  // pages and sitemaps robots.txt refused

  void transfer_started() noexcept;
  void transfer_ended() noexcept { in_flight.fetch_sub(1, std::memory_order_relaxed); }
};

class CrawlOutput {
 public:
  // Records not yet written that stop new transfers from starting (see RecordWriter).
  static constexpr std::size_t kDefaultCapacity = 4096;

  // links: where --links-file lines go, if anywhere. The sinks must outlive this.
  explicit CrawlOutput(RecordSink& sink, RecordSink* links = nullptr,
                       std::size_t capacity = kDefaultCapacity);
  CrawlOutput(const CrawlOutput&) = delete;
  CrawlOutput& operator=(const CrawlOutput&) = delete;

  // Counts the record and queues it for writing; never waits for the output. Throws the sinks'
  // error (OutputError) once a write has failed.
  void emit(PageRecord rec);
  // False while the output is behind by its capacity: start no transfer then. Throws the
  // sinks' error once a write has failed.
  bool has_room() { return writer_.has_room(); }
  // fn runs (on the writer thread) when room comes back after has_room() said false.
  void on_room(std::function<void()> fn) { writer_.on_room(std::move(fn)); }
  // Runs the on_room function now (any thread): something else the crawl waits on changed (the
  // durable state caught up). Never throws.
  void wake() noexcept { writer_.wake(); }
  // Writes every record out and flushes. Throws the sinks' error.
  void close() { writer_.close(); }
  // The second Ctrl-C: every record emitted so far to the sinks, now. Never throws.
  void write_out_now() noexcept;

  LiveCounters& live() noexcept { return live_; }
  // The summary so far (counts of emitted records; the caller adds timing and mode).
  CrawlSummary summary();
  // The summary and the record counts --metrics shows, so far, read together. Never throws but
  // std::bad_alloc.
  void counts(CrawlSummary& summary, MetricCounts& metrics);

 private:
  std::mutex mutex_;
  CrawlSummary summary_;
  MetricCounts metric_counts_;
  LiveCounters live_;
  RecordWriter writer_;
};

}  // namespace acrawl::crawler
