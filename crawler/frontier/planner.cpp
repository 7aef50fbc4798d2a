#include "crawler/frontier/planner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "crawler/fetch/errors.hpp"
#include "crawler/input/admit.hpp"
#include "crawler/output/record.hpp"

namespace acrawl::crawler {

namespace {

constexpr std::size_t kRecursivePerHost = 8;
// RFC 9309 2.3.1.2: follow at least five redirects; 2.5: parse at least 500 KiB.
constexpr long kRobotsRedirects = 5;
constexpr std::size_t kRobotsBodyBytes = 512 * 1024;

FrontierOptions frontier_options(const CrawlConfig& config, const std::string& product) {
  const FollowOptions& f = config.follow;
  FrontierOptions o;
  o.dedup = f.recursive();
  o.robots = f.recursive() && f.robots;
  o.max_depth = f.depth;
  o.max_pages = f.max_pages;
  o.per_host = f.per_host > 0 ? f.per_host : (f.recursive() ? kRecursivePerHost : 0);
  o.delay = std::chrono::milliseconds(f.delay_ms);
  o.robots_product = product;
  return o;
}

// The product token robots.txt groups name: the user agent up to its first '/' or space.
std::string product_token(const FetchOptions& fetch) {
  std::string agent = fetch.user_agent.empty() ? default_user_agent() : fetch.user_agent;
  return agent.substr(0, agent.find_first_of("/ "));
}

// Worth another attempt: the network or the server may do better in a moment.
bool is_transient(const FetchResult& r) {
  const std::string_view word = error_word(r.code, r.too_large);
  if (!word.empty()) {
    return word == error_words::timeout || word == error_words::refused ||
           word == error_words::reset || word == error_words::empty_reply;
  }
  return r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

CrawlPlanner::CrawlPlanner(const CrawlConfig& config)
    : follow_(config.follow),
      retry_(config.retry),
      page_fetch_(config.fetch),
      robots_fetch_(config.fetch),
      link_options_{config.follow.respect_nofollow,
                    config.follow.links || !config.follow.links_path.empty()},
      wants_links_(config.follow.recursive() || link_options_.into_record),
      robots_product_(product_token(config.fetch)),
      scope_(config.follow.scope, config.follow.include, config.follow.exclude),
      frontier_(frontier_options(config, robots_product_)) {
  // A recursive crawl follows redirects itself, so scope, robots.txt and dedup apply to them.
  page_fetch_.follow_redirects = !follow_.recursive();
  robots_fetch_.follow_redirects = true;
  robots_fetch_.max_redirects = kRobotsRedirects;
  robots_fetch_.any_content_type = true;
  robots_fetch_.max_body_bytes = kRobotsBodyBytes;
}

bool CrawlPlanner::enqueue(const Url& url, std::string_view record_url, int depth, bool seed) {
  std::string key = dedup_key(url);
  if (!seed && frontier_.seen(key)) return false;  // most links: skip building the item
  CrawlItem item;
  item.url = url.href_without_fragment();
  item.record = std::string(record_url);
  item.depth = depth;
  item.host = std::string(url.host());
  item.origin = url.origin();
  item.input = seed;
  return frontier_.add(std::move(item), key, seed);
}

std::optional<PageRecord> CrawlPlanner::add_seed(const InputItem& input) {
  std::optional<Url> url = Url::parse(input.url);
  if (!url || !url->is_http()) {
    if (std::optional<PageRecord> refused = refuse(input)) return refused;  // says why
    spdlog::warn("{}: not a valid URL: {}", input.where, input.url);
    return error_record(input.url, error_words::invalid_url);
  }
  scope_.add_seed(*url);
  enqueue(*url, input.url, 0, true);
  return std::nullopt;
}

std::vector<PageRecord> CrawlPlanner::drain_inputs() {
  std::vector<PageRecord> records;
  for (CrawlItem& item : frontier_.drain()) {
    if (item.input) records.push_back(error_record(std::move(item.record), error_words::cancelled));
  }
  return records;
}

PageRecord CrawlPlanner::disallowed_record(const CrawlItem& item) {
  PageRecord rec = error_record(item.record, error_words::robots_disallowed);
  rec.depth = item.depth;
  return rec;
}

bool CrawlPlanner::transfer_ended(const CrawlItem& item, const FetchResult& result,
                                  SteadyClock::time_point now) {
  std::optional<std::chrono::milliseconds> pause;
  if ((result.status == 429 || result.status == 503) && result.retry_after_seconds > 0) {
    pause = std::chrono::seconds(result.retry_after_seconds);
  }
  frontier_.finished(item, now, pause);
  if (item.attempt > retry_.retries || !is_transient(result)) return false;
  // Exponential backoff with jitter (0.5x to 1.5x), so that retries of many pages spread out.
  jitter_state_ = jitter_state_ * 6364136223846793005ull + 1442695040888963407ull;
  const double jitter = 0.5 + static_cast<double>(jitter_state_ >> 11) * 0x1.0p-53;
  const double backoff_ms =
      static_cast<double>(retry_.base_delay_ms) * std::ldexp(1.0, item.attempt - 1) * jitter;
  auto delay = std::chrono::milliseconds(static_cast<long long>(std::min(backoff_ms, 3.6e6)));
  if (pause) delay = std::max(delay, std::min(*pause, std::chrono::milliseconds(3'600'000)));
  CrawlItem again = item;
  ++again.attempt;
  frontier_.retry(std::move(again), now + delay);
  return true;
}

void CrawlPlanner::robots_fetched(const CrawlItem& item, const FetchResult& result,
                                  SteadyClock::time_point now) {
  const bool answered = result.code == CURLE_OK || result.too_large;
  RobotsRules rules;
  if (!answered || result.status >= 500 || result.status == 429) {
    std::string why = answered ? "HTTP " + std::to_string(result.status)
                               : std::string(error_word(result.code, false));
    if (robots_warned_.insert(item.origin).second) {
      spdlog::warn("robots.txt of {} unavailable ({}): not crawling that site", item.origin, why);
    }
    rules = RobotsRules::disallow_all();
  } else if (result.status >= 200 && result.status < 300) {
    rules = RobotsRules::parse(result.body, robots_product_);
  } else {
    rules = RobotsRules::allow_all();  // 4xx, or redirected too often: no rules
  }
  frontier_.robots_known(item, std::move(rules), now);
}

void CrawlPlanner::page_parsed(const CrawlItem& item, ParsedPage& page) {
  PageRecord& rec = page.record;
  rec.url = item.record;
  rec.depth = item.depth;
  rec.attempts = item.attempt;
  if (!follow_.recursive()) return;
  if (rec.error.empty() && is_redirect(rec.status) && !rec.final_url.empty()) {
    std::optional<Url> from = Url::parse(rec.final_url);
    // Location as sent; curl's CURLINFO_REDIRECT_URL is resolved already, keep it as a fallback.
    std::optional<Url> target = from ? Url::parse(rec.location, &*from) : std::nullopt;
    if (target && target->is_http()) {
      rec.location = target->href();
      // An input URL that redirects (http -> https, example.org -> www.example.org) brings its
      // target into scope: that is where the site the user named lives.
      if (item.depth == 0) scope_.add_seed(*target);
      if (scope_.allows(*target)) enqueue(*target, target->href(), item.depth, false);
    }
  }
  if (item.depth >= follow_.depth || page.nofollow) return;
  for (const Url& link : page.links) {
    if (scope_.allows(link)) enqueue(link, link.href(), item.depth + 1, false);
  }
}

}  // namespace acrawl::crawler
