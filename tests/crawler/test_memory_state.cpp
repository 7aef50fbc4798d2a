#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "crawler/frontier/memory_state.hpp"
#include "crawler/frontier/robots.hpp"

using namespace std::chrono_literals;
using acrawl::crawler::Candidate;
using acrawl::crawler::Claim;
using acrawl::crawler::CrawlItem;
using acrawl::crawler::FrontierOptions;
using acrawl::crawler::MemoryState;
using acrawl::crawler::PageRecord;
using acrawl::crawler::RobotsRules;
using acrawl::crawler::SteadyClock;

namespace {

// A page on http://<host><path>; its dedup key is its URL.
CrawlItem page(const std::string& host, const std::string& path, int depth = 0) {
  std::string url = "http://" + host + path;
  return CrawlItem{url, url, depth, host, "http://" + host, false};
}

bool add(MemoryState& f, const CrawlItem& item, bool seed = false) {
  return f.add(Candidate{item, item.url}, seed);
}

// One claim of at most one fetch, as the blocking modes make it.
struct Next {
  std::optional<CrawlItem> item;
  bool disallowed = false;
  std::optional<SteadyClock::time_point> wake_at;
};
Next next(MemoryState& f, SteadyClock::time_point now) {
  Claim c = f.claim(now, 1);
  REQUIRE(c.disallowed.size() + c.fetches.size() <= 1);  // the tests' pages: one at a time
  if (!c.disallowed.empty()) return Next{c.disallowed.front(), true, std::nullopt};
  if (!c.fetches.empty()) return Next{c.fetches.front(), false, std::nullopt};
  return Next{std::nullopt, false, c.wake_at};
}

// The transfer of item is over (its host may be asked again), and so is the page.
void finish(MemoryState& f, const CrawlItem& item, SteadyClock::time_point now,
            std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  f.release(item, now, retry_after);
  f.complete(item, PageRecord{}, {});
}

// The URLs next(now) hands out until it has nothing more at `now` (items stay in flight).
std::vector<std::string> drain(MemoryState& f, SteadyClock::time_point now) {
  std::vector<std::string> urls;
  while (auto item = next(f, now).item) urls.push_back(item->url);
  return urls;
}

using Strings = std::vector<std::string>;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Admission: dedup, depth, max_pages

TEST_CASE("memory state: dedup refuses a key seen before") {
  MemoryState f(FrontierOptions{.dedup = true, .max_depth = 5});
  CHECK(add(f, page("a.test", "/x", 1)));
  CHECK_FALSE(add(f, page("a.test", "/x", 1)));
  CHECK_FALSE(add(f, page("a.test", "/x", 2)));  // the key decides, not the depth
  CHECK(add(f, page("a.test", "/y", 1)));
  CHECK(f.queued() == 2);
  CHECK(f.pages_accepted() == 2);
}

TEST_CASE("memory state: without dedup the same key is queued again") {
  MemoryState f(FrontierOptions{.max_depth = 5});
  CHECK(add(f, page("a.test", "/x", 1)));
  CHECK(add(f, page("a.test", "/x", 1)));
  CHECK(f.queued() == 2);
}

TEST_CASE("memory state: seeds are always accepted and mark their key seen") {
  MemoryState f(FrontierOptions{.dedup = true, .max_depth = 1, .max_pages = 1});
  CHECK(add(f, page("a.test", "/s"), true));
  CHECK(add(f, page("a.test", "/s"), true));  // duplicate seed
  CHECK(add(f, page("a.test", "/t"), true));  // beyond max_pages
  CHECK(f.pages_accepted() == 3);
  CHECK(f.queued() == 3);

  // A link to a seed is a duplicate, even though max_pages would not refuse it here.
  MemoryState g(FrontierOptions{.dedup = true, .max_depth = 1});
  CHECK(add(g, page("a.test", "/s"), true));
  CHECK_FALSE(add(g, page("a.test", "/s", 1)));
}

TEST_CASE("memory state: pages deeper than max_depth are refused, seeds are not") {
  MemoryState f(FrontierOptions{.dedup = true, .max_depth = 2});
  CHECK(add(f, page("a.test", "/d1", 1)));
  CHECK(add(f, page("a.test", "/d2", 2)));
  CHECK_FALSE(add(f, page("a.test", "/d3", 3)));
  CHECK(add(f, page("a.test", "/seed", 3), true));
  CHECK(f.pages_accepted() == 3);

  // A refused page was not marked seen: it is accepted at an allowed depth later.
  CHECK(add(f, page("a.test", "/d3", 2)));
}

TEST_CASE("memory state: max_pages counts accepted pages, seeds included") {
  MemoryState f(FrontierOptions{.dedup = true, .max_depth = 5, .max_pages = 3});
  CHECK(add(f, page("a.test", "/seed"), true));
  CHECK(add(f, page("a.test", "/1", 1)));
  CHECK_FALSE(add(f, page("a.test", "/1", 1)));  // a refused duplicate does not count
  CHECK(add(f, page("b.test", "/2", 1)));
  CHECK(f.pages_accepted() == 3);
  CHECK_FALSE(add(f, page("c.test", "/3", 1)));
  CHECK(f.pages_accepted() == 3);

  // Handing pages out does not free a slot: the limit is on pages accepted, not queued.
  auto t0 = SteadyClock::now();
  for (const auto& url : drain(f, t0)) {
    CHECK_FALSE(url.empty());
  }
  CHECK(f.queued() == 0);
  CHECK_FALSE(add(f, page("c.test", "/4", 1)));
}

// ---------------------------------------------------------------------------------------------
// Politeness: per-host cap, delay, round robin, Retry-After

TEST_CASE("memory state: per_host caps the requests in flight to one host") {
  MemoryState f(FrontierOptions{.per_host = 2});
  for (int i = 0; i < 5; ++i) add(f, page("a.test", "/" + std::to_string(i)), true);
  auto t0 = SteadyClock::now();

  auto first = next(f, t0).item;
  auto second = next(f, t0).item;
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->url == "http://a.test/0");  // one host's pages go in order
  CHECK(second->url == "http://a.test/1");
  Next none = next(f, t0);
  CHECK_FALSE(none.item);
  CHECK_FALSE(none.wake_at);  // nothing to wait for: only finished() frees a slot
  CHECK(f.claimed() == 2);
  CHECK(f.queued() == 3);

