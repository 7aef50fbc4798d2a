// RedisFrontier's scripts against a real redis-server: two connections stand for two workers.
// Times are passed in (now_ms), so leases, delays and retries are tested without waiting.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "crawler/state/redis_frontier.hpp"
#include "runtime/loop.hpp"
#include "runtime/redis.hpp"
#include "tests/support/redis_server.hpp"

using acrawl::crawler::RedisClaim;
using acrawl::crawler::RedisClaimRequest;
using acrawl::crawler::RedisFrontier;
using acrawl::crawler::RedisUrl;
using acrawl::rt::Loop;
using acrawl::rt::RedisConnection;
using acrawl::rt::Task;
using acrawl::test::RedisServer;
using namespace std::chrono_literals;

namespace {

const std::string kPrefix = "acrawl:{test}:";

RedisUrl url(const std::string& host, int n) {
  const std::string u = "http://" + host + "/" + std::to_string(n);
  return RedisUrl{static_cast<std::int64_t>(std::hash<std::string>{}(u) >> 1), host,
                  "P\t0\t0\t1\thttp://" + host + "\t" + u + "\t" + u};
}

// Built outside the coroutines (GCC 12 mishandles braced lists inside them).
template <class... Ns>
std::vector<RedisUrl> urls_of(const std::string& host, Ns... ns) {
  std::vector<RedisUrl> out;
  (out.push_back(url(host, ns)), ...);
  return out;
}
std::vector<std::pair<std::string, std::string>> record(const std::string& u) {
  return {{"url", u}, {"status", "200"}};
}
std::vector<std::string> one(const std::string& s) {
  return {s};
}
std::vector<std::string> xlen() {
  return {"XLEN", kPrefix + "records"};
}

// Two workers on one crawl.
struct Workers {
  std::unique_ptr<RedisConnection> ca, cb;
  std::unique_ptr<RedisFrontier> a, b;
};

Task<Workers> connect(int port) {
  Workers w;
  w.ca = co_await RedisConnection::connect("127.0.0.1", port, 5s);
  w.cb = co_await RedisConnection::connect("127.0.0.1", port, 5s);
  w.a = std::make_unique<RedisFrontier>(*w.ca, kPrefix);
  w.b = std::make_unique<RedisFrontier>(*w.cb, kPrefix);
  co_await w.a->load();
  co_await w.b->load();
  co_return w;
}

Task<RedisClaim> claim(RedisFrontier& f, std::int64_t now, std::size_t n, std::size_t per_host,
                       const std::string& worker, bool robots = false, std::int64_t delay = 0) {
  RedisClaimRequest q;
  q.now_ms = now;
  q.n = n;
  q.per_host = per_host;
  q.lease_ms = 10'000;
  q.worker = worker;
  q.lease_prefix = worker + ":" + std::to_string(now) + ":";
  q.robots = robots;
  q.delay_ms = delay;
  return f.claim(std::move(q));
}

// A claim that also asks for `count` slotless items of `host`.
Task<RedisClaim> refill(RedisFrontier& f, std::int64_t now, std::size_t n, std::size_t per_host,
                        const std::string& worker, const std::string& host, std::size_t count) {
  RedisClaimRequest q;
  q.now_ms = now;
  q.n = n;
  q.per_host = per_host;
  q.lease_ms = 10'000;
  q.worker = worker;
  q.lease_prefix = worker + ":refill:" + std::to_string(now) + ":";
  q.refills.emplace_back(host, count);
  return f.claim(std::move(q));
}

void run(const std::function<Task<void>(Workers&)>& body) {
  RedisServer server;
  Loop loop;
  loop.run([](int port, const std::function<Task<void>(Workers&)>* b) -> Task<void> {
    Workers w = co_await connect(port);
    co_await (*b)(w);
  }(server.port(), &body));
}

}  // namespace

TEST_CASE("redis frontier: seeding is idempotent across workers") {
  run([](Workers& w) -> Task<void> {
    std::vector<RedisUrl> urls = urls_of("h", 1, 2);
    urls.push_back(url("g", 1));
    CHECK(co_await w.a->seed(1000, 0, true, urls) == 3);
    CHECK(co_await w.b->seed(1000, 0, true, urls) == 0);
    RedisClaim c = co_await claim(*w.a, 1000, 0, 0, "a");
    CHECK(c.queued == 3);
  });
}

TEST_CASE("redis frontier: --per-host and --delay hold across workers") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1, 2, 3));
    RedisClaim first = co_await claim(*w.a, 1000, 5, 1, "a", false, 500);
    REQUIRE(first.items.size() == 1);
    // Worker b: the host is at its cap (one in flight at a).
    CHECK((co_await claim(*w.b, 1000, 5, 1, "b", false, 500)).items.empty());
    CHECK(co_await w.a->release(first.items[0].lease, 1010, 0));
    // Released, but its delay holds: not before 1000 + 500, for b too.
    RedisClaim early = co_await claim(*w.b, 1200, 5, 1, "b", false, 500);
    CHECK(early.items.empty());
    REQUIRE(early.next_due_ms.has_value());
    CHECK(*early.next_due_ms == 1500);
    CHECK((co_await claim(*w.b, 1500, 5, 1, "b", false, 500)).items.size() == 1);
  });
}

