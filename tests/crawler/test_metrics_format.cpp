// --metrics without a network: the address syntax, the counts per record, and the text the
// Prometheus format wants (the end-to-end test parses it with Prometheus's own parser).

#include <doctest/doctest.h>

#include <string>

#include "crawler/metrics/exposition.hpp"
#include "crawler/metrics/listen_address.hpp"
#include "crawler/output/metric_counts.hpp"

using namespace acrawl::crawler;

namespace {

PageRecord fetched(long status, double ms, std::uint64_t bytes) {
  PageRecord rec;
  rec.url = rec.final_url = "http://a/";
  rec.status = status;
  rec.elapsed_ms = ms;
  rec.bytes = bytes;
  return rec;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

}  // namespace

TEST_CASE("parse_listen_address: numeric addresses and a port, nothing else") {
  auto v4 = parse_listen_address("127.0.0.1:9100");
  REQUIRE(v4);
  CHECK(v4->ip == "127.0.0.1");
  CHECK(v4->port == 9100);
  auto v6 = parse_listen_address("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->ip == "::1");
  CHECK(v6->port == 0);
  CHECK(url_authority(*v6) == "[::1]:0");
  CHECK(parse_listen_address("localhost:80")->ip == "127.0.0.1");
  CHECK(parse_listen_address("0.0.0.0:65535")->port == 65535);
  for (const char* bad : {"", ":9100", "9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:+1", "127.0.0.1:9x", "example.com:1",
                          "::1:9100", "[::1:9100", "[127.0.0.1]:1", "256.0.0.1:1", " 1.2.3.4:5"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_listen_address(bad));
  }
}

TEST_CASE("MetricCounts: outcomes by class or error word, latency in cumulative buckets") {
  MetricCounts counts;
  counts.count(fetched(200, 4, 100));                      // 0.004 s: the first bucket
  counts.count(fetched(200, 5, 100));                      // exactly 0.005 s: le="0.005" too
  counts.count(fetched(404, 300, 10));                     // 0.3 s
  counts.count(fetched(503, 200000, 0));                   // 200 s: past every bound, only in +Inf
  counts.count(error_record("http://b/", "invalid_url"));  // nothing fetched: no latency
  PageRecord timeout = fetched(0, 30000, 0);
  timeout.error = "timeout";
  counts.count(timeout);
  CHECK(counts.pages == 6);
  CHECK(counts.bytes == 210);
  auto outcomes = counts.outcomes();
  CHECK(outcomes["2xx"] == 2);
  CHECK(outcomes["4xx"] == 1);
  CHECK(outcomes["5xx"] == 1);
  CHECK(outcomes["timeout"] == 1);
  CHECK(outcomes["invalid_url"] == 1);
  CHECK(counts.latency_count == 5);

  MetricsSnapshot s;
  s.counts = counts;
  s.summary.mode = "async";
  s.in_flight = 3;
  const std::string text = prometheus_text(s);
  CHECK(has_line(text, "# TYPE acrawl_pages_total counter"));
  CHECK(has_line(text, "acrawl_pages_total{outcome=\"2xx\"} 2"));
  CHECK(has_line(text, "acrawl_pages_total{outcome=\"3xx\"} 0"));  // always there
  CHECK(has_line(text, "acrawl_pages_total{outcome=\"timeout\"} 1"));
  CHECK(has_line(text, "acrawl_bytes_total 210"));
  CHECK(has_line(text, "acrawl_transfers_in_flight 3"));
  CHECK(has_line(text, "# TYPE acrawl_page_latency_seconds histogram"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"0.005\"} 2"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"0.25\"} 2"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"0.5\"} 3"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"30\"} 4"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"120\"} 4"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_bucket{le=\"+Inf\"} 5"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_count 5"));
  CHECK(has_line(text, "acrawl_page_latency_seconds_sum 230.309"));
  CHECK(text.ends_with("\n"));

  const std::string json = status_json(s);
  CHECK(json.find("\"outcomes\":{\"2xx\":2,\"4xx\":1,\"5xx\":1,\"invalid_url\":1,\"timeout\":1}") !=
        std::string::npos);
  CHECK(json.find("\"in_flight\":3") != std::string::npos);
  CHECK(json.ends_with("}\n"));
}
