#pragma once
// RedisState: a crawl kept in Redis (--state redis://...), shared by every acrawl process that
// names the same crawl id (docs/DISTRIBUTED.md). Politeness, leases and exactly-once records
// live in Redis's Lua scripts (redis_scripts.hpp); this class bridges the crawl's synchronous
// CrawlState calls and Redis: an I/O thread runs an rt::Loop with the connection, the crawl's
// calls post their scripts to it and never wait for Redis. Claims are answered from a buffer of
// items leased ahead; the replies wake the crawl. The thread renews every lease this process
// holds, and on a lost connection reconnects with backoff and sends again what had no reply
// (every script is idempotent or guarded by its lease); if Redis lost the crawl meanwhile, the
// crawl stops with StateError. Crawl-side calls are not thread-safe: the caller serializes
// them, as for every CrawlState.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crawler/frontier/crawl_state.hpp"
#include "crawler/state/crawl_definition.hpp"
#include "crawler/state/fingerprint.hpp"
#include "crawler/state/redis_codec.hpp"
#include "crawler/state/redis_frontier.hpp"
#include "runtime/scope.hpp"

namespace acrawl::crawler {

// Where Redis is: redis://HOST[:PORT][/DB] (HOST an IPv4 address or localhost).
struct RedisTarget {
  std::string host;
  int port = 6379;
  int db = 0;
};
bool is_redis_url(std::string_view s) noexcept;
// Throws StateError for a malformed URL.
RedisTarget parse_redis_url(const std::string& url);
// "acrawl:{ID}:": the crawl's key prefix (one hash slot in a Cluster).
std::string redis_prefix(const std::string& crawl_id);

struct RedisStateOptions {
  RedisTarget target;
  std::string crawl_id;
  CrawlDefinition definition;  // what every worker of the crawl must agree on
  std::chrono::milliseconds lease{30'000};
  bool links = false;  // records keep their links (--links)
};

class RedisState final : public CrawlState {
 public:
  // Connects, loads the scripts, stores the crawl's definition or checks it against the one
  // stored, and starts the I/O thread. Throws StateError: Redis unreachable, another crawl's
  // options (the message says which), Redis refusing the scripts.
  RedisState(FrontierOptions options, RedisStateOptions redis);
  // Stops the I/O thread (what close() did not send is dropped: the leases expire). Never
  // throws.
  ~RedisState() override;
  RedisState(const RedisState&) = delete;
  RedisState& operator=(const RedisState&) = delete;

  // fn runs on the I/O thread when replies arrived (the crawl calls claim() again). Call once,
  // before the crawl starts.
  void start(std::function<void()> wake);
  // Waits until every change posted was answered by Redis (retrying through reconnects), then
  // stops the I/O thread. Throws StateError when the crawl's data could not be kept.
  void close();

  void add_seeds(std::vector<Candidate> seeds) override;
  void add_input(std::vector<Candidate> seeds, const std::vector<PageRecord>& refused,
                 const std::vector<std::size_t>& refused_at, InputMark mark) override;
  bool known(const std::string& key) const noexcept override;
  Claim claim(SteadyClock::time_point now, std::size_t max) override;
  void release(const CrawlItem& item, SteadyClock::time_point now,
               std::optional<std::chrono::milliseconds> retry_after) override;
  void retry(CrawlItem item, SteadyClock::time_point at) override;
  void robots_known(const CrawlItem& robots_item, RobotsRules rules,
                    SteadyClock::time_point now) override;
  void complete(const CrawlItem& item, const PageRecord& record,
                std::vector<Candidate> links) override;
  void add_found(std::vector<Candidate> links) override;
  void abandon(const CrawlItem& item) noexcept override;
  // The items leased ahead go back to their queues; nothing is returned (the crawl's items
  // stay queued in Redis).
  std::vector<CrawlItem> drain() override;
  // This process's part, plus the crawl's total as the last claim saw it (1 while that figure
  // is older than a change this process made): zero means the whole crawl is over.
  std::size_t queued() const noexcept override;
  std::size_t claimed() const noexcept override { return held_.size(); }
  std::size_t backlog() const noexcept override;
  void input_ended() override;
  bool durable() const noexcept override { return true; }
  // False while too many changes wait for Redis (it is down); throws the I/O thread's error.
  bool has_room() override;

