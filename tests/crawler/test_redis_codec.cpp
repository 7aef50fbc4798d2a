// How a crawl kept in Redis stores items and records, and the --state redis:// address.

#include <doctest/doctest.h>

#include <string>

#include "crawler/config.hpp"
#include "crawler/state/redis_codec.hpp"
#include "crawler/state/redis_state.hpp"

using namespace acrawl::crawler;

TEST_CASE("redis codec: an item survives the round trip, a record line with tabs too") {
  CrawlItem item;
  item.url = "https://example.org/a?b=c";
  item.record = "  https://example.org/a?b=c\tx ";  // an input line as given
  item.depth = 3;
  item.host = "example.org";
  item.origin = "https://example.org";
  item.attempt = 2;
  item.input = true;
  CrawlItem back = decode_item(encode_item(item, 42));
  CHECK(back.url == item.url);
  CHECK(back.record == item.record);
  CHECK(back.depth == 3);
  CHECK(back.host == "example.org");
  CHECK(back.origin == "https://example.org");
  CHECK(back.attempt == 2);
  CHECK(back.input);
  CHECK(!back.robots_txt);
  CHECK(back.id == 42);
  // The scripts' own robots.txt item, and text that is no item.
  CrawlItem robots =
      decode_item("R\t0\t0\t1\thttp://h\thttp://h/robots.txt\thttp://h/robots.txt\th");
  CHECK(robots.robots_txt);
  CHECK(robots.host == "h");
  CHECK_THROWS_AS(decode_item("P\t1\t2"), StateError);
}

TEST_CASE("redis codec: a record survives the round trip, with or without title and links") {
  PageRecord r;
  r.url = "http://h/p";
  r.final_url = "http://h/q";
  r.status = 200;
  r.title = "Title: 12:34 \xE2\x80\x94 with\ttab";
  r.content_type = "text/html";
  r.bytes = 12345;
  r.redirects = 1;
  r.encoding = "UTF-8";
  r.encoding_source = "meta";
  r.depth = 2;
  r.attempts = 3;
  r.links = std::vector<std::string>{"http://h/1", "http://h/2"};
  PageRecord back = decode_record(encode_record(r, true));
  CHECK(back.url == r.url);
  CHECK(back.final_url == r.final_url);
  CHECK(back.status == 200);
  CHECK(back.title == r.title);
  CHECK(back.bytes == 12345);
  CHECK(back.redirects == 1);
  CHECK(back.encoding_source == "meta");
  CHECK(back.depth == 2);
  CHECK(back.attempts == 3);
  REQUIRE(back.links);
  CHECK(*back.links == *r.links);
  CHECK(!decode_record(encode_record(r, false)).links);  // kept only with --links

  PageRecord failed = error_record("not a url", "invalid_url");
  PageRecord f = decode_record(encode_record(failed, true));
  CHECK(f.url == "not a url");
  CHECK(f.error == "invalid_url");
  CHECK(!f.title);
  CHECK(decode_record({{"r", "5:ab"}}).url.empty());  // damaged: nothing read past it
}

TEST_CASE("redis address: redis://HOST[:PORT][/DB]") {
  RedisTarget t = parse_redis_url("redis://10.0.0.5:6380/3");
  CHECK(t.host == "10.0.0.5");
  CHECK(t.port == 6380);
  CHECK(t.db == 3);
  RedisTarget d = parse_redis_url("redis://localhost");
  CHECK(d.host == "127.0.0.1");
  CHECK(d.port == 6379);
  CHECK(d.db == 0);
  CHECK_THROWS_AS(parse_redis_url("redis://h:0"), StateError);
  CHECK_THROWS_AS(parse_redis_url("redis://h:6379/x"), StateError);
  CHECK_THROWS_AS(parse_redis_url("redis://:6379"), StateError);
  CHECK(is_redis_url("redis://x"));
  CHECK(!is_redis_url("crawl.db"));
  CHECK(redis_prefix("docs") == "acrawl:{docs}:");
}
