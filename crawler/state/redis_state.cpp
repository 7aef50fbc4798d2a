#include "crawler/state/redis_state.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <future>
#include <map>
#include <random>

#include <spdlog/spdlog.h>

#include "crawler/config.hpp"
#include "crawler/frontier/memory_state.hpp"
#include "runtime/event.hpp"
#include "runtime/scope.hpp"
#include "runtime/timer.hpp"

namespace acrawl::crawler {

namespace {

using namespace std::chrono_literals;

// Changes waiting for Redis at most: past it the crawl starts nothing (Redis is down).
constexpr std::size_t kMaxUnanswered = 20'000;
// How long a Redis outage is waited out before the crawl stops.
constexpr auto kMaxOutage = 120s;
// A claim that found nothing is asked again after at most this (other workers' changes).
constexpr auto kPoll = 100ms;
// Items leased ahead (from hosts without a delay): a page's fetch may start without waiting
// for a claim's round trip.
constexpr std::size_t kAhead = 64;
// Claims under way at once at most.
constexpr int kMaxClaims = 2;
// After a claim that gave nothing to start (this worker's hosts at their caps), completions are
// claimed on at most this often: one script for many pages, new hosts found this much later.
constexpr auto kQuiet = 5ms;
// Slotless items wanted per transfer under way to their host.
constexpr std::size_t kSparePerTransfer = 4;

std::int64_t wall_now_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A fingerprint as the scripts take it: 63 bits, never negative.
std::int64_t redis_fp(std::string_view key) noexcept {
  return static_cast<std::int64_t>(fingerprint(key) >> 1);
}

rt::Task<void> wait_event(rt::Event& e) {
  co_await e.wait();
}

std::string unique_worker_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd() % 100000);
}

// The script that stores the definition once and returns the one stored.
constexpr const char* kDefine = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return redis.call('HGETALL', KEYS[1])
)lua";

}  // namespace

bool is_redis_url(std::string_view s) noexcept {
  return s.rfind("redis://", 0) == 0;
}

RedisTarget parse_redis_url(const std::string& url) {
  const auto bad = [&url](const std::string& why) {
    return StateError("bad Redis address '" + url + "': " + why +
                      " (expected redis://HOST[:PORT][/DB], HOST an IPv4 address)");
  };
  if (!is_redis_url(url)) throw bad("not redis://");
  std::string rest = url.substr(8);
  RedisTarget t;
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    rest.resize(slash);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), t.db);
      if (ec != std::errc() || p != db.data() + db.size() || t.db < 0) throw bad("bad DB number");
    }
  }
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    rest.resize(colon);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), t.port);
    if (ec != std::errc() || p != port.data() + port.size() || t.port < 1 || t.port > 65535) {
      throw bad("bad port");
    }
  }
  if (rest == "localhost") rest = "127.0.0.1";
  if (rest.empty()) throw bad("no host");
  t.host = rest;
  return t;
}

std::string redis_prefix(const std::string& crawl_id) {
  return "acrawl:{" + crawl_id + "}:";
}

struct RedisState::Op {
  enum Kind { seed, note, claim, release, retry, robots, complete, reading };
  Kind kind = seed;
  std::uint64_t seq = 0;
  std::vector<RedisUrl> urls;  // seed, complete
  bool flag = false;           // seed: input URLs; reading: on
  std::string lease;
  std::string text;    // retry: the item; robots: the rules; release: the hand-over lease
  std::int64_t n = 0;  // claim: items; release: retry-after; retry: not before; robots: delay;
                       // note: the line's fingerprint
  RedisFields fields;  // note, complete
  std::vector<RedisRelease> releases;                        // claim: given back first
  std::vector<std::pair<std::string, std::size_t>> refills;  // claim: slotless items wanted
};

struct RedisState::Link {
  std::unique_ptr<rt::RedisConnection> conn;
  std::unique_ptr<RedisFrontier> frontier;
  rt::Event kick;  // ops were posted, or the crawl stops
  rt::Event idle;  // nothing is being sent
  std::size_t sending = 0;
  bool lost = false;
  std::vector<Op> resend;  // sent, the connection lost before their replies
};

