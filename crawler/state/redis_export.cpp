#include "crawler/state/redis_export.hpp"

#include <chrono>

#include "crawler/output/sink.hpp"
#include "crawler/state/redis_codec.hpp"
#include "crawler/state/redis_state.hpp"
#include "runtime/loop.hpp"
#include "runtime/redis.hpp"

namespace acrawl::crawler {

namespace {

using namespace std::chrono_literals;

rt::Task<std::int64_t> export_all(RedisTarget target, std::string crawl_id, OutputFormat format,
                                  std::FILE* out) {
  std::unique_ptr<rt::RedisConnection> redis;
  try {
    redis = co_await rt::RedisConnection::connect(target.host, target.port, 5s);
  } catch (const rt::RedisError& e) {
    throw StateError("cannot reach Redis at " + target.host + ":" + std::to_string(target.port) +
                     ": " + e.what());
  }
  if (target.db != 0) co_await redis->command(rt::redis_argv("SELECT", std::to_string(target.db)));
  const std::string prefix = redis_prefix(crawl_id);
  rt::RedisReply links =
      co_await redis->command(rt::redis_argv("HGET", prefix + "meta", "--links"));
  if (links.type == rt::RedisReply::Type::nil) {
    throw StateError("no crawl '" + crawl_id + "' in Redis at " + target.host + ":" +
                     std::to_string(target.port));
  }
  auto sink = make_sink(format, out, links.str == "yes");
  std::int64_t n = 0;
  std::string from = "-";
  for (;;) {
    rt::RedisReply page = co_await redis->command(
        rt::redis_argv("XRANGE", prefix + "records", from, "+", "COUNT", "1000"));
    if (page.is_error()) throw StateError("redis: XRANGE: " + page.str);
    if (page.elements.empty()) break;
    for (const rt::RedisReply& entry : page.elements) {
      if (entry.elements.size() < 2) continue;
      RedisFields fields;
      const auto& kv = entry.elements[1].elements;
      for (std::size_t i = 0; i + 1 < kv.size(); i += 2)
        fields.emplace_back(kv[i].str, kv[i + 1].str);
      sink->write(decode_record(fields));
      ++n;
      from = "(" + entry.elements[0].str;  // exclusive: after this entry
    }
  }
  sink->flush();
  co_return n;
}

}  // namespace

std::int64_t export_redis(const std::string& url, const std::string& crawl_id, OutputFormat format,
                          std::FILE* out) {
  if (crawl_id.empty()) {
    throw StateError("export of a Redis crawl needs --crawl-id (the crawl logs its id at start)");
  }
  rt::Loop loop;
  return loop.run(export_all(parse_redis_url(url), crawl_id, format, out));
}

}  // namespace acrawl::crawler