 private:
  struct Op;
  struct Held {
    std::string lease;
    std::string host;
    bool slot = true;       // holds one of its host's --per-host slots
    bool released = false;  // its transfer ended
  };
  struct Link;  // the I/O thread's connection and its frontier

  void post(Op op);
  void kick_locked();
  std::int64_t wall_ms(SteadyClock::time_point t) const noexcept;
  void io_thread() noexcept;
  rt::Task<void> io_main();
  static rt::Task<void> io_body(rt::Scope& scope, RedisState* self);
  rt::Task<void> connect_link(bool first);
  rt::Task<void> execute(Op op);
  rt::Task<void> renew_leases();
  bool rules_allow(const std::string& origin, const std::string& rules, const std::string& url);
  std::vector<std::pair<std::string, std::size_t>> refills_locked() const;
  // A transfer ended: its host's slot is no longer running here.
  void ended(const Held& held);
  void return_idle_spares(SteadyClock::time_point now);
  // Links to send: within the depth limit and not seen here already (marked seen now).
  std::vector<RedisUrl> found_urls(std::vector<Candidate> links);
  std::optional<RedisRelease> take_release(const std::string& lease);
  // An item handed out ends: its slot no longer runs here, it leaves held_ and the renewals.
  // Returns its lease and the hand-over of its slot not sent yet ("" for none); nullopt when
  // the item is not held.
  std::optional<std::pair<std::string, std::string>> end_held(std::int64_t id);
  void post_release(RedisRelease r);

  const FrontierOptions options_;
  const RedisStateOptions redis_;
  const std::string worker_;  // unique per process: lease ids and the reading heartbeat

  // Crawl thread only.
  std::unordered_map<std::int64_t, Held> held_;  // handed out by claim(), by CrawlItem::id
  std::int64_t next_id_ = 1;
  FingerprintSet seen_;
  std::unordered_map<std::string, std::pair<std::string, RobotsRules>> rules_;  // by origin
  SteadyClock::time_point claim_not_before_{};
  bool changed_since_claim_ = false;
  // A change that may free a slot or make a host due (not just a completion): claim at once.
  bool urgent_ = false;
  // After a claim that gave nothing to start, completions wait this long to be claimed on.
  SteadyClock::time_point quiet_until_{};
  std::vector<RedisRelease> releases_;  // transfers that ended, for the next claim
  std::unordered_map<std::string, std::size_t> running_;  // slot-holding transfers, by host
  std::deque<RedisClaim::Leased> promoted_;  // slotless items handed a slot, not handed out

  // I/O thread only.
  std::unique_ptr<Link> link_;
  std::uint64_t lease_counter_ = 0;

  // Shared, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable drained_;  // unanswered_ reached 0, or an error
  std::deque<Op> ops_;               // posted, not sent yet
  std::size_t unanswered_ = 0;       // posted, no reply yet (sent or not)
  std::uint64_t last_seq_ = 0;
  std::deque<RedisClaim::Leased> buffer_;  // leased ahead with a slot, not handed out
  // Leased ahead without a slot, by host: one starts when a transfer of this worker to its host
  // ends, in that transfer's slot (no round trip to Redis for a host at its --per-host cap).
  std::unordered_map<std::string, std::deque<RedisClaim::Leased>> spare_;
  std::size_t spare_count_ = 0;
  std::unordered_set<std::string> leases_;  // every lease held (buffer and handed out)
  bool io_parked_ = true;       // the I/O thread waits with nothing under way: posts must kick it
  bool kicked_ = false;         // a kick is on its way
  bool crawl_waiting_ = false;  // claim() found nothing, or no room: wake it on a reply
  int claims_out_ = 0;          // claims sent, not answered
  std::size_t asking_ = 0;      // the items they ask for
  std::int64_t total_ = 1;      // queued + leased + delayed + readers, at the last claim
  bool total_fresh_ = false;
  std::optional<std::int64_t> next_due_ms_;
  bool last_claim_empty_ = false;
  bool reading_ = true;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::function<void()> wake_;
  rt::Loop* loop_ = nullptr;  // the I/O thread's, once it runs
  std::thread thread_;
};

}  // namespace acrawl::crawler
