// CrawlPlanner over a MemoryState, without any network: inputs, the scope of links and
// redirects, the retry policy and the robots.txt policy.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "crawler/frontier/memory_state.hpp"
#include "crawler/frontier/planner.hpp"

using namespace acrawl::crawler;
using namespace std::chrono_literals;

namespace {

// A recursive crawl; robots.txt only where a test asks for it.
CrawlConfig recursive(int depth = 2, bool robots = false) {
  CrawlConfig c;
  c.follow.depth = depth;
  c.follow.robots = robots;
  c.retry.retries = 2;
  c.retry.base_delay_ms = 100;
  return c;
}

struct Fixture {
  explicit Fixture(const CrawlConfig& c) : state(frontier_options(c)), planner(c, state) {}
  MemoryState state;
  CrawlPlanner planner;
};

std::vector<InputItem> inputs(std::initializer_list<const char*> urls) {
  std::vector<InputItem> items;
  int line = 0;
  for (const char* u : urls) items.push_back(InputItem{u, "test:" + std::to_string(++line)});
  return items;
}

FetchResult ok_result(const std::string& url, long status = 200) {
  FetchResult r;
  r.status = status;
  r.final_url = url;
  r.content_type = "text/html";
  return r;
}

ParsedPage parsed(const std::string& final_url, std::initializer_list<const char*> links) {
  ParsedPage page;
  page.record.final_url = final_url;
  page.record.status = 200;
  for (const char* l : links) page.links.push_back(*Url::parse(l));
  return page;
}

// Claims everything claimable at now (no politeness in these tests).
std::vector<CrawlItem> claim_all(Fixture& f, SteadyClock::time_point now) {
  Claim c = f.planner.claim(now, 1000);
  return c.fetches;
}

std::vector<std::string> urls(const std::vector<CrawlItem>& items) {
  std::vector<std::string> out;
  for (const CrawlItem& i : items) out.push_back(i.url);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("planner: input lines that are not http(s) URLs get their record, the rest is queued") {
  Fixture f(CrawlConfig{});
  std::vector<PageRecord> refused =
      f.planner.add_inputs(inputs({"http://a.test/", "ftp://a.test/", "no url", "http://a.test/"}));
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].url == "ftp://a.test/");
  CHECK(refused[0].error == "unsupported_scheme");
  CHECK(refused[1].url == "no url");
  CHECK(refused[1].error == "invalid_url");
  CHECK(f.planner.queued() == 2);  // a repeated line is fetched again: each gets its record
}

TEST_CASE("planner: a list crawl follows nothing") {
  Fixture f(CrawlConfig{});
  f.planner.add_inputs(inputs({"http://a.test/"}));
  auto t0 = SteadyClock::now();
  std::vector<CrawlItem> got = claim_all(f, t0);
  REQUIRE(got.size() == 1);
  CHECK(got[0].input);
  CHECK_FALSE(f.planner.transfer_ended(got[0], ok_result(got[0].url), t0));
  ParsedPage page = parsed("http://a.test/", {"http://a.test/next"});
  f.planner.page_parsed(got[0], page);
  CHECK(f.planner.queued() == 0);
  CHECK(f.planner.idle());
}

TEST_CASE("planner: links in scope are queued one hop deeper, once; out of scope never") {
  Fixture f(recursive(2));
  f.planner.add_inputs(inputs({"http://a.test/docs/"}));
  auto t0 = SteadyClock::now();
  std::vector<CrawlItem> seed = claim_all(f, t0);
  REQUIRE(seed.size() == 1);
  f.planner.transfer_ended(seed[0], ok_result(seed[0].url), t0);
  ParsedPage page = parsed("http://a.test/docs/",
                           {"http://a.test/docs/a", "http://b.test/x", "http://a.test/docs/a#frag",
                            "HTTP://A.TEST:80/docs/b", "http://a.test/docs/"});
  f.planner.page_parsed(seed[0], page);
  CHECK(page.record.url == "http://a.test/docs/");
  CHECK(page.record.depth == 0);

  std::vector<CrawlItem> next = claim_all(f, t0);
  // The seed itself is seen, b.test is another host, the fragment variant is the same page.
  CHECK(urls(next) == Strings{"http://a.test/docs/a", "http://a.test/docs/b"});
  for (const CrawlItem& i : next) {
    CHECK(i.depth == 1);
    CHECK_FALSE(i.input);
  }
}