  finish(f, *first, t0);
  auto third = next(f, t0).item;
  REQUIRE(third);
  CHECK(third->url == "http://a.test/2");
  CHECK_FALSE(next(f, t0).item);
}

TEST_CASE("memory state: delay spaces the starts of one host") {
  MemoryState f(FrontierOptions{.delay = 100ms});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();

  REQUIRE(next(f, t0).item);
  Next wait = next(f, t0);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 100ms);
  CHECK_FALSE(next(f, t0 + 99ms).item);
  auto second = next(f, t0 + 100ms).item;
  REQUIRE(second);
  CHECK(second->url == "http://a.test/2");
}

TEST_CASE("memory state: delay counts from the start, not from the end, of the previous request") {
  MemoryState f(FrontierOptions{.delay = 100ms});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();

  auto first = next(f, t0).item;
  REQUIRE(first);
  finish(f, *first, t0 + 80ms);
  CHECK(next(f, t0 + 100ms).item);
}

TEST_CASE("memory state: hosts take turns") {
  MemoryState f(FrontierOptions{});
  for (int i = 0; i < 3; ++i) add(f, page("a.test", "/" + std::to_string(i)), true);
  for (int i = 0; i < 3; ++i) add(f, page("b.test", "/" + std::to_string(i)), true);
  auto t0 = SteadyClock::now();
  CHECK(drain(f, t0) == Strings{"http://a.test/0", "http://b.test/0", "http://a.test/1",
                                "http://b.test/1", "http://a.test/2", "http://b.test/2"});
}

