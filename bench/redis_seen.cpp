// What a crawl kept in Redis costs Redis in memory: seeds N distinct URLs through the crawl's own
// seed script (RedisFrontier, pipelined in batches), then reports the seen set's bytes per URL
// (MEMORY USAGE of every seen:<bucket> key) and Redis's used_memory per URL (the queues too).
//
// Usage: redis_seen PORT [URLS]   (a redis-server on 127.0.0.1:PORT holding nothing else)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crawler/state/fingerprint.hpp"
#include "crawler/state/redis_frontier.hpp"
#include "runtime/gather.hpp"
#include "runtime/loop.hpp"
#include "runtime/redis.hpp"

using namespace acrawl;
using namespace std::chrono_literals;

namespace {

const std::string kPrefix = "acrawl:{bench}:";

// Commands built outside the coroutines (GCC 12 mishandles braced lists inside them).
std::vector<std::string> info_memory() {
  return {"INFO", "memory"};
}
std::vector<std::string> memory_usage(int bucket) {
  return {"MEMORY", "USAGE", kPrefix + "seen:" + std::to_string(bucket), "SAMPLES", "0"};
}

long long used_memory(const rt::RedisReply& info) {
  const auto at = info.str.find("used_memory:");
  return at == std::string::npos ? 0 : std::atoll(info.str.c_str() + at + 12);
}

rt::Task<void> seed_batch(crawler::RedisFrontier* f, long long from, long long to) {
  std::vector<crawler::RedisUrl> urls;
  urls.reserve(static_cast<std::size_t>(to - from));
  for (long long i = from; i < to; ++i) {
    // Real-looking URLs over 1,000 hosts, 60-70 bytes each.
    const std::string host = "www.site" + std::to_string(i % 1000) + ".example";
    const std::string url = "https://" + host + "/articles/2026/" + std::to_string(i) + ".html";
    const auto fp = static_cast<std::int64_t>(crawler::fingerprint(url));
    urls.push_back(crawler::RedisUrl{
        fp, host,
        "P\t" + std::to_string(fp) + "\t1\t1\thttps://" + host + "\t" + url + "\t" + url});
  }
  co_await f->seed(0, 0, false, std::move(urls));
}

rt::Task<void> run(int port, long long n) {
  auto redis = co_await rt::RedisConnection::connect("127.0.0.1", port, 5s);
  crawler::RedisFrontier frontier(*redis, kPrefix);
  co_await frontier.load();
  const long long before = used_memory(co_await redis->command(info_memory()));
  const auto t0 = std::chrono::steady_clock::now();
  constexpr long long kBatch = 1000;
  for (long long from = 0; from < n; from += 64 * kBatch) {
    std::vector<rt::Task<void>> batches;
    for (long long b = from; b < std::min(n, from + 64 * kBatch); b += kBatch) {
      batches.push_back(seed_batch(&frontier, b, std::min(n, b + kBatch)));
    }
    co_await rt::gather(std::move(batches));
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long long after = used_memory(co_await redis->command(info_memory()));
  std::vector<rt::Task<rt::RedisReply>> sizes;
  for (int b = 0; b < 65536; ++b) {
    sizes.push_back(redis->command(memory_usage(b)));
  }
  long long seen = 0;
  for (const rt::RedisReply& r : co_await rt::gather(std::move(sizes))) seen += r.integer;
  std::printf("urls %lld, seeded in %.2f s (%.0f URLs/s)\n", n, secs,
              static_cast<double>(n) / secs);
  std::printf("seen set: %lld bytes, %.1f bytes per URL\n", seen,
              static_cast<double>(seen) / static_cast<double>(n));
  std::printf("used_memory: +%lld bytes, %.1f bytes per URL (queues and hosts included)\n",
              after - before, static_cast<double>(after - before) / static_cast<double>(n));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: redis_seen PORT [URLS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const long long n = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  rt::Loop loop;
  loop.run(run(port, n));
  return 0;
}
