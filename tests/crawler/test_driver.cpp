// CrawlDriver: the course of a crawl with no network, its transfers' results made up here; the
// modes drive it the same way.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "crawler/crawl/driver.hpp"
#include "tests/support/collect_sink.hpp"

using namespace acrawl::crawler;
using acrawl::test::CollectSink;
using namespace std::chrono_literals;

namespace {

// A made-up site: every page links to the pages listed for it.
struct Site {
  std::map<std::string, std::vector<std::string>> links;
  FetchResult answer(const CrawlItem& item) const {
    FetchResult r;
    r.final_url = item.url;
    r.status = 200;
    if (item.robots_txt) {
      r.body = "User-agent: *\nDisallow: /private\n";
      r.content_type = "text/plain";
      return r;
    }
    r.content_type = "text/html";
    r.body = "<title>" + item.url + "</title>";
    auto it = links.find(item.url);
    if (it != links.end()) {
      for (const std::string& l : it->second) r.body += "<a href=\"" + l + "\">x</a>";
    }
    r.bytes = r.body.size();
    return r;
  }
};

std::vector<InputItem> inputs(std::initializer_list<const char*> urls) {
  std::vector<InputItem> items;
  for (const char* u : urls) items.push_back(InputItem{u, "test"});
  return items;
}

// Runs the crawl to its end the way a sequential mode does: input, then claim, fetch, parse.
void run(CrawlDriver& d, const Site& site, const std::vector<InputItem>& in) {
  d.add_input(in);
  d.add_input({});
  auto now = SteadyClock::now();
  while (!d.finished()) {
    CrawlDriver::Work w = d.next(now, 4);
    REQUIRE_FALSE(w.output_full);
    if (w.fetches.empty()) {
      REQUIRE(w.wake_at);  // something must be due later, or the crawl would be stuck
      now = *w.wake_at;
      continue;
    }
    for (const CrawlItem& item : w.fetches) {
      FetchResult r = site.answer(item);
      if (d.transfer_ended(item, r, now) == CrawlDriver::Then::parse) {
        d.page_parsed(item, d.parse_stage()(item.record, std::move(r)));
      }
    }
  }
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("driver: a recursive crawl records every page once, refused ones included") {
  CrawlConfig config;
  config.follow.depth = 5;
  CollectSink sink;
  CrawlOutput output(sink);
  CrawlDriver d(config, output);
  Site site;
  site.links["http://a.test/"] = {"/b", "/c", "/private/p", "http://elsewhere.test/"};
  site.links["http://a.test/b"] = {"/", "/c", "/d"};
  run(d, site, inputs({"http://a.test/", "mailto:x@y", "http://a.test/"}));
  output.close();
  std::map<std::string, std::string> status;
  for (const PageRecord& r : sink.records()) status[r.url] += r.status_text() + " ";
  CHECK(status["http://a.test/"] == "200 200 ");  // each input line, repeated or not
  CHECK(status["mailto:x@y"] == "unsupported_scheme ");
  CHECK(status["http://a.test/b"] == "200 ");
  CHECK(status["http://a.test/c"] == "200 ");
  CHECK(status["http://a.test/d"] == "200 ");
  CHECK(status["http://a.test/private/p"] == "robots_disallowed ");
  CHECK(status.count("http://elsewhere.test/") == 0);    // out of scope
  CHECK(status.count("http://a.test/robots.txt") == 0);  // never a record of its own
  CHECK(sink.records().size() == 7);
}

TEST_CASE("driver: finished only when input ended and every claimed page is parsed") {
  CrawlConfig config;
  CollectSink sink;
  CrawlOutput output(sink);
  CrawlDriver d(config, output);
  CHECK_FALSE(d.finished());  // the input may still bring URLs
  d.add_input(inputs({"http://a.test/"}));
  d.add_input({});
  CHECK(d.input_ended());
  auto now = SteadyClock::now();
  CrawlDriver::Work w = d.next(now, 8);
  REQUIRE(w.fetches.size() == 1);
  CHECK_FALSE(d.finished());
  Site site;
  FetchResult r = site.answer(w.fetches[0]);
  REQUIRE(d.transfer_ended(w.fetches[0], r, now) == CrawlDriver::Then::parse);
  CHECK_FALSE(d.finished());  // being parsed
  d.page_parsed(w.fetches[0], d.parse_stage()(w.fetches[0].record, std::move(r)));
  CHECK(d.finished());
  output.close();
  REQUIRE(sink.records().size() == 1);
  CHECK(sink.records()[0].title == "http://a.test/");
}

TEST_CASE("driver: a transient failure is fetched again, then recorded once") {
  CrawlConfig config;
  config.retry.retries = 1;
  config.retry.base_delay_ms = 10;
  CollectSink sink;
  CrawlOutput output(sink);
  CrawlDriver d(config, output);
  d.add_input(inputs({"http://a.test/"}));
  d.add_input({});
  auto now = SteadyClock::now();
  CrawlItem first = d.next(now, 1).fetches.at(0);
  FetchResult reset;
  reset.code = CURLE_RECV_ERROR;
  CHECK(d.transfer_ended(first, reset, now) == CrawlDriver::Then::done);
  CHECK_FALSE(d.finished());
  CrawlDriver::Work wait = d.next(now, 1);
  REQUIRE(wait.wake_at);
  CrawlItem second = d.next(*wait.wake_at, 1).fetches.at(0);
  CHECK(second.attempt == 2);
  CHECK(d.transfer_ended(second, reset, *wait.wake_at) == CrawlDriver::Then::parse);
  d.page_parsed(second, d.parse_stage()(second.record, reset));
  CHECK(d.finished());
  output.close();
  REQUIRE(sink.records().size() == 1);
  CHECK(sink.records()[0].error == "reset");
  CHECK(sink.records()[0].attempts == 2);
}

TEST_CASE("driver: cancelled pages and stopped inputs get `cancelled`; robots.txt gets nothing") {
  CrawlConfig config;
  config.follow.depth = 1;
  CollectSink sink;
  CrawlOutput output(sink);
  CrawlDriver d(config, output);
  d.add_input(inputs({"http://a.test/1", "http://b.test/1", "http://b.test/2"}));
  auto now = SteadyClock::now();
  CrawlDriver::Work w = d.next(now, 8);
  REQUIRE(w.fetches.size() == 2);  // the two robots.txt files
  for (const CrawlItem& item : w.fetches) {
    CHECK(item.robots_txt);
    if (item.host == "a.test") {
      d.cancelled(item);  // its transfer was cancelled
    } else {
      FetchResult refused;
      refused.code = CURLE_COULDNT_CONNECT;
      d.transfer_ended(item, refused, now);  // no answer: b.test is not crawled
    }
  }
  CHECK(d.next(now, 8).fetches.empty());  // b.test's pages are refused, a.test's wait
  d.stop();
  output.close();
  Strings got;
  for (const PageRecord& r : sink.records()) got.push_back(r.url + " " + r.status_text());
  CHECK(sorted(got) == Strings{"http://a.test/1 cancelled", "http://b.test/1 robots_disallowed",
                               "http://b.test/2 robots_disallowed"});
}

TEST_CASE("driver: input waits while the frontier is full and while the output is behind") {
  CrawlConfig config;
  config.concurrency = 1;  // high water: 2 + one input batch
  CollectSink sink;
  CrawlOutput output(sink, nullptr, 2);
  CrawlDriver d(config, output);
  CHECK(d.wants_input());
  std::vector<InputItem> many;
  for (std::size_t i = 0; i < CrawlDriver::kInputBatch + 2; ++i) {
    many.push_back(InputItem{"http://a.test/" + std::to_string(i), "test"});
  }
  d.add_input(many);
  CHECK_FALSE(d.wants_input());

  sink.block();  // a reader that stopped reading
  auto now = SteadyClock::now();
  Site site;
  int parsed = 0;
  CrawlDriver::Work w;
  for (;;) {
    w = d.next(now, 1);
    if (w.output_full) break;
    REQUIRE(w.fetches.size() == 1);
    FetchResult r = site.answer(w.fetches[0]);
    d.transfer_ended(w.fetches[0], r, now);
    d.page_parsed(w.fetches[0], d.parse_stage()(w.fetches[0].record, std::move(r)));
    ++parsed;
    REQUIRE(parsed < 10);
  }
  CHECK(w.fetches.empty());  // nothing starts while the output is behind
  CHECK(parsed >= 2);
  sink.release();
  output.close();
  CHECK(sink.records().size() == static_cast<std::size_t>(parsed));
}