TEST_CASE("memory state: a host at its cap does not hold back the others") {
  MemoryState f(FrontierOptions{.per_host = 1});
  for (int i = 0; i < 3; ++i) add(f, page("slow.test", "/" + std::to_string(i)), true);
  for (int i = 0; i < 3; ++i) add(f, page("b.test", "/" + std::to_string(i)), true);
  auto t0 = SteadyClock::now();

  auto slow = next(f, t0).item;
  REQUIRE(slow);
  CHECK(slow->host == "slow.test");
  // slow.test stays in flight; b.test's pages keep coming as each one finishes.
  for (int i = 0; i < 3; ++i) {
    auto b = next(f, t0).item;
    REQUIRE(b);
    CHECK(b->url == "http://b.test/" + std::to_string(i));
    finish(f, *b, t0);
  }
  CHECK_FALSE(next(f, t0).item);
  CHECK(f.queued() == 2);
}

TEST_CASE("memory state: a delayed host does not hold back the others") {
  MemoryState f(FrontierOptions{.delay = 1s});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  add(f, page("b.test", "/1"), true);
  auto t0 = SteadyClock::now();
  CHECK(drain(f, t0) == Strings{"http://a.test/1", "http://b.test/1"});
  CHECK(drain(f, t0 + 1s) == Strings{"http://a.test/2"});
}

TEST_CASE("memory state: Retry-After pauses that host only") {
  MemoryState f(FrontierOptions{.per_host = 1});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  add(f, page("b.test", "/1"), true);
  add(f, page("b.test", "/2"), true);
  auto t0 = SteadyClock::now();

  auto a1 = next(f, t0).item;
  auto b1 = next(f, t0).item;
  REQUIRE(a1);
  REQUIRE(b1);
  CHECK(a1->host == "a.test");
  CHECK(b1->host == "b.test");
  finish(f, *a1, t0, 2s);
  finish(f, *b1, t0);

  auto b2 = next(f, t0).item;
  REQUIRE(b2);
  CHECK(b2->url == "http://b.test/2");
  Next wait = next(f, t0);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 2s);
  CHECK_FALSE(next(f, t0 + 1999ms).item);
  auto a2 = next(f, t0 + 2s).item;
  REQUIRE(a2);
  CHECK(a2->url == "http://a.test/2");
}

TEST_CASE("memory state: a Retry-After beyond an hour pauses for an hour") {
  MemoryState f(FrontierOptions{});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();
  auto first = next(f, t0).item;
  REQUIRE(first);
  finish(f, *first, t0, std::chrono::hours(5));
  Next wait = next(f, t0);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 1h);
}

// ---------------------------------------------------------------------------------------------
// robots.txt

TEST_CASE("memory state: robots.txt of an origin is fetched first, its pages wait for it") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();

  Next first = next(f, t0);
  REQUIRE(first.item);
  CHECK(first.item->robots_txt);
  CHECK_FALSE(first.disallowed);
  CHECK(first.item->url == "http://a.test/robots.txt");
  CHECK(first.item->host == "a.test");
  CHECK(first.item->origin == "http://a.test");
  CHECK(f.claimed() == 1);

  Next blocked = next(f, t0);
  CHECK_FALSE(blocked.item);
  CHECK_FALSE(blocked.wake_at);
  add(f, page("a.test", "/3"), true);  // a new page does not unblock the host either
  CHECK_FALSE(next(f, t0).item);

  f.robots_known(*first.item, RobotsRules::allow_all(), t0);
  CHECK(f.claimed() == 0);
  Strings pages = drain(f, t0);
  CHECK(pages == Strings{"http://a.test/1", "http://a.test/2", "http://a.test/3"});
}

