// SqliteState and StateStore on a real SQLite file: the window over the frontier, and what a
// state read back gives a resumed crawl (seen set, queue order, retries, robots.txt rules,
// Retry-After pauses, the input taken in). Plus the fingerprint set and the rules' text form.

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "crawler/frontier/robots.hpp"
#include "crawler/state/fingerprint.hpp"
#include "crawler/state/sqlite_state.hpp"
#include "crawler/state/state_store.hpp"

using namespace std::chrono_literals;
using acrawl::crawler::Candidate;
using acrawl::crawler::Claim;
using acrawl::crawler::CrawlDefinition;
using acrawl::crawler::CrawlItem;
using acrawl::crawler::FingerprintSet;
using acrawl::crawler::FrontierOptions;
using acrawl::crawler::InputMark;
using acrawl::crawler::PageRecord;
using acrawl::crawler::RobotsRules;
using acrawl::crawler::SqliteState;
using acrawl::crawler::StateError;
using acrawl::crawler::StateStore;
using acrawl::crawler::SteadyClock;
using acrawl::crawler::StoredOutput;

namespace {

struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/acrawl-sqlite-state-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = std::string(tmpl) + "/state.db";
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(path).parent_path(), ec);
  }
};

Candidate page(const std::string& host, const std::string& path, int depth = 0) {
  const std::string url = "http://" + host + path;
  return Candidate{CrawlItem{url, url, depth, host, "http://" + host, false}, url};
}

const CrawlDefinition kDefinition{{"--depth", "3"}};

FrontierOptions recursive() {
  FrontierOptions o;
  o.dedup = true;
  o.max_depth = 3;
  return o;
}

// A store and the state over it, started like run_crawl does.
struct Opened {
  StateStore store;
  SqliteState state;
  Opened(const std::string& path, FrontierOptions options, std::size_t window)
      : store(path, kDefinition, StoredOutput{}), state(options, store, window) {
    store.start([] {});
  }
};

std::vector<CrawlItem> claim_all(SqliteState& s, SteadyClock::time_point now) {
  Claim c = s.claim(now, 1000);
  return c.fetches;
}

}  // namespace

