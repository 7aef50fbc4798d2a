#pragma once
// CrawlDriver: the course of a crawl, the same in every mode. Input is admitted while the
// frontier is low and the output keeps up; next() hands out what may start (and records what
// robots.txt refuses); a finished transfer leads to a retry, robots.txt rules or a parse; every
// page parsed, cancelled or never started gets its one record; finished() says when it is all
// over. The modes only schedule this work: the async mode calls the driver on its loop thread,
// the blocking modes under a mutex. Not thread-safe; parse_stage() is a value any thread may use.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/fetch/fetch.hpp"
#include "crawler/frontier/crawl_state.hpp"
#include "crawler/frontier/planner.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/output/output.hpp"
#include "crawler/parse/parse_page.hpp"

namespace acrawl::crawler {

class CrawlDriver {
 public:
  // URLs read from the input at a time.
  static constexpr std::size_t kInputBatch = 256;

  // A crawl over a state in memory. Throws std::regex_error for a bad --include/--exclude.
  CrawlDriver(const CrawlConfig& config, CrawlOutput& output);
  // A crawl over the given state (which must outlive the driver); nullptr: one in memory.
  CrawlDriver(const CrawlConfig& config, CrawlOutput& output, CrawlState* state);
  ~CrawlDriver();
  CrawlDriver(const CrawlDriver&) = delete;
  CrawlDriver& operator=(const CrawlDriver&) = delete;

  // Worth reading more input now: it has not ended, the frontier holds fewer than about two
  // concurrency's worth of URLs, and the output has room; or a resumed crawl has input lines
  // to skip. Throws the output's error.
  bool wants_input();
  // The output is behind by its capacity: nothing starts, no input is read, until it catches
  // up (the writer thread says so). Throws the output's error.
  bool output_full() { return !output_.has_room(); }
  // A batch read from the input (empty: the input has ended). Refused lines get their records
  // (invalid_url, unsupported_scheme) at once. A resumed durable state took in its first lines
  // already: they are skipped, and StateError thrown when they are not the same lines. Throws
  // the output's error, std::bad_alloc.
  // stopped: the input was stopped (a signal), so an empty batch is not its end.
  void add_input(const std::vector<InputItem>& batch, bool stopped = false);
  bool input_ended() const noexcept { return input_ended_; }
  // The state outlives the process (--state): a stopped transfer leaves its page queued.
  bool durable() const noexcept { return state_.durable(); }

  struct Work {
    std::vector<CrawlItem> fetches;  // claimed: each must end in transfer_ended or cancelled
    // When fetches is empty: look again at this time, or when something changes (a transfer
    // ends, a page is parsed, input arrives, the output gets room).
    std::optional<SteadyClock::time_point> wake_at;
    bool output_full = false;  // nothing started because the output is behind: wait for room
  };
  // Up to max fetches that may start now (none before a resumed crawl has skipped the input
  // it took in before). Items robots.txt refuses get their records here. Throws the output's
  // error.
  Work next(SteadyClock::time_point now, std::size_t max);

  // How an item is fetched (a page, a robots.txt or a sitemap file).
  const FetchOptions& fetch_options(const CrawlItem& item) const noexcept {
    return planner_.fetch_options(item);
  }

  enum class Then { parse, done };
  // A transfer handed out by next() ended. parse: the page (or sitemap) goes to parse_stage()
  // and then page_parsed(); done: nothing more to do (robots.txt rules applied, or queued for a
  // retry).
  Then transfer_ended(const CrawlItem& item, const FetchResult& result,
                      SteadyClock::time_point now);
  // The parse every page gets (any thread).
  const ParseStage& parse_stage() const noexcept { return planner_.parse_stage(); }
  // A page is parsed: its links go to the frontier, its record to the output (a sitemap has
  // none). Throws the output's error.
  void page_parsed(const CrawlItem& item, ParsedPage page);

  // An item handed out by next() will not finish (its transfer or its parse was cancelled): a
  // page gets a `cancelled` record (a durable state keeps it queued instead). Throws the
  // output's error.
  void cancelled(const CrawlItem& item);
  // The crawl was stopped: every input URL still queued gets a `cancelled` record (URLs found
  // on pages are dropped; URLs not read yet get none). A durable state keeps them all queued.
  // Throws the output's error.
  void stop();

  // Nothing left: the input has ended, and nothing is queued, being fetched or being parsed.
  bool finished() const noexcept { return input_ended_ && planner_.idle(); }
  std::size_t queued() const noexcept { return planner_.queued(); }

 private:
  // An item of item's host was handed out (+1), or is over (-1): fetched and parsed, or
  // cancelled.
  void host_transfer(const CrawlItem& item, int change);
  // The gauges --metrics shows: the frontier and the hosts being asked.
  void publish() noexcept;

  CrawlOutput& output_;
  std::unique_ptr<CrawlState> own_state_;
  CrawlState& state_;
  CrawlPlanner planner_;
  const std::size_t high_water_;
  const std::string state_path_;
  const InputMark resumed_;  // input lines to skip (a resumed durable state)
  InputMark mark_;           // input lines taken in so far, this run and earlier ones
  bool input_ended_ = false;
  // Items handed out and not over, per host: the hosts being fetched from or parsed for.
  // Kept only for --metrics.
  const bool track_hosts_;
  std::unordered_map<std::string, std::size_t> host_transfers_;
};

}  // namespace acrawl::crawler
