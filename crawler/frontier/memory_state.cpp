#include "crawler/frontier/memory_state.hpp"

#include <algorithm>
#include <cmath>

namespace acrawl::crawler {

std::string_view path_and_query(std::string_view url) noexcept {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "/";
  auto slash = url.find('/', scheme_end + 3);
  if (slash == std::string_view::npos) return "/";
  std::string_view rest = url.substr(slash);
  return rest.substr(0, rest.find('#'));
}

std::chrono::milliseconds clamped_delay(double seconds, double max_seconds) noexcept {
  if (!(seconds > 0)) return std::chrono::milliseconds(0);  // NaN too
  const double clamped = std::min(seconds, max_seconds);
  return std::chrono::milliseconds(static_cast<long long>(std::llround(clamped * 1000.0)));
}

struct MemoryState::Host {
  enum class Where { none, ready, waiting };
  std::string name;
  std::deque<CrawlItem> queue;
  std::size_t in_flight = 0;
  SteadyClock::time_point next_start{};
  SteadyClock::time_point paused_until{};
  std::chrono::milliseconds crawl_delay{0};
  bool robots_blocked = false;  // the head page's robots.txt is being fetched
  Where where = Where::none;
  SteadyClock::time_point wake_at{};
  std::size_t refs = 0;         // entries in ready_ and waiting_ that point here (stale ones too)
  bool forget_pending = false;  // in forget_
};

struct MemoryState::OriginRobots {
  bool known = false;
  RobotsRules rules = RobotsRules::allow_all();
  std::list<std::string>::iterator used;  // its place in robots_lru_, once known
  std::string host;                       // whose pages it rules
};

MemoryState::MemoryState(FrontierOptions options) : options_(std::move(options)) {}
MemoryState::~MemoryState() = default;

MemoryState::Host& MemoryState::host_of(const std::string& name) {
  auto& slot = hosts_[name];
  if (!slot) {
    slot = std::make_unique<Host>();
    slot->name = name;
  }
  return *slot;
}

std::chrono::milliseconds MemoryState::delay_of(const Host& h) const {
  return std::max(options_.delay, h.crawl_delay);
}

// Puts h where it belongs: in the ready line, in the waiting heap until its time, or nowhere
// (no pages, at its cap, or blocked on robots.txt: release() and robots_known() revisit it).
void MemoryState::consider(Host& h, SteadyClock::time_point now) {
  bool capped = options_.per_host > 0 && h.in_flight >= options_.per_host;
  if (h.queue.empty() || capped || h.robots_blocked) {
    h.where = Host::Where::none;
    return;
  }
  SteadyClock::time_point at = std::max(h.next_start, h.paused_until);
  if (at > now) {
    if (h.where != Host::Where::waiting || h.wake_at != at) {
      h.where = Host::Where::waiting;
      h.wake_at = at;
      waiting_.push(Wake{at, &h});
      ++h.refs;
    }
    return;
  }
  if (h.where != Host::Where::ready) {
    h.where = Host::Where::ready;
    ready_.push_back(&h);
    ++h.refs;
  }
}

// A host with nothing queued, in flight or pointing at it is forgotten once its delay since
// the last start (or its Retry-After pause) is over: a list of a million hosts keeps only the
// few it is busy with. Until then it waits in forget_ (its next start time is what politeness
// still needs).
void MemoryState::maybe_forget(Host& h, SteadyClock::time_point now) {
  if (!h.queue.empty() || h.in_flight > 0 || h.robots_blocked || h.refs > 0 ||
      h.where != Host::Where::none) {
    return;
  }
  const SteadyClock::time_point until = std::max(h.next_start, h.paused_until);
  if (until > now) {
    if (!h.forget_pending) {
      h.forget_pending = true;
      forget_.push(Forget{until, h.name});
    }
    return;
  }
  auto it = hosts_.find(h.name);
  if (it != hosts_.end()) hosts_.erase(it);  // h is gone
}

void MemoryState::forget_due(SteadyClock::time_point now) {
  while (!forget_.empty() && forget_.top().at <= now) {
    const std::string name = forget_.top().name;
    forget_.pop();
    auto it = hosts_.find(name);
    if (it == hosts_.end()) continue;
    it->second->forget_pending = false;
    maybe_forget(*it->second, now);
  }
}

bool MemoryState::add(Candidate candidate, bool seed) {
  CrawlItem& item = candidate.item;
  if (seed) {
    if (options_.dedup) seen_.insert(std::move(candidate.key));
  } else {
    if (item.depth > options_.max_depth) return false;
    if (options_.max_pages > 0 && accepted_ >= options_.max_pages) return false;
    if (options_.dedup && !seen_.insert(std::move(candidate.key)).second) return false;
  }
  ++accepted_;
  ++queued_;
  Host& h = host_of(item.host);
  h.queue.push_back(std::move(item));
  consider(h, SteadyClock::now());
  return true;
}

void MemoryState::add_seeds(std::vector<Candidate> seeds) {
  for (Candidate& seed : seeds) add(std::move(seed), true);
}

void MemoryState::complete(const CrawlItem& /*item*/, const PageRecord& /*record*/,
                           std::vector<Candidate> links) {
  --claimed_;
  add_found(std::move(links));
}

void MemoryState::add_found(std::vector<Candidate> links) {
  for (Candidate& link : links) {
    if (!known(link.key)) add(std::move(link), false);
  }
}

void MemoryState::abandon(const CrawlItem& /*item*/) noexcept {
  --claimed_;
}

void MemoryState::retry(CrawlItem item, SteadyClock::time_point at) {
  --claimed_;
  requeue_at(std::move(item), at);
}

void MemoryState::requeue_at(CrawlItem item, SteadyClock::time_point at) {
  ++queued_;
  retries_.push(Retry{at, retry_order_++, std::move(item)});
}

Claim MemoryState::claim(SteadyClock::time_point now, std::size_t max) {
  Claim claim;
  while (claim.fetches.size() < max) {
    CrawlItem item;
    const Outcome outcome = next(now, item);
    if (outcome == Outcome::none) break;
    ++claimed_;
    (outcome == Outcome::fetch ? claim.fetches : claim.disallowed).push_back(std::move(item));
  }
  if (claim.fetches.empty()) claim.wake_at = next_wake(now);
  return claim;
}

MemoryState::Outcome MemoryState::next(SteadyClock::time_point now, CrawlItem& out) {
  forget_due(now);
  while (!retries_.empty() && retries_.top().at <= now) {
    // priority_queue::top is const: the item is copied out, then popped.
    CrawlItem item = retries_.top().item;
    retries_.pop();
    Host& h = host_of(item.host);
    h.queue.push_front(std::move(item));
    consider(h, now);
  }
  while (!waiting_.empty() && waiting_.top().at <= now) {
    Wake w = waiting_.top();
    waiting_.pop();
    --w.host->refs;
    // Entries left behind by a later consider() are stale.
    if (w.host->where == Host::Where::waiting && w.host->wake_at == w.at) {
      w.host->where = Host::Where::none;
      consider(*w.host, now);
    }
    maybe_forget(*w.host, now);
  }
  while (!ready_.empty()) {
    Host* h = ready_.front();
    ready_.pop_front();
    --h->refs;
    if (h->where != Host::Where::ready) {
      maybe_forget(*h, now);
      continue;
    }
    h->where = Host::Where::none;
    CrawlItem& head = h->queue.front();
    if (options_.robots) {
      auto& origin = robots_[head.origin];
      if (!origin) {
        // First page of this origin: its robots.txt comes first, and the host waits for it.
        origin = std::make_unique<OriginRobots>();
        h->robots_blocked = true;
        out = CrawlItem{};
        out.url = out.record = head.origin + "/robots.txt";
        out.host = h->name;
        out.origin = head.origin;
        out.robots_txt = true;
        h->next_start = now + delay_of(*h);  // robots.txt is a request to the host too
        return Outcome::fetch;
      }
      if (!origin->known) {
        h->robots_blocked = true;  // another host's page started that fetch
        continue;
      }
      robots_lru_.splice(robots_lru_.begin(), robots_lru_, origin->used);
      // A host forgotten and met again gets its Crawl-delay back from the cached rules.
      if (auto delay = origin->rules.crawl_delay()) {
        h->crawl_delay = std::max(h->crawl_delay, clamped_delay(*delay, kMaxCrawlDelaySeconds));
      }
      if (!origin->rules.allowed(path_and_query(head.url))) {
        out = std::move(head);
        h->queue.pop_front();
        --queued_;
        consider(*h, now);
        maybe_forget(*h, now);
        return Outcome::disallowed;
      }
    }
    out = std::move(head);
    h->queue.pop_front();
    // Only when nothing can follow: another transfer to the host in flight, or links this page
    // may add, would soon want the connection again (closing it then churns connections).
    const bool may_add_links = options_.dedup && out.depth < options_.max_depth;
    out.host_drained = h->queue.empty() && h->in_flight == 0 && !may_add_links;
    --queued_;
    ++h->in_flight;
    h->next_start = now + delay_of(*h);
    consider(*h, now);
    return Outcome::fetch;
  }
  return Outcome::none;
}

std::optional<SteadyClock::time_point> MemoryState::next_wake(SteadyClock::time_point now) {
  std::optional<SteadyClock::time_point> wake;
  while (!waiting_.empty()) {
    const Wake& w = waiting_.top();
    if (w.host->where == Host::Where::waiting && w.host->wake_at == w.at) {
      wake = w.at;
      break;
    }
    Host* stale = w.host;
    waiting_.pop();
    --stale->refs;
    maybe_forget(*stale, now);
  }
  if (!retries_.empty() && (!wake || retries_.top().at < *wake)) wake = retries_.top().at;
  // Only politeness wakes the crawl; forgetting an idle host can wait for the next claim.
  return wake;
}

void MemoryState::release(const CrawlItem& item, SteadyClock::time_point now,
                          std::optional<std::chrono::milliseconds> retry_after) {
  Host& h = host_of(item.host);
  if (h.in_flight > 0) --h.in_flight;
  if (retry_after) {
    const std::chrono::milliseconds longest(static_cast<long long>(kMaxRetryAfterSeconds * 1000));
    h.paused_until = std::max(h.paused_until, now + std::min(*retry_after, longest));
  }
  consider(h, now);
  maybe_forget(h, now);
}

std::vector<CrawlItem> MemoryState::drain() {
  std::vector<CrawlItem> items;
  items.reserve(queued_);
  for (auto& [name, host] : hosts_) {
    for (CrawlItem& item : host->queue) items.push_back(std::move(item));
    host->queue.clear();
    host->where = Host::Where::none;
    host->refs = 0;
  }
  while (!retries_.empty()) {
    items.push_back(retries_.top().item);
    retries_.pop();
  }
  ready_.clear();
  waiting_ = {};
  queued_ = 0;
  return items;
}

// A bounded cache: the rules used longest ago go (their origin's next page fetches its
// robots.txt again). Never the rules of a host with pages queued or in flight: with more such
// hosts than the cache holds, evicting them would have every host refetch its robots.txt before
// each page, forever. Then the cache grows instead (a few busy entries are looked past per call,
// so this stays O(1)). Origins whose robots.txt is being fetched are not in it.
void MemoryState::evict_robots() {
  constexpr std::size_t kBusyLookedPast = 8;
  std::size_t busy_seen = 0;
  while (robots_lru_.size() > options_.robots_cache && busy_seen < kBusyLookedPast) {
    const std::string& origin_name = robots_lru_.back();
    auto origin = robots_.find(origin_name);
    auto host = hosts_.find(origin->second->host);
    if (host != hosts_.end() && (!host->second->queue.empty() || host->second->in_flight > 0)) {
      robots_lru_.splice(robots_lru_.begin(), robots_lru_, origin->second->used);
      ++busy_seen;
      continue;
    }
    robots_.erase(origin);
    robots_lru_.pop_back();
  }
}

void MemoryState::robots_known(const CrawlItem& robots_item, RobotsRules rules,
                               SteadyClock::time_point now) {
  --claimed_;
  preload_robots(robots_item.origin, robots_item.host, std::move(rules), now);
}

void MemoryState::pause_host(const std::string& host, SteadyClock::time_point until,
                             SteadyClock::time_point now) {
  Host& h = host_of(host);
  h.paused_until = std::max(h.paused_until, until);
  consider(h, now);
  maybe_forget(h, now);
}

void MemoryState::preload_robots(const std::string& origin_name, const std::string& host,
                                 RobotsRules rules, SteadyClock::time_point now) {
  auto& origin = robots_[origin_name];
  if (!origin) origin = std::make_unique<OriginRobots>();
  Host& h = host_of(host);
  if (auto delay = rules.crawl_delay()) {
    h.crawl_delay = std::max(h.crawl_delay, clamped_delay(*delay, kMaxCrawlDelaySeconds));
    // The robots.txt request counts as the first: the first page waits the delay after it.
    h.next_start = std::max(h.next_start, now + h.crawl_delay);
  }
  origin->rules = std::move(rules);
  if (!origin->known) {
    origin->known = true;
    robots_lru_.push_front(origin_name);
    origin->used = robots_lru_.begin();
  }
  origin->host = host;
  evict_robots();
  // Every host waiting on this origin's rules may go on (one host name, possibly several
  // origins: unblock it and let claim() check again).
  h.robots_blocked = false;
  consider(h, now);
}

}  // namespace acrawl::crawler