TEST_CASE("planner: no links past the depth limit, none from a nofollow page") {
  Fixture f(recursive(1));
  f.planner.add_inputs(inputs({"http://a.test/"}));
  auto t0 = SteadyClock::now();
  CrawlItem seed = claim_all(f, t0).at(0);
  f.planner.transfer_ended(seed, ok_result(seed.url), t0);
  ParsedPage page = parsed("http://a.test/", {"http://a.test/1"});
  f.planner.page_parsed(seed, page);
  CrawlItem one = claim_all(f, t0).at(0);
  CHECK(one.depth == 1);
  f.planner.transfer_ended(one, ok_result(one.url), t0);
  ParsedPage deeper = parsed("http://a.test/1", {"http://a.test/2"});
  f.planner.page_parsed(one, deeper);  // depth 2 > limit 1
  CHECK(f.planner.idle());

  Fixture g(recursive(3));
  g.planner.add_inputs(inputs({"http://a.test/"}));
  CrawlItem s = claim_all(g, t0).at(0);
  g.planner.transfer_ended(s, ok_result(s.url), t0);
  ParsedPage nofollow = parsed("http://a.test/", {"http://a.test/1"});
  nofollow.nofollow = true;
  g.planner.page_parsed(s, nofollow);
  CHECK(g.planner.idle());
}

TEST_CASE("planner: a seed's redirect brings its target into scope, at the same depth") {
  Fixture f(recursive(1));
  f.planner.add_inputs(inputs({"http://a.test/"}));
  auto t0 = SteadyClock::now();
  CrawlItem seed = claim_all(f, t0).at(0);
  FetchResult r = ok_result(seed.url, 301);
  f.planner.transfer_ended(seed, r, t0);
  ParsedPage page;
  page.record.status = 301;
  page.record.final_url = "http://a.test/";
  page.record.location = "https://www.a.test/home";
  f.planner.page_parsed(seed, page);
  CHECK(page.record.location == "https://www.a.test/home");
  CrawlItem target = claim_all(f, t0).at(0);
  CHECK(target.url == "https://www.a.test/home");
  CHECK(target.depth == 0);
  f.planner.transfer_ended(target, ok_result(target.url), t0);
  ParsedPage home = parsed("https://www.a.test/home", {"https://www.a.test/page"});
  f.planner.page_parsed(target, home);
  CHECK(urls(claim_all(f, t0)) == Strings{"https://www.a.test/page"});  // in scope now
}

TEST_CASE("planner: transient failures are retried with backoff until attempts run out") {
  Fixture f(recursive(1));
  f.planner.add_inputs(inputs({"http://a.test/"}));
  auto t0 = SteadyClock::now();
  CrawlItem item = claim_all(f, t0).at(0);
  FetchResult refused;
  refused.code = CURLE_COULDNT_CONNECT;
  CHECK(f.planner.transfer_ended(item, refused, t0));  // attempt 1 failed: again
  CHECK(claim_all(f, t0).empty());                     // not before its backoff
  Claim later = f.planner.claim(t0 + 1h, 10);
  REQUIRE(later.fetches.size() == 1);
  CHECK(later.fetches[0].attempt == 2);
  CHECK(f.planner.transfer_ended(later.fetches[0], refused, t0 + 1h));
  CrawlItem third = f.planner.claim(t0 + 2h, 10).fetches.at(0);
  CHECK(third.attempt == 3);
  CHECK_FALSE(f.planner.transfer_ended(third, refused, t0 + 2h));  // --retries 2: done

  FetchResult not_found = ok_result("http://a.test/", 404);
  Fixture g(recursive(1));
  g.planner.add_inputs(inputs({"http://a.test/"}));
  CHECK_FALSE(g.planner.transfer_ended(claim_all(g, t0).at(0), not_found, t0));
}

TEST_CASE("planner: a Retry-After of any size pauses the host at most an hour, no overflow") {
  Fixture f(CrawlConfig{});
  f.planner.add_inputs(inputs({"http://a.test/1", "http://a.test/2"}));
  auto t0 = SteadyClock::now();
  Claim first = f.planner.claim(t0, 1);
  REQUIRE(first.fetches.size() == 1);
  FetchResult busy = ok_result(first.fetches[0].url, 503);
  busy.retry_after_seconds = 1'000'000'000'000'000L;  // 10^15 s: 10^18 ms overflows in ms*1000
  f.planner.transfer_ended(first.fetches[0], busy, t0);
  Claim wait = f.planner.claim(t0 + 59min, 10);
  CHECK(wait.fetches.empty());
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 1h);
  CHECK(f.planner.claim(t0 + 1h, 10).fetches.size() == 2);  // the retry and the second page
}

