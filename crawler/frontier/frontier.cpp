#include "crawler/frontier/frontier.hpp"

#include <algorithm>

namespace acrawl::crawler {

namespace {
// A robots.txt Crawl-delay beyond this is taken as this (like StormCrawler's
// fetcher.max.crawl.delay): a day between requests would stall the crawl for nothing.
constexpr std::chrono::milliseconds kMaxCrawlDelay{30'000};
// A Retry-After longer than this is taken as this.
constexpr std::chrono::milliseconds kMaxRetryAfter{3'600'000};

// The path and query of an absolute URL in normalized form (robots rules match on them).
std::string_view path_and_query(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "/";
  auto slash = url.find('/', scheme_end + 3);
  if (slash == std::string_view::npos) return "/";
  std::string_view rest = url.substr(slash);
  return rest.substr(0, rest.find('#'));
}
}  // namespace

struct Frontier::Host {
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
};

struct Frontier::OriginRobots {
  bool known = false;
  RobotsRules rules = RobotsRules::allow_all();
};

Frontier::Frontier(FrontierOptions options) : options_(std::move(options)) {}
Frontier::~Frontier() = default;

Frontier::Host& Frontier::host_of(const std::string& name) {
  auto& slot = hosts_[name];
  if (!slot) {
    slot = std::make_unique<Host>();
    slot->name = name;
  }
  return *slot;
}

std::chrono::milliseconds Frontier::delay_of(const Host& h) const {
  return std::max(options_.delay, h.crawl_delay);
}

// Puts h where it belongs: in the ready line, in the waiting heap until its time, or nowhere
// (no pages, at its cap, or blocked on robots.txt: finished() and robots_known() revisit it).
void Frontier::consider(Host& h, SteadyClock::time_point now) {
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
    }
    return;
  }
  if (h.where != Host::Where::ready) {
    h.where = Host::Where::ready;
    ready_.push_back(&h);
  }
}

bool Frontier::add(CrawlItem item, const std::string& key, bool seed) {
  if (seed) {
    if (options_.dedup) seen_.insert(key);
  } else {
    if (item.depth > options_.max_depth) return false;
    if (options_.max_pages > 0 && accepted_ >= options_.max_pages) return false;
    if (options_.dedup && !seen_.insert(key).second) return false;
  }
  ++accepted_;
  ++queued_;
  Host& h = host_of(item.host);
  h.queue.push_back(std::move(item));
  consider(h, SteadyClock::now());
  return true;
}

void Frontier::retry(CrawlItem item, SteadyClock::time_point at) {
  ++queued_;
  retries_.push(Retry{at, retry_order_++, std::move(item)});
}

Frontier::Next Frontier::next(SteadyClock::time_point now) {
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
    // Entries left behind by a later consider() are stale.
    if (w.host->where == Host::Where::waiting && w.host->wake_at == w.at) {
      w.host->where = Host::Where::none;
      consider(*w.host, now);
    }
  }
  while (!ready_.empty()) {
    Host* h = ready_.front();
    ready_.pop_front();
    if (h->where != Host::Where::ready) continue;
    h->where = Host::Where::none;
    CrawlItem& head = h->queue.front();
    if (options_.robots) {
      auto& origin = robots_[head.origin];
      if (!origin) {
        // First page of this origin: its robots.txt comes first, and the host waits for it.
        origin = std::make_unique<OriginRobots>();
        h->robots_blocked = true;
        ++in_flight_;
        CrawlItem robots;
        robots.url = robots.record = head.origin + "/robots.txt";
        robots.host = h->name;
        robots.origin = head.origin;
        robots.robots_txt = true;
        h->next_start = now + delay_of(*h);  // robots.txt is a request to the host too
        return Next{std::move(robots), false, std::nullopt};
      }
      if (!origin->known) {
        h->robots_blocked = true;  // another host's page started that fetch
        continue;
      }
      if (!origin->rules.allowed(path_and_query(head.url))) {
        CrawlItem refused = std::move(head);
        h->queue.pop_front();
        --queued_;
        consider(*h, now);
        return Next{std::move(refused), true, std::nullopt};
      }
    }
    CrawlItem item = std::move(head);
    h->queue.pop_front();
    --queued_;
    ++h->in_flight;
    ++in_flight_;
    h->next_start = now + delay_of(*h);
    consider(*h, now);
    return Next{std::move(item), false, std::nullopt};
  }
  std::optional<SteadyClock::time_point> wake;
  while (!waiting_.empty()) {
    const Wake& w = waiting_.top();
    if (w.host->where == Host::Where::waiting && w.host->wake_at == w.at) {
      wake = w.at;
      break;
    }
    waiting_.pop();
  }
  if (!retries_.empty() && (!wake || retries_.top().at < *wake)) wake = retries_.top().at;
  return Next{std::nullopt, false, wake};
}

void Frontier::finished(const CrawlItem& item, SteadyClock::time_point now,
                        std::optional<std::chrono::milliseconds> retry_after) {
  --in_flight_;
  Host& h = host_of(item.host);
  if (h.in_flight > 0) --h.in_flight;
  if (retry_after) {
    h.paused_until = std::max(h.paused_until, now + std::min(*retry_after, kMaxRetryAfter));
  }
  consider(h, now);
}

std::vector<CrawlItem> Frontier::drain() {
  std::vector<CrawlItem> items;
  items.reserve(queued_);
  for (auto& [name, host] : hosts_) {
    for (CrawlItem& item : host->queue) items.push_back(std::move(item));
    host->queue.clear();
    host->where = Host::Where::none;
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

void Frontier::robots_known(const CrawlItem& robots_item, RobotsRules rules,
                            SteadyClock::time_point now) {
  --in_flight_;
  auto& origin = robots_[robots_item.origin];
  if (!origin) origin = std::make_unique<OriginRobots>();
  if (auto delay = rules.crawl_delay()) {
    auto ms = std::chrono::milliseconds(static_cast<long long>(*delay * 1000.0));
    Host& h = host_of(robots_item.host);
    h.crawl_delay = std::max(h.crawl_delay, std::min(ms, kMaxCrawlDelay));
    // The robots.txt request counts as the first: the first page waits the delay after it.
    h.next_start = std::max(h.next_start, now + h.crawl_delay);
  }
  origin->rules = std::move(rules);
  origin->known = true;
  // Every host waiting on this origin's rules may go on (one host name, possibly several
  // origins: unblock it and let next() check again).
  Host& h = host_of(robots_item.host);
  h.robots_blocked = false;
  consider(h, now);
}

}  // namespace acrawl::crawler