RedisState::RedisState(FrontierOptions options, RedisStateOptions redis)
    : options_(options), redis_(std::move(redis)), worker_(unique_worker_name()) {
  std::promise<void> ready;
  std::future<void> started = ready.get_future();
  thread_ = std::thread([this, &ready] {
    rt::Loop loop;
    link_ = std::make_unique<Link>();
    bool setup_done = false;
    try {
      loop.run(connect_link(true));
      {
        std::lock_guard lock(mutex_);
        loop_ = &loop;
      }
      setup_done = true;
      ready.set_value();
      loop.run(io_main());
    } catch (...) {
      if (!setup_done) {
        ready.set_exception(std::current_exception());
      } else {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
      }
    }
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      loop_ = nullptr;
      stopping_ = true;
      wake = wake_;
    }
    drained_.notify_all();
    link_.reset();
    if (wake) wake();
  });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

RedisState::~RedisState() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ops_.clear();
    unanswered_ = 0;
    if (loop_ != nullptr) loop_->post([this] { link_->kick.set(); });
  }
  if (thread_.joinable()) thread_.join();
}

void RedisState::start(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wake_ = std::move(wake);
}

void RedisState::close() {
  {
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return unanswered_ == 0 || error_ || loop_ == nullptr; });
    stopping_ = true;
    if (loop_ != nullptr) loop_->post([this] { link_->kick.set(); });
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  if (unanswered_ > 0) throw StateError("redis: the crawl's last changes could not be sent");
}

// --- the crawl's side -------------------------------------------------------------------

std::int64_t RedisState::wall_ms(SteadyClock::time_point t) const noexcept {
  return wall_now_ms() +
         std::chrono::duration_cast<std::chrono::milliseconds>(t - SteadyClock::now()).count();
}

void RedisState::post(Op op) {
  std::lock_guard lock(mutex_);
  if (error_) return;  // has_room() reports it
  op.seq = ++last_seq_;
  ops_.push_back(std::move(op));
  ++unanswered_;
  kick_locked();
}

// With replies pending the I/O thread wakes for them and sends what was posted meanwhile (one
// wake-up for many operations); only a thread with nothing under way needs a kick.
void RedisState::kick_locked() {
  if (loop_ != nullptr && io_parked_ && !kicked_) {
    kicked_ = true;
    loop_->post([this] { link_->kick.set(); });
  }
}

void RedisState::add_seeds(std::vector<Candidate> seeds) {
  add_input(std::move(seeds), {}, {}, InputMark{});
}

void RedisState::add_input(std::vector<Candidate> seeds, const std::vector<PageRecord>& refused,
                           const std::vector<std::size_t>& refused_at, InputMark mark) {
  // Every worker reads the same input: a line is admitted once, by its number (a list crawl
  // gives a repeated URL a record per line) or, crawling recursively, by its URL.
  const std::uint64_t first_line =
      mark.lines - std::min<std::uint64_t>(mark.lines, seeds.size() + refused.size());
  Op seed;
  seed.kind = Op::seed;
  seed.flag = true;
  std::size_t next_refused = 0;
  std::uint64_t line = first_line;
  for (Candidate& c : seeds) {
    while (next_refused < refused_at.size() && refused_at[next_refused] == line - first_line) {
      ++next_refused;
      ++line;
    }
    // (--sitemaps deduplicates a list crawl's found URLs, not its input lines.)
    const bool by_url = options_.dedup && options_.max_depth > 0;
    const std::string key = by_url ? c.key : "line " + std::to_string(line) + " " + c.key;
    const std::int64_t fp = redis_fp(key);
    if (options_.dedup) seen_.insert(fingerprint(c.key));
    seed.urls.push_back(RedisUrl{fp, c.item.host, encode_item(c.item, 0)});
    ++line;
  }
  if (!seed.urls.empty()) post(std::move(seed));
  for (std::size_t i = 0; i < refused.size(); ++i) {
    Op note;
    note.kind = Op::note;
    const std::uint64_t at = first_line + (i < refused_at.size() ? refused_at[i] : 0);
    note.n = redis_fp("refused line " + std::to_string(at) + " " + refused[i].url);
    note.fields = encode_record(refused[i], redis_.links);
    post(std::move(note));
  }
  changed_since_claim_ = urgent_ = true;
}