TEST_CASE("memory state: each origin gets its own robots.txt fetch, once") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/1"), true);
  add(f, page("b.test", "/1"), true);
  add(f, CrawlItem{"https://a.test/2", "https://a.test/2", 0, "a.test", "https://a.test", false},
      true);
  auto t0 = SteadyClock::now();

  auto ra = next(f, t0).item;
  auto rb = next(f, t0).item;
  REQUIRE(ra);
  REQUIRE(rb);
  CHECK(ra->url == "http://a.test/robots.txt");
  CHECK(rb->url == "http://b.test/robots.txt");
  CHECK_FALSE(next(f, t0).item);
  f.robots_known(*ra, RobotsRules::allow_all(), t0);
  f.robots_known(*rb, RobotsRules::allow_all(), t0);

  Strings got = drain(f, t0);
  // http://a.test's page, b.test's page, then the https origin of a.test needs its robots.txt.
  CHECK(got == Strings{"http://a.test/1", "http://b.test/1", "https://a.test/robots.txt"});
}

TEST_CASE("memory state: pages disallowed by robots.txt come back marked, claimed, not fetched") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/private/x"), true);
  add(f, page("a.test", "/public"), true);
  add(f, page("a.test", "/private"), true);
  auto t0 = SteadyClock::now();

  auto robots = next(f, t0).item;
  REQUIRE(robots);
  REQUIRE(robots->robots_txt);
  f.robots_known(*robots, RobotsRules::parse("User-agent: *\nDisallow: /private\n", "acrawl"), t0);

  // One claim: the refused pages met on the way, and one fetch.
  Claim c = f.claim(t0, 1);
  REQUIRE(c.disallowed.size() == 1);
  CHECK(c.disallowed[0].url == "http://a.test/private/x");
  REQUIRE(c.fetches.size() == 1);
  CHECK(c.fetches[0].url == "http://a.test/public");
  CHECK(f.claimed() == 2);
  CHECK(f.queued() == 1);

  Claim c2 = f.claim(t0, 1);
  REQUIRE(c2.disallowed.size() == 1);
  CHECK(c2.disallowed[0].url == "http://a.test/private");
  CHECK(c2.fetches.empty());
  CHECK(f.claimed() == 3);
  CHECK(f.queued() == 0);
}

TEST_CASE("memory state: robots.txt Crawl-delay spaces the starts of its host") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  add(f, page("b.test", "/1"), true);
  add(f, page("b.test", "/2"), true);
  auto t0 = SteadyClock::now();

  auto ra = next(f, t0).item;
  auto rb = next(f, t0).item;
  REQUIRE(ra);
  REQUIRE(rb);
  REQUIRE(ra->host == "a.test");
  f.robots_known(*ra, RobotsRules::parse("User-agent: *\nCrawl-delay: 2\n", "acrawl"), t0);
  f.robots_known(*rb, RobotsRules::allow_all(), t0);

  // b.test has no delay: both its pages go now. robots.txt was a.test's first request, so its
  // first page waits 2 s after it, and the second 2 s more.
  CHECK(drain(f, t0) == Strings{"http://b.test/1", "http://b.test/2"});
  Next wait = next(f, t0);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 2s);
  CHECK_FALSE(next(f, t0 + 1999ms).item);
  CHECK(drain(f, t0 + 2s) == Strings{"http://a.test/1"});
  CHECK_FALSE(next(f, t0 + 3999ms).item);
  CHECK(drain(f, t0 + 4s) == Strings{"http://a.test/2"});
}

TEST_CASE("memory state: the larger of --delay and Crawl-delay applies") {
  MemoryState f(FrontierOptions{.robots = true, .delay = 3s});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();
  auto robots = next(f, t0).item;
  REQUIRE(robots);
  f.robots_known(*robots, RobotsRules::parse("User-agent: *\nCrawl-delay: 1\n", "acrawl"), t0);
  Next wait = next(f, t0);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 3s);
  REQUIRE(next(f, t0 + 3s).item);
  wait = next(f, t0 + 3s);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 6s);
}

