// RedisState against a real redis-server on loopback: the crawl-side bookkeeping of items leased
// ahead without a slot (they start in the slot of a transfer of this worker that ended).

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "crawler/state/redis_state.hpp"
#include "tests/support/redis_server.hpp"

using acrawl::crawler::Candidate;
using acrawl::crawler::Claim;
using acrawl::crawler::CrawlItem;
using acrawl::crawler::FrontierOptions;
using acrawl::crawler::PageRecord;
using acrawl::crawler::RedisState;
using acrawl::crawler::RedisStateOptions;
using acrawl::crawler::SteadyClock;
using acrawl::test::RedisServer;
using namespace std::chrono_literals;

namespace {

std::vector<Candidate> pages(const std::string& host, int n) {
  std::vector<Candidate> out;
  for (int i = 1; i <= n; ++i) {
    CrawlItem item;
    item.url = "http://" + host + "/" + std::to_string(i);
    item.record = item.url;
    item.host = host;
    item.origin = "http://" + host;
    item.input = true;
    out.push_back(Candidate{item, item.url});
  }
  return out;
}

// The crawl's side: claim() until it hands something out, waiting for RedisState's wake-ups
// (or the time claim() names) in between; an empty result after `limit`.
class Crawl {
 public:
  explicit Crawl(RedisState& state) : state_(state) {
    state_.start([this] {
      std::lock_guard lock(mutex_);
      ++wakes_;
      woken_.notify_all();
    });
  }
  std::vector<CrawlItem> next(std::size_t max, std::chrono::seconds limit = 20s) {
    const auto give_up = SteadyClock::now() + limit;
    for (;;) {
      std::uint64_t seen = 0;
      {
        std::lock_guard lock(mutex_);
        seen = wakes_;
      }
      Claim c = state_.claim(SteadyClock::now(), max);
      if (!c.fetches.empty() || SteadyClock::now() >= give_up) return c.fetches;
      std::unique_lock lock(mutex_);
      woken_.wait_until(lock, std::min(c.wake_at.value_or(give_up), give_up),
                        [&] { return wakes_ != seen; });
    }
  }
  // Until the whole crawl is over (queued() is 0); false after 20 s.
  bool until_done() {
    const auto give_up = SteadyClock::now() + 20s;
    while (SteadyClock::now() < give_up) {
      std::uint64_t seen = 0;
      {
        std::lock_guard lock(mutex_);
        seen = wakes_;
      }
      Claim c = state_.claim(SteadyClock::now(), 10);
      if (state_.queued() == 0) return true;
      std::unique_lock lock(mutex_);
      woken_.wait_until(lock, std::min(c.wake_at.value_or(give_up), give_up),
                        [&] { return wakes_ != seen; });
    }
    return false;
  }

 private:
  RedisState& state_;
  std::mutex mutex_;
  std::condition_variable woken_;
  std::uint64_t wakes_ = 0;
};

PageRecord record_of(const CrawlItem& item) {
  PageRecord r;
  r.url = item.record;
  r.status = 200;
  return r;
}

}  // namespace

TEST_CASE(
    "redis state: items leased ahead for a host none of whose transfers is left are still "
    "fetched") {
  RedisServer server;
  FrontierOptions options;
  options.dedup = true;
  options.per_host = 2;
  RedisStateOptions redis;
  redis.target.host = "127.0.0.1";
  redis.target.port = server.port();
  redis.crawl_id = "spares";
  redis.definition = {{"test", "spares"}};
  RedisState state(options, redis);
  Crawl crawl(state);
  state.add_seeds(pages("h", 4));
  const std::vector<CrawlItem> first = crawl.next(10);
  REQUIRE(first.size() == 2);  // the host's cap

  // One transfer ends: its slot goes back with the next claim, which starts a third page and
  // leases the fourth ahead without a slot, for when a transfer to h ends.
  state.release(first[0], SteadyClock::now(), std::nullopt);
  state.complete(first[0], record_of(first[0]), {});
  const std::vector<CrawlItem> third = crawl.next(10);
  REQUIRE(third.size() == 1);
  // Both transfers end without a release (as a page refused by robots.txt does): no hand-over
  // starts the fourth. It must not wait for one forever.
  state.complete(first[1], record_of(first[1]), {});
  state.complete(third[0], record_of(third[0]), {});
  const std::vector<CrawlItem> fourth = crawl.next(10, 10s);
  REQUIRE(fourth.size() == 1);
  CHECK(fourth[0].url == "http://h/4");
  state.release(fourth[0], SteadyClock::now(), std::nullopt);
  state.complete(fourth[0], record_of(fourth[0]), {});
  state.input_ended();
  CHECK(crawl.until_done());
  state.close();
}