bool RedisState::known(const std::string& key) const noexcept {
  return options_.dedup && seen_.contains(fingerprint(key));
}

bool RedisState::rules_allow(const std::string& origin, const std::string& rules,
                             const std::string& url) {
  if (rules.empty()) return true;
  auto it = rules_.find(origin);
  if (it == rules_.end() || it->second.first != rules) {
    if (rules_.size() >= options_.robots_cache) rules_.clear();
    it = rules_.insert_or_assign(origin, std::make_pair(rules, RobotsRules::deserialize(rules)))
             .first;
  }
  return it->second.second.allowed(path_and_query(url));
}

Claim RedisState::claim(SteadyClock::time_point now, std::size_t max) {
  Claim out;
  std::vector<RedisClaim::Leased> taken;
  bool ask = false;
  int claims_out_now = 0;
  std::optional<std::int64_t> due;
  {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
    due = next_due_ms_;
    if (last_claim_empty_) {
      // Nothing was due: ask again when something is, or after kPoll (other workers' changes),
      // unless this process changes something first.
      last_claim_empty_ = false;
      std::int64_t wait_ms = std::chrono::milliseconds(kPoll).count();
      if (due) wait_ms = std::clamp<std::int64_t>(*due - wall_ms(now), 1, wait_ms);
      claim_not_before_ = std::max(claim_not_before_, now + std::chrono::milliseconds(wait_ms));
      quiet_until_ = now + kQuiet;
    }
    while (taken.size() < max && !promoted_.empty()) {
      taken.push_back(std::move(promoted_.front()));
      promoted_.pop_front();
    }
    while (taken.size() < max && !buffer_.empty()) {
      taken.push_back(std::move(buffer_.front()));
      buffer_.pop_front();
    }
    // What the claims under way ask for is not asked again: items with a slot beyond what the
    // crawl can start would keep their hosts' slots from other workers.
    const std::size_t wanted = max - taken.size() > asking_ ? max - taken.size() - asking_ : 0;
    // A second claim may follow one under way when this worker changed something since (a
    // finished page frees its host's slot): pipelined behind that change, it sees it.
    const bool prompt = urgent_ || (changed_since_claim_ && now >= quiet_until_);
    ask = wanted > 0 && (claims_out_ == 0 ? prompt || now >= claim_not_before_
                                          : claims_out_ < kMaxClaims && prompt);
    claims_out_now = claims_out_;
    if (ask) {
      Op c;
      c.kind = Op::claim;
      c.n = static_cast<std::int64_t>(wanted);
      c.text = std::to_string(kAhead > buffer_.size() ? kAhead - buffer_.size() : 0);
      c.releases.swap(releases_);
      c.refills = refills_locked();
      c.seq = ++last_seq_;
      ++claims_out_;
      asking_ += wanted;
      changed_since_claim_ = false;
      urgent_ = false;
      ops_.push_back(std::move(c));
      ++unanswered_;
      kick_locked();
    }
  }
  if (!ask && !releases_.empty() && claims_out_now == 0) {
    // Slots given back go now (another worker may use them); hand-overs wait for the item's
    // completion, which carries them.
    auto handed = std::partition(releases_.begin(), releases_.end(),
                                 [](const RedisRelease& r) { return r.hand_over.empty(); });
    for (auto r = releases_.begin(); r != handed; ++r) post_release(std::move(*r));
    releases_.erase(releases_.begin(), handed);
  }
  for (RedisClaim::Leased& l : taken) {
    CrawlItem item = decode_item(l.item);
    item.id = next_id_++;
    ++running_[item.host];
    held_.emplace(item.id, Held{std::move(l.lease), item.host});
    if (!item.robots_txt && options_.robots && !rules_allow(item.origin, l.rules, item.url)) {
      out.disallowed.push_back(std::move(item));
    } else {
      out.fetches.push_back(std::move(item));
    }
  }
  return_idle_spares(now);
  if (out.fetches.empty()) {
    std::lock_guard lock(mutex_);
    crawl_waiting_ = true;
    // With a claim under way its reply wakes the crawl; the time is a safety net (and the
    // crawl's loop sees a timer: the wake-up comes from another thread).
    out.wake_at = claims_out_ > 0 ? now + kPoll : std::max(claim_not_before_, now + 1ms);
    if (changed_since_claim_) {
      out.wake_at = std::min(*out.wake_at, std::max(quiet_until_, now + 1ms));
    }
  }
  return out;
}