TEST_CASE("memory state: a Crawl-delay beyond 30 s is taken as 30 s") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  auto t0 = SteadyClock::now();
  auto robots = next(f, t0).item;
  REQUIRE(robots);
  f.robots_known(*robots, RobotsRules::parse("User-agent: *\nCrawl-delay: 3600\n", "acrawl"), t0);
  Next wait = next(f, t0);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 30s);
  CHECK(drain(f, t0 + 30s) == Strings{"http://a.test/1"});
  CHECK(drain(f, t0 + 60s) == Strings{"http://a.test/2"});
}

// ---------------------------------------------------------------------------------------------
// idle()

TEST_CASE("memory state: idle only when nothing is queued and nothing is in flight") {
  MemoryState f(FrontierOptions{});
  CHECK(f.idle());
  add(f, page("a.test", "/1"), true);
  CHECK_FALSE(f.idle());
  auto t0 = SteadyClock::now();
  auto item = next(f, t0).item;
  REQUIRE(item);
  CHECK(f.queued() == 0);
  CHECK_FALSE(f.idle());
  f.release(*item, t0, std::nullopt);
  CHECK_FALSE(f.idle());  // claimed until complete: its page is still being parsed
  f.complete(*item, PageRecord{}, {});
  CHECK(f.idle());
  Next nothing = next(f, t0);
  CHECK_FALSE(nothing.item);
  CHECK_FALSE(nothing.wake_at);
}

TEST_CASE("memory state: a robots.txt fetch counts as in flight for idle()") {
  MemoryState f(FrontierOptions{.robots = true});
  add(f, page("a.test", "/private"), true);
  auto t0 = SteadyClock::now();
  auto robots = next(f, t0).item;
  REQUIRE(robots);
  CHECK(f.claimed() == 1);
  CHECK_FALSE(f.idle());

  f.robots_known(*robots, RobotsRules::parse("User-agent: *\nDisallow: /private\n", "acrawl"), t0);
  CHECK(f.claimed() == 0);
  CHECK_FALSE(f.idle());  // the page is still queued
  Next refused = next(f, t0);
  REQUIRE(refused.item);
  CHECK(refused.disallowed);
  CHECK(f.queued() == 0);
  CHECK_FALSE(f.idle());  // claimed until its record is complete
  f.complete(*refused.item, PageRecord{}, {});
  CHECK(f.idle());
}

// ---------------------------------------------------------------------------------------------
// retry()

TEST_CASE("memory state: a retry comes back at its time, ahead of its host's queue") {
  MemoryState f(FrontierOptions{});
  add(f, page("a.test", "/1"), true);
  add(f, page("a.test", "/2"), true);
  add(f, page("a.test", "/3"), true);
  auto t0 = SteadyClock::now();
  auto first = next(f, t0).item;
  REQUIRE(first);
  f.release(*first, t0, std::nullopt);
  CrawlItem again = *first;
  again.attempt = 2;
  f.retry(again, t0 + 500ms);
  CHECK(f.queued() == 3);
  CHECK_FALSE(f.idle());
  CHECK(drain(f, t0) == Strings{"http://a.test/2", "http://a.test/3"});
  Next wait = next(f, t0 + 100ms);
  CHECK_FALSE(wait.item);
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 500ms);
  Next due = next(f, t0 + 500ms);
  REQUIRE(due.item);
  CHECK(due.item->url == "http://a.test/1");
  CHECK(due.item->attempt == 2);
}

TEST_CASE("memory state: drain() returns queued retries too") {
  MemoryState f(FrontierOptions{});
  add(f, page("a.test", "/1"), true);
  auto t0 = SteadyClock::now();
  auto item = next(f, t0).item;
  REQUIRE(item);
  f.release(*item, t0, std::nullopt);
  f.retry(*item, t0 + 1h);
  std::vector<CrawlItem> left = f.drain();
  REQUIRE(left.size() == 1);
  CHECK(left[0].url == "http://a.test/1");
  CHECK(f.idle());
}

