#include "crawler/state/redis_frontier.hpp"

#include "crawler/config.hpp"
#include "crawler/state/redis_scripts.hpp"

namespace acrawl::crawler {

namespace {

const char* source(int s) {
  static const char* const kSources[] = {
      redis_lua::kSeed,  redis_lua::kClaim,    redis_lua::kRelease,
      redis_lua::kRetry, redis_lua::kComplete, redis_lua::kRobots,
      redis_lua::kRenew, redis_lua::kReap,     redis_lua::kNote};
  return kSources[s];
}

std::int64_t as_int(const rt::RedisReply& r) {
  if (r.type == rt::RedisReply::Type::integer) return r.integer;
  if (r.type == rt::RedisReply::Type::string || r.type == rt::RedisReply::Type::status) {
    return r.str.empty() ? 0 : std::stoll(r.str);
  }
  return 0;
}

void add_urls(std::vector<std::string>& args, std::vector<RedisUrl> urls) {
  for (const RedisUrl& u : urls) {
    args.push_back(std::to_string(u.fp));
    args.push_back(std::to_string(redis_bucket(u.fp)));
    args.push_back(u.host);
    args.push_back(u.item);
  }
}

}  // namespace

RedisFrontier::RedisFrontier(rt::RedisConnection& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

rt::Task<void> RedisFrontier::load() {
  for (int s = 0; s < kCount; ++s) {
    std::vector<std::string> argv{"SCRIPT", "LOAD", source(s)};
    rt::RedisReply r = co_await redis_.command(std::move(argv));
    if (r.is_error() || r.str.empty()) {
      throw StateError("redis refused acrawl's scripts: " + r.str);
    }
    sha_[s] = r.str;
  }
}

rt::Task<rt::RedisReply> RedisFrontier::run(Script s, std::vector<std::string> args) {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 4);
  argv.push_back("EVALSHA");
  argv.push_back(sha_[s]);
  argv.push_back("1");
  argv.push_back(prefix_);
  for (std::string& a : args) argv.push_back(std::move(a));
  rt::RedisReply r = co_await redis_.command(argv);
  if (r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0) {  // flushed, or a restarted server
    argv[0] = "EVAL";
    argv[1] = source(s);
    r = co_await redis_.command(std::move(argv));
  }
  if (r.is_error()) throw StateError("redis: acrawl's script failed: " + r.str);
  co_return r;
}

rt::Task<std::int64_t> RedisFrontier::seed(std::int64_t now_ms, std::size_t max_pages, bool is_seed,
                                           std::vector<RedisUrl> urls) {
  std::vector<std::string> args{std::to_string(now_ms), std::to_string(max_pages),
                                is_seed ? "1" : "0"};
  add_urls(args, urls);
  co_return as_int(co_await run(kSeed, std::move(args)));
}

rt::Task<RedisClaim> RedisFrontier::claim(RedisClaimRequest q) {
  std::vector<std::string> args{std::to_string(q.now_ms),
                                std::to_string(q.n),
                                std::to_string(q.per_host),
                                std::to_string(q.lease_ms),
                                q.worker,
                                q.lease_prefix,
                                q.robots ? "1" : "0",
                                std::to_string(q.delay_ms),
                                std::to_string(q.ahead),
                                std::to_string(q.releases.size())};
  for (RedisRelease& r : q.releases) {
    args.push_back(std::move(r.lease));
    args.push_back(std::to_string(r.retry_after_ms));
    args.push_back(std::move(r.hand_over));
  }
  args.push_back(std::to_string(q.refills.size()));
  for (auto& [host, count] : q.refills) {
    args.push_back(std::move(host));
    args.push_back(std::to_string(count));
  }
  rt::RedisReply r = co_await run(kClaim, std::move(args));
  RedisClaim c;
  const auto& e = r.elements;
  if (r.type != rt::RedisReply::Type::array || e.size() < 5) {
    throw StateError("redis: unexpected reply to a claim");
  }
  c.queued = as_int(e[0]);
  c.leased = as_int(e[1]);
  c.delayed = as_int(e[2]);
  c.readers = as_int(e[3]);
  if (!e[4].str.empty()) c.next_due_ms = as_int(e[4]);
  for (std::size_t i = 5; i + 3 < e.size(); i += 4) {
    c.items.push_back(
        RedisClaim::Leased{e[i].str, e[i + 1].str, e[i + 2].str, e[i + 3].str == "1"});
  }
  co_return c;
}

rt::Task<bool> RedisFrontier::release(std::string lease, std::int64_t now_ms,
                                      std::int64_t retry_after_ms, std::string hand_over,
                                      std::size_t per_host) {
  std::vector<std::string> args{lease, std::to_string(now_ms), std::to_string(retry_after_ms),
                                hand_over, std::to_string(per_host)};
  co_return as_int(co_await run(kRelease, std::move(args))) == 1;
}

rt::Task<bool> RedisFrontier::retry(std::string lease, std::int64_t now_ms,
                                    std::int64_t not_before_ms, std::string item) {
  std::vector<std::string> args{lease, std::to_string(now_ms), std::to_string(not_before_ms), item};
  co_return as_int(co_await run(kRetry, std::move(args))) == 1;
}

rt::Task<bool> RedisFrontier::complete(std::string lease, std::int64_t now_ms,
                                       std::size_t max_pages,
                                       std::vector<std::pair<std::string, std::string>> fields,
                                       std::vector<RedisUrl> links, std::string hand_over,
                                       std::size_t per_host) {
  std::vector<std::string> args{lease,     std::to_string(now_ms),   std::to_string(max_pages),
                                hand_over, std::to_string(per_host), std::to_string(fields.size())};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  add_urls(args, links);
  co_return as_int(co_await run(kComplete, std::move(args))) == 1;
}

rt::Task<bool> RedisFrontier::robots(std::string lease, std::int64_t now_ms, std::string rules,
                                     std::int64_t delay_ms) {
  std::vector<std::string> args{lease, std::to_string(now_ms), rules, std::to_string(delay_ms)};
  co_return as_int(co_await run(kRobots, std::move(args))) == 1;
}

rt::Task<std::int64_t> RedisFrontier::renew(std::int64_t now_ms, std::int64_t expiry_ms,
                                            std::vector<std::string> leases) {
  std::vector<std::string> args{std::to_string(now_ms), std::to_string(expiry_ms)};
  args.insert(args.end(), leases.begin(), leases.end());
  co_return as_int(co_await run(kRenew, std::move(args)));
}

rt::Task<std::int64_t> RedisFrontier::reap(std::int64_t now_ms, std::size_t limit) {
  std::vector<std::string> args{std::to_string(now_ms), std::to_string(limit)};
  co_return as_int(co_await run(kReap, std::move(args)));
}

rt::Task<bool> RedisFrontier::note(std::int64_t now_ms, std::int64_t fp,
                                   std::vector<std::pair<std::string, std::string>> fields) {
  std::vector<std::string> args{std::to_string(now_ms), std::to_string(fp),
                                std::to_string(redis_bucket(fp)), std::to_string(fields.size())};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  co_return as_int(co_await run(kNote, std::move(args))) == 1;
}

}  // namespace acrawl::crawler