void RedisState::release(const CrawlItem& item, SteadyClock::time_point,
                         std::optional<std::chrono::milliseconds> retry_after) {
  auto it = held_.find(item.id);
  if (it == held_.end() || it->second.released) return;
  Held& held = it->second;
  held.released = true;
  ended(held);
  changed_since_claim_ = true;
  if (!retry_after) {
    // Goes with the next claim, or with the item's completion, retry or robots.txt rules,
    // whichever is sent first (they give its host's slot back too). An item of the same host
    // leased ahead without a slot starts at once in this one's.
    RedisRelease r{held.lease, 0, {}};
    std::lock_guard lock(mutex_);
    if (auto s = spare_.find(held.host); s == spare_.end()) {
      urgent_ = true;  // the slot goes back to Redis: another item may start in it
    } else {
      r.hand_over = s->second.front().lease;
      promoted_.push_back(std::move(s->second.front()));
      s->second.pop_front();
      --spare_count_;
      if (s->second.empty()) spare_.erase(s);
    }
    releases_.push_back(std::move(r));
    return;
  }
  urgent_ = true;
  post_release(RedisRelease{held.lease, retry_after->count(), {}});  // a pause to set: at once
}

void RedisState::post_release(RedisRelease r) {
  Op op;
  op.kind = Op::release;
  op.lease = std::move(r.lease);
  op.n = r.retry_after_ms;
  op.text = std::move(r.hand_over);
  post(std::move(op));
}

// The release of lease not sent yet, if any (its completion, retry or rules carry it instead).
std::optional<RedisRelease> RedisState::take_release(const std::string& lease) {
  auto it = std::find_if(releases_.begin(), releases_.end(),
                         [&](const RedisRelease& r) { return r.lease == lease; });
  if (it == releases_.end()) return std::nullopt;
  RedisRelease r = std::move(*it);
  releases_.erase(it);
  return r;
}

void RedisState::ended(const Held& held) {
  if (!held.slot) return;
  auto r = running_.find(held.host);
  if (r != running_.end() && --r->second == 0) running_.erase(r);
}

// Slotless items wait for a transfer of this worker to their host to end; with none left under
// way (nor one about to start in a handed-over slot) they would wait forever: back to Redis.
void RedisState::return_idle_spares(SteadyClock::time_point now) {
  std::vector<RedisClaim::Leased> back;
  {
    std::lock_guard lock(mutex_);
    if (spare_count_ == 0) return;
    for (auto it = spare_.begin(); it != spare_.end();) {
      const std::string& host = it->first;
      const bool starting = std::any_of(promoted_.begin(), promoted_.end(), [&](const auto& l) {
        return l.item.size() > host.size() && l.item.ends_with("\t" + host);
      });
      if (running_.contains(host) || starting) {
        ++it;
        continue;
      }
      for (auto& l : it->second) {
        leases_.erase(l.lease);
        back.push_back(std::move(l));
      }
      spare_count_ -= it->second.size();
      it = spare_.erase(it);
    }
  }
  for (RedisClaim::Leased& l : back) {
    Op op;
    op.kind = Op::retry;
    op.lease = std::move(l.lease);
    op.n = wall_ms(now);
    op.text = std::move(l.item);
    post(std::move(op));
  }
  if (!back.empty()) changed_since_claim_ = urgent_ = true;
}