TEST_CASE(
    "redis frontier: a dead worker's lease expires, the item goes to another, and the "
    "late completion is dropped") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1));
    RedisClaim a = co_await claim(*w.a, 1000, 1, 0, "a");  // leased until 11,000
    REQUIRE(a.items.size() == 1);
    CHECK((co_await claim(*w.b, 5000, 1, 0, "b")).items.empty());
    // Renewed while a transfers: still a's at 12,000.
    CHECK(co_await w.a->renew(5000, 15'000, one(a.items[0].lease)) == 1);
    CHECK((co_await claim(*w.b, 12'000, 1, 0, "b")).items.empty());
    // a stops renewing (killed): after 15,000 the item is b's.
    RedisClaim b = co_await claim(*w.b, 15'001, 1, 0, "b");
    REQUIRE(b.items.size() == 1);
    CHECK(b.items[0].item == a.items[0].item);
    const auto rec = record("http://h/1");
    CHECK_FALSE(co_await w.a->complete(a.items[0].lease, 15'002, 0, rec, urls_of("h")));
    CHECK(co_await w.b->complete(b.items[0].lease, 15'003, 0, rec, urls_of("h", 2)));
    acrawl::rt::RedisReply len = co_await w.ca->command(xlen());
    CHECK(len.integer == 1);
    RedisClaim after = co_await claim(*w.a, 15'004, 5, 0, "a");
    CHECK(after.items.size() == 1);  // the link b's completion admitted
    CHECK(after.leased == 1);
  });
}

TEST_CASE("redis frontier: robots.txt is fetched once for all workers; its hosts wait for it") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1, 2));
    RedisClaim a = co_await claim(*w.a, 1000, 5, 0, "a", true);
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].item.rfind("R\t", 0) == 0);
    CHECK((co_await claim(*w.b, 1001, 5, 0, "b", true)).items.empty());
    CHECK(co_await w.a->robots(a.items[0].lease, 1002, "D/private\n", 0));
    RedisClaim b = co_await claim(*w.b, 1003, 5, 0, "b", true);
    REQUIRE(b.items.size() == 2);
    CHECK(b.items[0].rules == "D/private\n");
  });
}

TEST_CASE(
    "redis frontier: a slotless item takes a finished transfer's slot; the cap holds for "
    "every worker") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1, 2, 3, 4, 5, 6));
    RedisClaim first = co_await claim(*w.a, 1000, 5, 2, "a");
    REQUIRE(first.items.size() == 2);  // the cap
    CHECK(first.items[0].slot);
    RedisClaim ahead = co_await refill(*w.a, 1001, 5, 2, "a", "h", 2);
    REQUIRE(ahead.items.size() == 2);
    CHECK_FALSE(ahead.items[0].slot);
    CHECK(ahead.queued == 2);
    // a's first transfer ends and its slotless item starts in its place: b still finds the
    // host at its cap, before and after a completes the first.
    CHECK(co_await w.a->release(first.items[0].lease, 1002, 0, ahead.items[0].lease, 2));
    CHECK((co_await claim(*w.b, 1003, 5, 2, "b")).items.empty());
    CHECK(co_await w.a->complete(first.items[0].lease, 1004, 0, record("x"), urls_of("h")));
    CHECK((co_await claim(*w.b, 1005, 5, 2, "b")).items.empty());
    // The item that took the slot gives it back when it completes: b may start one.
    CHECK(co_await w.a->complete(ahead.items[0].lease, 1006, 0, record("y"), urls_of("h")));
    CHECK((co_await claim(*w.b, 1007, 5, 2, "b")).items.size() == 1);
    // a dies: its leases expire. The second item's slot comes back; its slotless item goes
    // back to the queue without one. b holds one slot, so one is free.
    CHECK(co_await w.b->reap(11'002, 100) == 2);
    RedisClaim after = co_await claim(*w.b, 11'003, 5, 2, "b");
    CHECK(after.items.size() == 1);
    CHECK(after.queued == 2);
  });
}

TEST_CASE("redis frontier: a completion carries the hand-over of its slot") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1, 2, 3));
    RedisClaim first = co_await claim(*w.a, 1000, 5, 1, "a");
    REQUIRE(first.items.size() == 1);
    RedisClaim ahead = co_await refill(*w.a, 1001, 1, 1, "a", "h", 1);
    REQUIRE(ahead.items.size() == 1);
    CHECK(co_await w.a->complete(first.items[0].lease, 1002, 0, record("x"), urls_of("h"),
                                 ahead.items[0].lease, 1));
    CHECK((co_await claim(*w.b, 1003, 5, 1, "b")).items.empty());
    CHECK(co_await w.a->complete(ahead.items[0].lease, 1004, 0, record("y"), urls_of("h")));
    CHECK((co_await claim(*w.b, 1005, 5, 1, "b")).items.size() == 1);
  });
}

TEST_CASE("redis frontier: a retry waits for its time, then goes first") {
  run([](Workers& w) -> Task<void> {
    co_await w.a->seed(1000, 0, true, urls_of("h", 1, 2));
    RedisClaim a = co_await claim(*w.a, 1000, 1, 0, "a");
    REQUIRE(a.items.size() == 1);
    CHECK(co_await w.a->retry(a.items[0].lease, 1001, 3000,
                              "P\t0\t0\t2\thttp://h\thttp://h/1\thttp://h/1"));
    RedisClaim mid = co_await claim(*w.b, 2000, 5, 0, "b");
    REQUIRE(mid.items.size() == 1);  // h/2
    CHECK(mid.delayed == 1);
    co_await w.b->complete(mid.items[0].lease, 2001, 0, record("x"), urls_of("h"));
    RedisClaim later = co_await claim(*w.b, 3000, 5, 0, "b");
    REQUIRE(later.items.size() == 1);
    CHECK(later.items[0].item.find("\t2\thttp://h\t") != std::string::npos);  // attempt 2
  });
}