TEST_CASE("planner: robots.txt 5xx or no answer refuses the site; 4xx allows it; 200 is read") {
  auto t0 = SteadyClock::now();
  auto run = [&](FetchResult robots_answer) {
    Fixture f(recursive(1, true));
    f.planner.add_inputs(inputs({"http://a.test/private/x", "http://a.test/public"}));
    Claim c = f.planner.claim(t0, 10);
    REQUIRE(c.fetches.size() == 1);
    REQUIRE(c.fetches[0].robots_txt);
    f.planner.robots_fetched(c.fetches[0], robots_answer, t0);
    Claim after = f.planner.claim(t0, 10);
    Strings result;
    for (const CrawlItem& i : after.disallowed) {
      PageRecord rec = f.planner.disallowed(i);
      CHECK(rec.error == "robots_disallowed");
      result.push_back("refused " + i.url);
    }
    for (const CrawlItem& i : after.fetches) result.push_back("fetch " + i.url);
    return result;
  };
  FetchResult five = ok_result("http://a.test/robots.txt", 503);
  CHECK(run(five) == Strings{"refused http://a.test/private/x", "refused http://a.test/public"});
  FetchResult none;
  none.code = CURLE_OPERATION_TIMEDOUT;
  CHECK(run(none) == Strings{"refused http://a.test/private/x", "refused http://a.test/public"});
  FetchResult four = ok_result("http://a.test/robots.txt", 404);
  CHECK(run(four) == Strings{"fetch http://a.test/private/x", "fetch http://a.test/public"});
  FetchResult rules = ok_result("http://a.test/robots.txt", 200);
  rules.body = "User-agent: *\nDisallow: /private\n";
  CHECK(run(rules) == Strings{"refused http://a.test/private/x", "fetch http://a.test/public"});
}

TEST_CASE("planner: robots.txt Crawl-delay 1e16 is obeyed as the 30 s cap, not overflowed") {
  Fixture f(recursive(1, true));
  f.planner.add_inputs(inputs({"http://a.test/1", "http://a.test/2"}));
  auto t0 = SteadyClock::now();
  CrawlItem robots = f.planner.claim(t0, 10).fetches.at(0);
  FetchResult body = ok_result(robots.url);
  body.body = "User-agent: *\nCrawl-delay: 1e16\n";
  f.planner.robots_fetched(robots, body, t0);
  Claim wait = f.planner.claim(t0, 10);
  CHECK(wait.fetches.empty());
  REQUIRE(wait.wake_at);
  CHECK(*wait.wake_at == t0 + 30s);
  CHECK(f.planner.claim(t0 + 30s, 10).fetches.size() == 1);
  CHECK(f.planner.claim(t0 + 59s, 10).fetches.empty());
  CHECK(f.planner.claim(t0 + 60s, 10).fetches.size() == 1);
}

TEST_CASE("planner: a stopped crawl cancels the inputs still queued, not the links") {
  Fixture f(recursive(1));
  f.planner.add_inputs(inputs({"http://a.test/", "http://b.test/"}));
  auto t0 = SteadyClock::now();
  CrawlItem a = f.planner.claim(t0, 1).fetches.at(0);
  f.planner.transfer_ended(a, ok_result(a.url), t0);
  ParsedPage page = parsed(a.url, {"http://a.test/link"});
  f.planner.page_parsed(a, page);
  std::vector<PageRecord> cancelled = f.planner.drain_inputs();
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0].url == "http://b.test/");
  CHECK(cancelled[0].error == "cancelled");
  CHECK(f.planner.queued() == 0);
}

TEST_CASE("planner: the parse stage follows the options") {
  CrawlConfig list;
  CHECK_FALSE(Fixture(list).planner.parse_stage().links);
  CrawlConfig links_file;
  links_file.follow.links_path = "links.tsv";
  CHECK(Fixture(links_file).planner.parse_stage().links);
  CHECK(Fixture(links_file).planner.parse_stage().link_options.into_record);
  CHECK(Fixture(recursive()).planner.parse_stage().links);
  CHECK_FALSE(Fixture(recursive()).planner.parse_stage().link_options.into_record);
  CHECK_FALSE(Fixture(recursive()).planner.page_fetch().follow_redirects);
  CHECK(Fixture(list).planner.page_fetch().follow_redirects);
  CHECK(Fixture(list).planner.robots_fetch().any_content_type);
}
