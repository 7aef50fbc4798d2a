#pragma once
// SqliteState: the crawl state kept in a StateStore (--state FILE), so that a crawl survives
// kill -9 and resumes. Politeness and the round robin over hosts are a MemoryState's, over a
// window of the frontier: at most `window` queued URLs live in memory, the rest only in the
// file, read back in discovery order as the window empties (a frontier of millions costs no
// memory, and a resumed crawl starts at once). The seen set is kept as 64-bit fingerprints.
// Every change goes to the store as one group per call: a page's completion, its record and its
// new links together.

#include <cstddef>
#include <cstdint>

#include "crawler/frontier/crawl_state.hpp"
#include "crawler/frontier/memory_state.hpp"
#include "crawler/state/fingerprint.hpp"
#include "crawler/state/state_store.hpp"

namespace acrawl::crawler {

class SqliteState final : public CrawlState {
 public:
  // Reads the store's frontier (its seen set and what is queued); the store's writer must not
  // have started. Throws StateError, std::bad_alloc.
  SqliteState(FrontierOptions options, StateStore& store, std::size_t window);

  void add_seeds(std::vector<Candidate> seeds) override;
  void add_input(std::vector<Candidate> seeds, const std::vector<PageRecord>& refused,
                 const std::vector<std::size_t>& refused_at, InputMark mark) override;
  bool known(const std::string& key) const noexcept override {
    return options_.dedup && seen_.contains(fingerprint(key));
  }
  Claim claim(SteadyClock::time_point now, std::size_t max) override;
  void release(const CrawlItem& item, SteadyClock::time_point now,
               std::optional<std::chrono::milliseconds> retry_after) override;
  void retry(CrawlItem item, SteadyClock::time_point at) override;
  void robots_known(const CrawlItem& robots_item, RobotsRules rules,
                    SteadyClock::time_point now) override;
  void complete(const CrawlItem& item, const PageRecord& record,
                std::vector<Candidate> links) override;
  void add_found(std::vector<Candidate> links) override;
  void abandon(const CrawlItem& item) noexcept override { window_.abandon(item); }
  // Takes the window's items out; the file keeps them queued (a resumed crawl fetches them).
  std::vector<CrawlItem> drain() override { return window_.drain(); }
  std::size_t queued() const noexcept override { return window_.queued() + on_disk_; }
  std::size_t claimed() const noexcept override { return window_.claimed(); }
  bool durable() const noexcept override { return true; }
  bool has_room() override { return store_.has_room(); }
  InputMark resumed_input() const noexcept override { return resumed_; }
  std::vector<std::string> seed_redirects() const override { return seed_redirects_; }

  // Queued URLs that are only in the file now.
  std::size_t on_disk() const noexcept { return on_disk_; }

 private:
  bool take(Candidate c, bool seed, StateOps& ops);
  void refill(SteadyClock::time_point now, bool stuck);

  FrontierOptions options_;
  StateStore& store_;
  const std::size_t window_size_;
  MemoryState window_;
  FingerprintSet seen_;
  InputMark resumed_;
  std::vector<std::string> seed_redirects_;
  std::int64_t next_id_ = 1;
  // Every URL with an id up to cursor_ is in the window, under way or done; those above it are
  // on_disk_ (in the file, or on their way to it).
  std::int64_t cursor_ = 0;
  std::size_t on_disk_ = 0;
  std::size_t accepted_ = 0;
};

}  // namespace acrawl::crawler