std::vector<std::pair<std::string, std::size_t>> RedisState::refills_locked() const {
  std::vector<std::pair<std::string, std::size_t>> out;
  if (options_.per_host == 0 || options_.delay.count() > 0) return out;  // no cap, or spacing
  std::size_t budget = kAhead > spare_count_ ? kAhead - spare_count_ : 0;
  for (const auto& [host, running] : running_) {
    const auto s = spare_.find(host);
    const std::size_t have = s == spare_.end() ? 0 : s->second.size();
    if (kSparePerTransfer * running <= have || budget == 0) continue;
    const std::size_t want = std::min(kSparePerTransfer * running - have, budget);
    out.emplace_back(host, want);
    budget -= want;
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> RedisState::end_held(std::int64_t id) {
  auto it = held_.find(id);
  if (it == held_.end()) return std::nullopt;
  if (!it->second.released) ended(it->second);
  std::pair<std::string, std::string> out{std::move(it->second.lease), {}};
  held_.erase(it);
  if (auto r = take_release(out.first)) out.second = std::move(r->hand_over);
  std::lock_guard lock(mutex_);
  leases_.erase(out.first);
  return out;
}

void RedisState::retry(CrawlItem item, SteadyClock::time_point at) {
  auto held = end_held(item.id);
  if (!held) return;
  // The hand-over first: the retry's own release would give the slot back instead.
  if (!held->second.empty()) post_release(RedisRelease{held->first, 0, held->second});
  Op op;
  op.kind = Op::retry;
  op.lease = std::move(held->first);
  op.n = wall_ms(at);
  op.text = encode_item(item, 0);
  post(std::move(op));
  changed_since_claim_ = urgent_ = true;
}

void RedisState::robots_known(const CrawlItem& robots_item, RobotsRules rules,
                              SteadyClock::time_point) {
  auto held = end_held(robots_item.id);
  if (!held) return;
  if (!held->second.empty()) post_release(RedisRelease{held->first, 0, held->second});
  Op op;
  op.kind = Op::robots;
  op.lease = std::move(held->first);
  op.text = rules.serialize();
  if (auto delay = rules.crawl_delay()) {
    op.n = clamped_delay(*delay, kMaxCrawlDelaySeconds).count();
  }
  post(std::move(op));
  changed_since_claim_ = urgent_ = true;
}

void RedisState::complete(const CrawlItem& item, const PageRecord& record,
                          std::vector<Candidate> links) {
  auto held = end_held(item.id);
  if (!held) return;
  Op op;
  op.kind = Op::complete;
  // Its release goes with it: a hand-over as the completion's first step, a plain one is the
  // completion's own.
  op.lease = std::move(held->first);
  op.text = std::move(held->second);
  if (!item.is_sitemap()) op.fields = encode_record(record, redis_.links);
  op.urls = found_urls(std::move(links));
  post(std::move(op));
  changed_since_claim_ = true;
}

void RedisState::add_found(std::vector<Candidate> links) {
  Op op;
  op.kind = Op::seed;
  op.flag = false;  // not seeds: deduplicated, the page limit applies
  op.urls = found_urls(std::move(links));
  if (op.urls.empty()) return;
  post(std::move(op));
  changed_since_claim_ = urgent_ = true;
}

std::vector<RedisUrl> RedisState::found_urls(std::vector<Candidate> links) {
  std::vector<RedisUrl> urls;
  for (Candidate& c : links) {
    if (c.item.depth > options_.max_depth) continue;
    if (options_.dedup && !seen_.insert(fingerprint(c.key))) continue;
    urls.push_back(RedisUrl{redis_fp(c.key), c.item.host, encode_item(c.item, 0)});
  }
  return urls;
}

void RedisState::abandon(const CrawlItem& item) noexcept {
  try {
    retry(item, SteadyClock::now());
  } catch (...) {  // the lease expires instead
  }
}

std::vector<CrawlItem> RedisState::drain() {
  std::deque<RedisClaim::Leased> buffered;
  {
    std::lock_guard lock(mutex_);
    buffered.swap(buffer_);
    for (auto& l : promoted_) buffered.push_back(std::move(l));
    promoted_.clear();
    for (auto& [host, spare] : spare_) {
      for (auto& l : spare) buffered.push_back(std::move(l));
    }
    spare_.clear();
    spare_count_ = 0;
    for (const auto& l : buffered) leases_.erase(l.lease);
  }
  const std::int64_t now = wall_now_ms();
  for (RedisClaim::Leased& l : buffered) {
    Op op;
    op.kind = Op::retry;
    op.lease = std::move(l.lease);
    op.n = now;
    op.text = std::move(l.item);
    post(std::move(op));
  }
  return {};
}

std::size_t RedisState::queued() const noexcept {
  std::lock_guard lock(mutex_);
  if (error_) return 0;  // the crawl ends; has_room() and claim() report the error
  const std::size_t total = total_fresh_
                                ? static_cast<std::size_t>(std::max<std::int64_t>(
                                      0, total_ - static_cast<std::int64_t>(leases_.size())))
                                : 1;
  return buffer_.size() + spare_count_ + promoted_.size() + unanswered_ + total + releases_.size();
}

std::size_t RedisState::backlog() const noexcept {
  std::lock_guard lock(mutex_);
  return buffer_.size() + spare_count_ + promoted_.size() + unanswered_;
}

void RedisState::input_ended() {
  Op op;
  op.kind = Op::reading;
  op.flag = false;
  {
    std::lock_guard lock(mutex_);
    reading_ = false;
  }
  post(std::move(op));
}

bool RedisState::has_room() {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  if (unanswered_ >= kMaxUnanswered) crawl_waiting_ = true;
  return unanswered_ < kMaxUnanswered;
}

// --- the I/O thread ---------------------------------------------------------------------

rt::Task<void> RedisState::connect_link(bool first) {
  Link& link = *link_;
  link.frontier.reset();
  link.conn.reset();
  try {
    link.conn = co_await rt::RedisConnection::connect(redis_.target.host, redis_.target.port, 5s);
  } catch (const rt::RedisError& e) {
    if (first) {
      throw StateError("cannot reach Redis at " + redis_.target.host + ":" +
                       std::to_string(redis_.target.port) + ": " + e.what());
    }
    throw;
  }
  if (redis_.target.db != 0) {
    rt::RedisReply r =
        co_await link.conn->command(rt::redis_argv("SELECT", std::to_string(redis_.target.db)));
    if (r.is_error())
      throw StateError("redis: SELECT " + std::to_string(redis_.target.db) + ": " + r.str);
  }
  const std::string prefix = redis_prefix(redis_.crawl_id);
  link.frontier = std::make_unique<RedisFrontier>(*link.conn, prefix);
  co_await link.frontier->load();
  const std::string meta = prefix + "meta";
  if (!first) {
    rt::RedisReply r = co_await link.conn->command(rt::redis_argv("EXISTS", meta));
    if (r.integer == 0) {
      throw StateError("redis lost crawl '" + redis_.crawl_id +
                       "' (its keys are gone: a restart without persistence, a flush or an "
                       "eviction); the records kept before are gone too: start it afresh");
    }
  } else {
    std::vector<std::string> argv = rt::redis_argv("EVAL", kDefine, "1", meta);
    for (const auto& [name, value] : redis_.definition) {
      argv.push_back(name);
      argv.push_back(value);
    }
    rt::RedisReply r = co_await link.conn->command(std::move(argv));
    if (r.is_error()) throw StateError("redis refused acrawl's script: " + r.str);
    CrawlDefinition stored;
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      stored.emplace_back(r.elements[i].str, r.elements[i + 1].str);
    }
    const std::vector<std::string> diff = definition_differences(stored, redis_.definition);
    if (!diff.empty()) {
      std::string why;
      for (const std::string& d : diff) why += (why.empty() ? "" : "; ") + d;
      throw StateError("crawl '" + redis_.crawl_id + "' in Redis is a different crawl (" + why +
                       "); run its workers with the same options, or pass another --crawl-id "
                       "to start afresh");
    }
  }
  if (reading_) {
    co_await link.conn->command(rt::redis_argv(
        "ZADD", prefix + "reading", std::to_string(wall_now_ms() + redis_.lease.count()), worker_));
  }
}

rt::Task<void> RedisState::execute(Op op) {
  Link& link = *link_;
  RedisFrontier& f = *link.frontier;
  const std::int64_t now = wall_now_ms();
  try {
    switch (op.kind) {
      case Op::seed:
        co_await f.seed(now, options_.max_pages, op.flag, op.urls);
        break;
      case Op::note:
        co_await f.note(now, op.n, op.fields);
        break;
      case Op::claim: {
        const std::string prefix = worker_ + ":" + std::to_string(++lease_counter_) + ":";
        RedisClaimRequest q;
        q.now_ms = now;
        q.n = static_cast<std::size_t>(op.n);
        q.per_host = options_.per_host;
        q.lease_ms = redis_.lease.count();
        q.worker = worker_;
        q.lease_prefix = prefix;
        q.robots = options_.robots;
        q.delay_ms = options_.delay.count();
        q.ahead = static_cast<std::size_t>(op.text.empty() ? 0 : std::stoul(op.text));
        q.releases = op.releases;  // kept: sent again after a lost connection
        q.refills = op.refills;
        RedisClaim c = co_await f.claim(std::move(q));
        std::lock_guard lock(mutex_);
        bool startable = false;
        for (RedisClaim::Leased& l : c.items) {
          leases_.insert(l.lease);
          if (l.slot) {
            startable = true;
            buffer_.push_back(std::move(l));
          } else {
            const auto tab = l.item.rfind('\t');
            spare_[l.item.substr(tab == std::string::npos ? 0 : tab + 1)].push_back(std::move(l));
            ++spare_count_;
          }
        }
        total_ = c.queued + c.leased + c.delayed + c.readers;
        total_fresh_ = op.seq == last_seq_;
        next_due_ms_ = c.next_due_ms;
        if (claims_out_ > 0) --claims_out_;
        asking_ -= std::min<std::size_t>(asking_, static_cast<std::size_t>(op.n));
        last_claim_empty_ = !startable;
        break;
      }
      case Op::release:
        co_await f.release(op.lease, now, op.n, op.text, options_.per_host);
        break;
      case Op::retry:
        co_await f.retry(op.lease, now, op.n, op.text);
        break;
      case Op::robots:
        co_await f.robots(op.lease, now, op.text, op.n);
        break;
      case Op::complete:
        if (!co_await f.complete(op.lease, now, options_.max_pages, op.fields, op.urls, op.text,
                                 options_.per_host)) {
          spdlog::debug("redis: lease {} had expired: another worker has its page", op.lease);
        }
        break;
      case Op::reading: {
        const std::string key = f.prefix() + "reading";
        co_await link.conn->command(rt::redis_argv("ZREM", key, worker_));
        break;
      }
    }
  } catch (const rt::RedisError&) {
    link.lost = true;
    link.resend.push_back(std::move(op));
    if (--link.sending == 0) link.idle.set();
    link.kick.set();
    co_return;
  }
  if (--link.sending == 0) link.idle.set();
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (!ops_.empty()) link.kick.set();        // posted while this reply was awaited
    if (link.sending == 0) io_parked_ = true;  // no reply will wake the thread now
    if (unanswered_ > 0) --unanswered_;
    if (unanswered_ == 0) drained_.notify_all();
    // Only a crawl that found nothing to start waits for a reply: for new items, for the end
    // (nothing unanswered) or for room. A busy one calls claim() again by itself.
    if (crawl_waiting_ &&
        (op.kind == Op::claim || unanswered_ == 0 || unanswered_ + 1 == kMaxUnanswered)) {
      crawl_waiting_ = false;
      wake = wake_;
    }
  }
  if (wake) wake();
}