// ---------------------------------------------------------------------------------------------
// Cost linear in hosts: idle hosts are forgotten, robots.txt rules are a bounded cache

TEST_CASE("memory state: a host with nothing left is forgotten once its page is done") {
  MemoryState f(FrontierOptions{});
  auto t0 = SteadyClock::now();
  for (int i = 0; i < 100; ++i) add(f, page("h" + std::to_string(i) + ".test", "/"), true);
  CHECK(f.hosts_known() == 100);
  for (int i = 0; i < 100; ++i) {
    auto item = next(f, t0).item;
    REQUIRE(item);
    finish(f, *item, t0);
  }
  CHECK(f.idle());
  CHECK(f.hosts_known() == 0);
  // Met again, a host is simply new.
  add(f, page("h1.test", "/again"), true);
  CHECK(f.hosts_known() == 1);
  CHECK(next(f, t0).item);
}

TEST_CASE("memory state: an idle host is kept until its delay has passed, and the delay holds") {
  MemoryState f(FrontierOptions{.delay = 1000ms});
  auto t0 = SteadyClock::now();
  add(f, page("a.test", "/1"), true);
  auto first = next(f, t0).item;
  REQUIRE(first);
  finish(f, *first, t0 + 10ms);
  CHECK(f.hosts_known() == 1);  // its last start still matters
  // A page of the host comes back before the delay is over: it still waits for it.
  add(f, page("a.test", "/2"), true);
  Next early = next(f, t0 + 500ms);
  CHECK_FALSE(early.item);
  REQUIRE(early.wake_at);
  CHECK(*early.wake_at == t0 + 1000ms);
  auto second = next(f, t0 + 1000ms).item;
  REQUIRE(second);
  finish(f, *second, t0 + 1010ms);
  // Nothing happens to it until the delay has passed; then the next claim forgets it.
  next(f, t0 + 1500ms);
  CHECK(f.hosts_known() == 1);
  next(f, t0 + 2000ms);
  CHECK(f.hosts_known() == 0);
}

