#pragma once
// RedisFrontier: the operations of a crawl kept in Redis (docs/DISTRIBUTED.md), one Lua script
// each, on an rt::RedisConnection: atomic on the server, and pipelined (any number in flight).
// Loop thread only; every call throws rt::RedisError when the connection is lost, and
// StateError when Redis refuses a script (a bug, or a Redis without Lua). Arguments are taken
// by value: the tasks start when awaited, after the caller's temporaries are gone.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/redis.hpp"
#include "runtime/task.hpp"

namespace acrawl::crawler {

// A URL offered to the crawl: its fingerprint (and seen-set bucket), host and stored item.
struct RedisUrl {
  std::int64_t fp = 0;
  std::string host;
  std::string item;  // see redis_scripts.hpp
};

// What a claim hands out, and what it saw of the crawl.
struct RedisClaim {
  struct Leased {
    std::string lease;  // the lease id (complete, release, retry, renew name it)
    std::string item;
    std::string rules;  // the origin's robots.txt rules, serialized ("" for none)
    bool slot = true;   // holds one of its host's slots; else it starts in a hand-over only
  };
  std::vector<Leased> items;
  std::int64_t queued = 0;                  // in every host's queue
  std::int64_t leased = 0;                  // under way at any worker
  std::int64_t delayed = 0;                 // retries waiting for their time
  std::int64_t readers = 0;                 // workers still reading their input
  std::optional<std::int64_t> next_due_ms;  // the earliest time something may start
};

// A transfer that ended, given back with a claim: its lease, the Retry-After pause of its host,
// and the slotless lease that takes its slot ("" for none).
struct RedisRelease {
  std::string lease;
  std::int64_t retry_after_ms = 0;
  std::string hand_over;
};

// What a claim asks for (redis_scripts.hpp, kClaim).
struct RedisClaimRequest {
  std::int64_t now_ms = 0;
  std::size_t n = 0;
  std::size_t per_host = 0;
  std::int64_t lease_ms = 0;
  std::string worker;
  std::string lease_prefix;
  bool robots = false;
  std::int64_t delay_ms = 0;
  std::size_t ahead = 0;
  std::vector<RedisRelease> releases;
  std::vector<std::pair<std::string, std::size_t>> refills;  // host, slotless items wanted
};

class RedisFrontier {
 public:
  // prefix: the crawl's key prefix, "acrawl:{ID}:".
  RedisFrontier(rt::RedisConnection& redis, std::string prefix);

  // Loads the scripts into Redis (again after a reconnect or a SCRIPT FLUSH).
  rt::Task<void> load();

  rt::Task<std::int64_t> seed(std::int64_t now_ms, std::size_t max_pages, bool is_seed,
                              std::vector<RedisUrl> urls);
  rt::Task<RedisClaim> claim(RedisClaimRequest request);
  rt::Task<bool> release(std::string lease, std::int64_t now_ms, std::int64_t retry_after_ms,
                         std::string hand_over = {}, std::size_t per_host = 0);
  rt::Task<bool> retry(std::string lease, std::int64_t now_ms, std::int64_t not_before_ms,
                       std::string item);
  // fields: the record as field/value pairs (the stream entry).
  rt::Task<bool> complete(std::string lease, std::int64_t now_ms, std::size_t max_pages,
                          std::vector<std::pair<std::string, std::string>> fields,
                          std::vector<RedisUrl> links, std::string hand_over = {},
                          std::size_t per_host = 0);
  rt::Task<bool> robots(std::string lease, std::int64_t now_ms, std::string rules,
                        std::int64_t delay_ms);
  rt::Task<std::int64_t> renew(std::int64_t now_ms, std::int64_t expiry_ms,
                               std::vector<std::string> leases);
  rt::Task<std::int64_t> reap(std::int64_t now_ms, std::size_t limit);
  // A record without a fetch, kept once for the line fp names.
  rt::Task<bool> note(std::int64_t now_ms, std::int64_t fp,
                      std::vector<std::pair<std::string, std::string>> fields);

  const std::string& prefix() const noexcept { return prefix_; }

 private:
  enum Script { kSeed, kClaim, kRelease, kRetry, kComplete, kRobots, kRenew, kReap, kNote, kCount };
  rt::Task<rt::RedisReply> run(Script s, std::vector<std::string> args);

  rt::RedisConnection& redis_;
  std::string prefix_;
  std::string sha_[kCount];
};

// The seen-set bucket of a fingerprint: its top 16 of 63 bits.
inline std::int64_t redis_bucket(std::int64_t fp) noexcept {
  return fp >> 47;
}

}  // namespace acrawl::crawler