rt::Task<void> RedisState::renew_leases() {
  Link& link = *link_;
  std::vector<std::string> leases;
  bool reading = false;
  {
    std::lock_guard lock(mutex_);
    leases.assign(leases_.begin(), leases_.end());
    reading = reading_;
  }
  const std::int64_t now = wall_now_ms();
  const std::int64_t until = now + redis_.lease.count();
  if (!leases.empty()) co_await link.frontier->renew(now, until, std::move(leases));
  if (reading) {
    co_await link.conn->command(rt::redis_argv("ZADD", link.frontier->prefix() + "reading",
                                               std::to_string(until), worker_));
  }
}

rt::Task<void> RedisState::io_main() {
  co_await rt::with_scope(&RedisState::io_body, this);
}

// Sends every operation as soon as it is posted (each a task: any number in flight, replies
// matched in order), renews the leases, and after a lost connection waits for the operations
// under way to fail, reconnects with backoff and sends again, in order, what had no reply.
rt::Task<void> RedisState::io_body(rt::Scope& scope, RedisState* self) {
  Link& link = *self->link_;
  const auto renew_every = self->redis_.lease / 3;
  auto next_renew = rt::Clock::now() + renew_every;
  for (;;) {
    if (link.lost) {
      while (link.sending > 0) {
        link.idle.clear();
        co_await link.idle.wait();
      }
      const auto gave_up_at = rt::Clock::now() + kMaxOutage;
      auto backoff = 100ms;
      spdlog::warn("redis: connection lost; reconnecting");
      for (;;) {
        {
          std::lock_guard lock(self->mutex_);
          if (self->stopping_ && self->ops_.empty() && link.resend.empty()) co_return;
        }
        try {
          co_await self->connect_link(false);
          link.lost = false;
          break;
        } catch (const rt::RedisError& e) {
          if (rt::Clock::now() >= gave_up_at) {
            throw StateError("redis unreachable for " + std::to_string(kMaxOutage.count()) +
                             " s (" + e.what() + "); the crawl stops");
          }
        }
        co_await rt::sleep_for(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
      }
      spdlog::info("redis: reconnected");
    }
    std::vector<Op> batch = std::move(link.resend);
    link.resend.clear();
    {
      std::lock_guard lock(self->mutex_);
      while (!self->ops_.empty()) {
        batch.push_back(std::move(self->ops_.front()));
        self->ops_.pop_front();
      }
      if (batch.empty() && self->stopping_ && link.sending == 0) co_return;
    }
    std::sort(batch.begin(), batch.end(), [](const Op& a, const Op& b) { return a.seq < b.seq; });
    for (Op& op : batch) {
      ++link.sending;
      scope.spawn_into(self->execute(std::move(op)));
    }
    if (rt::Clock::now() >= next_renew && !link.lost) {
      try {
        co_await self->renew_leases();
      } catch (const rt::RedisError&) {
        link.lost = true;
      }
      next_renew = rt::Clock::now() + renew_every;
    }
    if (link.lost) continue;
    {
      std::lock_guard lock(self->mutex_);
      if (!self->ops_.empty()) continue;
      link.kick.clear();
      self->io_parked_ = link.sending == 0;
      self->kicked_ = false;
    }
    try {
      co_await rt::with_timeout(wait_event(link.kick), next_renew - rt::Clock::now());
    } catch (const rt::TimeoutError&) {
    }
    std::lock_guard lock(self->mutex_);
    self->io_parked_ = false;
  }
}

}  // namespace acrawl::crawler