TEST_CASE("memory state: a host paused by Retry-After is kept until the pause is over") {
  MemoryState f(FrontierOptions{});
  auto t0 = SteadyClock::now();
  add(f, page("a.test", "/1"), true);
  auto item = next(f, t0).item;
  REQUIRE(item);
  finish(f, *item, t0, 60'000ms);
  next(f, t0 + 30s);
  CHECK(f.hosts_known() == 1);
  add(f, page("a.test", "/2"), true);
  Next paused = next(f, t0 + 30s);
  CHECK_FALSE(paused.item);
  REQUIRE(paused.wake_at);
  CHECK(*paused.wake_at == t0 + 60s);
}

TEST_CASE(
    "memory state: robots.txt rules are a bounded cache, and Crawl-delay survives forgetting") {
  MemoryState f(FrontierOptions{.robots = true, .robots_cache = 2});
  auto t0 = SteadyClock::now();
  // Three origins, their robots.txt known one after the other: the first one's rules go.
  for (const char* host : {"a.test", "b.test", "c.test"}) {
    add(f, page(host, "/"), true);
    auto robots = next(f, t0).item;
    REQUIRE(robots);
    REQUIRE(robots->robots_txt);
    f.robots_known(*robots, RobotsRules::parse("User-agent: *\nCrawl-delay: 2\n", "acrawl"), t0);
    auto item = next(f, t0 + 2s).item;
    REQUIRE(item);
    CHECK_FALSE(item->robots_txt);
    finish(f, *item, t0 + 2s);
  }
  CHECK(f.robots_cached() == 2);
  next(f, t0 + 5s);  // every delay is over: the hosts are forgotten
  CHECK(f.hosts_known() == 0);
  // b.test's rules are still cached: no new robots.txt fetch, and its Crawl-delay applies again.
  add(f, page("b.test", "/1"), true);
  add(f, page("b.test", "/2"), true);
  auto b1 = next(f, t0 + 5s).item;
  REQUIRE(b1);
  CHECK_FALSE(b1->robots_txt);
  Next b2 = next(f, t0 + 5s);
  CHECK_FALSE(b2.item);
  REQUIRE(b2.wake_at);
  CHECK(*b2.wake_at == t0 + 7s);
  // a.test's were dropped: its robots.txt is fetched again.
  add(f, page("a.test", "/again"), true);
  auto a = next(f, t0 + 5s).item;
  REQUIRE(a);
  CHECK(a->robots_txt);
}

TEST_CASE("memory state: host_drained only when nothing more can follow for the host") {
  auto t0 = SteadyClock::now();
  SUBCASE("a list: the last page of a host, with nothing else in flight there") {
    MemoryState f(FrontierOptions{});
    add(f, page("a.test", "/1"), true);
    add(f, page("a.test", "/2"), true);
    add(f, page("b.test", "/1"), true);
    auto a1 = next(f, t0).item;
    auto b1 = next(f, t0).item;
    auto a2 = next(f, t0).item;
    REQUIRE((a1 && b1 && a2));
    CHECK_FALSE(a1->host_drained);  // a.test/2 is queued
    CHECK(b1->host_drained);
    CHECK_FALSE(a2->host_drained);  // a.test/1 is still in flight
    finish(f, *a1, t0);
    finish(f, *a2, t0);
    add(f, page("a.test", "/3"), true);
    auto a3 = next(f, t0).item;
    REQUIRE(a3);
    CHECK(a3->host_drained);
  }
  SUBCASE("a recursive crawl: a page whose links may be followed keeps its host") {
    MemoryState f(FrontierOptions{.dedup = true, .max_depth = 1});
    add(f, page("a.test", "/"), true);
    auto seed = next(f, t0).item;
    REQUIRE(seed);
    CHECK_FALSE(seed->host_drained);  // its links may bring more pages of a.test
    f.release(*seed, t0, std::nullopt);
    f.complete(*seed, PageRecord{}, {Candidate{page("a.test", "/x", 1), "http://a.test/x"}});
    auto deepest = next(f, t0).item;
    REQUIRE(deepest);
    CHECK(deepest->host_drained);  // at the depth limit: its links are not followed
  }
}

TEST_CASE("memory state: rules of hosts with pages waiting are not evicted, however many") {
  // More hosts with queued pages than the cache holds: evicting their rules would make each
  // refetch its robots.txt before every page, forever.
  MemoryState f(FrontierOptions{.robots = true, .robots_cache = 2});
  auto t0 = SteadyClock::now();
  const int hosts = 6;
  for (int i = 0; i < hosts; ++i) {
    add(f, page("h" + std::to_string(i) + ".test", "/1"), true);
    add(f, page("h" + std::to_string(i) + ".test", "/2"), true);
  }
  std::vector<CrawlItem> robots;
  for (int i = 0; i < hosts; ++i) {
    auto r = next(f, t0).item;
    REQUIRE(r);
    REQUIRE(r->robots_txt);
    robots.push_back(*r);
  }
  for (const CrawlItem& r : robots) f.robots_known(r, RobotsRules::allow_all(), t0);
  int pages = 0;
  for (auto item = next(f, t0).item; item; item = next(f, t0).item) {
    CHECK_FALSE(item->robots_txt);
    ++pages;
    finish(f, *item, t0);
  }
  CHECK(pages == 2 * hosts);
  // All done: the cache is back within its bound once rules are added again.
  add(f, page("late.test", "/"), true);
  auto late = next(f, t0).item;
  REQUIRE(late);
  f.robots_known(*late, RobotsRules::allow_all(), t0);
  CHECK(f.robots_cached() <= 2 + 1);
}