TEST_CASE("FingerprintSet holds what was inserted, and nothing else") {
  FingerprintSet set;
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> in;
  for (int i = 0; i < 100'000; ++i) in.push_back((rng() >> 1) | 1);
  for (auto fp : in) CHECK(set.insert(fp));
  for (auto fp : in) CHECK_FALSE(set.insert(fp));
  CHECK(set.size() == in.size());
  std::size_t false_hits = 0;
  for (int i = 0; i < 100'000; ++i) false_hits += set.contains((rng() >> 1) | 1) ? 1 : 0;
  CHECK(false_hits == 0);
  CHECK(acrawl::crawler::fingerprint("http://a/") != acrawl::crawler::fingerprint("http://a/b"));
  CHECK(acrawl::crawler::fingerprint("") != 0);
}

TEST_CASE("RobotsRules survive their text form") {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: acrawl\nDisallow: /private\nAllow: /private/ok$\nDisallow: /*.pdf\n"
      "Crawl-delay: 2.5\nSitemap: http://h/sitemap.xml\n",
      "acrawl");
  const RobotsRules back = RobotsRules::deserialize(rules.serialize());
  for (const char* path : {"/", "/private", "/private/ok", "/private/ok/x", "/a.pdf", "/a.pdfx",
                           "/robots.txt", "/x?y=1"}) {
    CAPTURE(path);
    CHECK(back.allowed(path) == rules.allowed(path));
  }
  CHECK_FALSE(back.allowed("/private/x"));
  CHECK(back.crawl_delay() == rules.crawl_delay());
  CHECK(back.sitemaps() == rules.sitemaps());
  CHECK(RobotsRules::deserialize(RobotsRules::disallow_all().serialize()).allowed("/a") == false);
  CHECK(RobotsRules::deserialize("garbage\n\nZ\n").allowed("/a"));
}

TEST_CASE("SqliteState keeps a window in memory and reads the rest back in discovery order") {
  TempFile f;
  Opened o(f.path, recursive(), 4);
  std::vector<Candidate> seeds;
  for (int i = 0; i < 20; ++i) seeds.push_back(page("h" + std::to_string(i), "/"));
  o.state.add_seeds(std::move(seeds));
  CHECK(o.state.queued() == 20);
  CHECK(o.state.on_disk() == 16);
  CHECK(o.state.known("http://h7/"));
  CHECK_FALSE(o.state.known("http://h20/"));
  o.store.sync();
  std::vector<std::string> order;
  const auto now = SteadyClock::now();
  while (order.size() < 20) {
    std::vector<CrawlItem> got = claim_all(o.state, now);
    REQUIRE_FALSE(got.empty());
    for (const CrawlItem& item : got) {
      order.push_back(item.host);
      o.state.release(item, now, std::nullopt);
      o.state.complete(item, PageRecord{}, {});
    }
  }
  for (int i = 0; i < 20; ++i) CHECK(order[static_cast<std::size_t>(i)] == "h" + std::to_string(i));
  CHECK(o.state.idle());
  o.store.close();
}

TEST_CASE("a state read back resumes: seen set, queue, retries, robots.txt rules, pauses, input") {
  TempFile f;
  FrontierOptions options = recursive();
  options.robots = true;
  const auto t0 = SteadyClock::now();
  {
    Opened o(f.path, options, 100);
    CHECK(o.store.fresh());
    o.state.add_input({page("a", "/"), page("b", "/")}, {}, {}, InputMark{2, 42});
    // a: robots.txt first, then its page, which finds two links (one seen already).
    std::vector<CrawlItem> first = claim_all(o.state, t0);
    REQUIRE(first.size() == 2);
    REQUIRE(first[0].robots_txt);
    REQUIRE(first[1].robots_txt);
    for (const CrawlItem& r : first) {
      o.state.robots_known(r, RobotsRules::parse("User-agent: *\nDisallow: /no\n", "acrawl"), t0);
    }
    std::vector<CrawlItem> pages = claim_all(o.state, t0);
    REQUIRE(pages.size() == 2);
    const CrawlItem& a = pages[0].host == "a" ? pages[0] : pages[1];
    const CrawlItem& b = pages[0].host == "a" ? pages[1] : pages[0];
    o.state.release(a, t0, std::nullopt);
    PageRecord rec;
    rec.url = a.url;
    rec.status = 200;
    o.state.complete(a, rec, {page("a", "/x", 1), page("b", "/", 1), page("a", "/no", 1)});
    // b: a 503 with Retry-After: retried after an hour, its host paused as long.
    o.state.release(b, t0, std::chrono::milliseconds(3'600'000));
    CrawlItem again = b;
    ++again.attempt;
    o.state.retry(again, t0 + 1h);
    o.store.close();
  }
  Opened o(f.path, options, 100);
  CHECK_FALSE(o.store.fresh());
  CHECK(o.state.resumed_input().lines == 2);
  CHECK(o.state.resumed_input().hash == 42);
  CHECK(o.state.known("http://a/"));
  CHECK(o.state.known("http://a/x"));
  CHECK(o.state.known("http://a/no"));
  CHECK_FALSE(o.state.known("http://a/y"));
  CHECK(o.state.queued() == 3);  // b (retry), a/x, a/no
  const auto t1 = SteadyClock::now();
  Claim c = o.state.claim(t1, 10);
  // No robots.txt fetched again: a/x goes out, a/no is refused by the stored rules, b waits.
  REQUIRE(c.fetches.size() == 1);
  CHECK(c.fetches[0].url == "http://a/x");
  CHECK(c.fetches[0].depth == 1);
  REQUIRE(c.disallowed.size() == 1);
  CHECK(c.disallowed[0].url == "http://a/no");
  o.state.release(c.fetches[0], t1, std::nullopt);
  o.state.complete(c.fetches[0], PageRecord{}, {});
  o.state.complete(c.disallowed[0], PageRecord{}, {});
  Claim waiting = o.state.claim(t1, 10);
  CHECK(waiting.fetches.empty());
  REQUIRE(waiting.wake_at.has_value());
  CHECK(*waiting.wake_at > t1 + 50min);  // b's retry time and its host's pause, after t0 + 1h
  // An hour later b comes back as its second attempt.
  Claim later = o.state.claim(t1 + 2h, 10);
  REQUIRE(later.fetches.size() == 1);
  CHECK(later.fetches[0].url == "http://b/");
  CHECK(later.fetches[0].attempt == 2);
  o.store.close();
}

TEST_CASE("StateStore refuses another crawl's state, a second opener, and a newer schema") {
  TempFile f;
  { StateStore first(f.path, kDefinition, StoredOutput{}); }
  CHECK_THROWS_WITH_AS(StateStore(f.path, CrawlDefinition{{"--depth", "4"}}, StoredOutput{}),
                       doctest::Contains("--depth: '3' in the state, '4' now"), StateError);
  StateStore holder(f.path, kDefinition, StoredOutput{});
  CHECK_THROWS_WITH_AS(StateStore(f.path, kDefinition, StoredOutput{}),
                       doctest::Contains("in use by another acrawl"), StateError);
}

TEST_CASE("a robots.txt outage is not kept: the resumed crawl asks again") {
  TempFile f;
  FrontierOptions options = recursive();
  options.robots = true;
  const auto now = SteadyClock::now();
  {
    Opened o(f.path, options, 100);
    o.state.add_seeds({page("a", "/"), page("b", "/")});
    std::vector<CrawlItem> robots = claim_all(o.state, now);
    REQUIRE(robots.size() == 2);
    for (const CrawlItem& r : robots) {
      o.state.robots_known(r, r.host == "a" ? RobotsRules::unreachable() : RobotsRules::allow_all(),
                           now);
    }
    o.store.close();
  }
  Opened o(f.path, options, 100);
  std::vector<CrawlItem> again = claim_all(o.state, now);
  REQUIRE(again.size() == 2);
  for (const CrawlItem& item : again) {
    CAPTURE(item.url);
    CHECK(item.robots_txt == (item.host == "a"));  // b's rules were kept, a's outage was not
  }
  o.store.close();
}

TEST_CASE("hosts waiting on a delay do not hold back the URLs of other hosts in the file") {
  TempFile f;
  FrontierOptions options = recursive();
  options.delay = std::chrono::milliseconds(3'600'000);
  Opened o(f.path, options, 2);
  o.state.add_seeds({page("a", "/1"), page("a", "/2"), page("a", "/3"), page("b", "/1")});
  CHECK(o.state.on_disk() == 2);
  o.store.sync();
  const auto now = SteadyClock::now();
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    for (const CrawlItem& item : claim_all(o.state, now)) got.push_back(item.url);
  }
  // a/1 now, a's next page an hour later; b/1 (read back from the file) meanwhile.
  CHECK(got == std::vector<std::string>{"http://a/1", "http://b/1"});
  o.store.close();
}
