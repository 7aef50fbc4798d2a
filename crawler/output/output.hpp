#pragma once
// CrawlOutput: where every mode sends its records — the sink, the summary, and the live
// counters the progress line reads. emit() is thread-safe (threads mode emits from many
// threads); the counters are atomics.

#include <atomic>
#include <cstddef>
#include <mutex>

#include "crawler/output/record.hpp"
#include "crawler/output/sink.hpp"
#include "crawler/output/summary.hpp"

namespace acrawl::crawler {

struct LiveCounters {
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> in_flight{0};  // transfers under way
  std::atomic<std::size_t> queued{0};     // fetched, waiting to be parsed
  std::atomic<std::size_t> peak_in_flight{0};

  void transfer_started() noexcept;
  void transfer_ended() noexcept { in_flight.fetch_sub(1, std::memory_order_relaxed); }
};

class CrawlOutput {
 public:
  // links: where --links-file lines go, if anywhere.
  explicit CrawlOutput(RecordSink& sink, RecordSink* links = nullptr)
      : sink_(sink), links_(links) {}
  CrawlOutput(const CrawlOutput&) = delete;
  CrawlOutput& operator=(const CrawlOutput&) = delete;

  // Writes the record and counts it. Throws what the sink throws (std::system_error).
  void emit(const PageRecord& rec);
  LiveCounters& live() noexcept { return live_; }
  // The summary so far (counts of written records; the caller adds timing and mode).
  CrawlSummary summary();

 private:
  std::mutex mutex_;
  RecordSink& sink_;
  RecordSink* links_;
  CrawlSummary summary_;
  LiveCounters live_;
};

}  // namespace acrawl::crawler
