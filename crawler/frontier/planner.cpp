#include "crawler/frontier/planner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "crawler/fetch/errors.hpp"
#include "crawler/frontier/memory_state.hpp"
#include "crawler/input/admit.hpp"

namespace acrawl::crawler {

namespace {

constexpr std::size_t kRecursivePerHost = 8;
// RFC 9309 2.3.1.2: follow at least five redirects; 2.5: parse at least 500 KiB.
constexpr long kRobotsRedirects = 5;
constexpr std::size_t kRobotsBodyBytes = 512 * 1024;
// Sitemaps: sitemaps.org's 50 MiB (the parser stops there too, after decompressing), and index
// files nested this deep at most (the standard allows none; real sites nest one or two).
constexpr std::size_t kSitemapBodyBytes = 50 * 1024 * 1024;
constexpr int kSitemapLevels = 4;
// The longest backoff between two attempts.
constexpr double kMaxBackoffMs = 3'600'000;

// Worth another attempt: the network or the server may do better in a moment.
bool is_transient(const FetchResult& r) {
  const std::string_view word = error_word(r.code, r.too_large);
  if (!word.empty()) {
    return word == error_words::timeout || word == error_words::refused ||
           word == error_words::reset || word == error_words::empty_reply ||
           word == error_words::proxy;
  }
  return r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

std::string robots_product_token(const FetchOptions& fetch) {
  std::string agent = fetch.user_agent.empty() ? default_user_agent() : fetch.user_agent;
  return agent.substr(0, agent.find_first_of("/ "));
}

FrontierOptions frontier_options(const CrawlConfig& config) {
  const FollowOptions& f = config.follow;
  FrontierOptions o;
  o.dedup = f.discovers();
  o.robots = f.discovers() && f.robots;
  o.max_depth = f.depth;
  o.max_pages = f.max_pages;
  o.per_host = f.per_host > 0 ? f.per_host : (f.discovers() ? kRecursivePerHost : 0);
  o.delay = std::chrono::milliseconds(f.delay_ms);
  return o;
}

CrawlPlanner::CrawlPlanner(const CrawlConfig& config, CrawlState& state)
    : state_(state),
      follow_(config.follow),
      retry_(config.retry),
      page_fetch_(config.fetch),
      robots_fetch_(config.fetch),
      sitemap_fetch_(config.fetch),
      robots_product_(robots_product_token(config.fetch)),
      scope_(config.follow.scope, config.follow.include, config.follow.exclude),
      credentials_(!config.fetch.user.empty()) {
  const bool links_in_output = follow_.links || !follow_.links_path.empty();
  parse_stage_.links = follow_.recursive() || links_in_output;
  parse_stage_.link_options = LinkOptions{follow_.respect_nofollow, links_in_output};
  // A recursive crawl follows redirects itself, so scope, robots.txt and dedup apply to them.
  page_fetch_.follow_redirects = !follow_.discovers();
  page_fetch_.title_only = !parse_stage_.links;
  robots_fetch_.follow_redirects = true;
  robots_fetch_.max_redirects = kRobotsRedirects;
  robots_fetch_.any_content_type = true;
  robots_fetch_.max_body_bytes = kRobotsBodyBytes;
  sitemap_fetch_.follow_redirects = true;
  sitemap_fetch_.max_redirects = kRobotsRedirects;
  sitemap_fetch_.any_content_type = true;
  sitemap_fetch_.title_only = false;
  sitemap_fetch_.max_body_bytes = kSitemapBodyBytes;
  if (follow_.discovers()) {
    for (const std::string& target : state_.seed_redirects()) {
      if (std::optional<Url> url = Url::parse(target)) scope_.add_seed(*url);
    }
  }
}

void CrawlPlanner::add_resumed_inputs(std::span<const InputItem> batch) {
  if (!follow_.discovers() && !credentials_) return;
  std::vector<Candidate> sitemaps;
  for (const InputItem& input : batch) {
    if (input.too_long) continue;
    std::optional<Url> url = Url::parse(input.url);
    if (url && url->is_http()) add_seed(*url, sitemaps);
  }
  // Offered again: the run before may have stopped before it queued them (the state drops
  // the ones it has).
  if (!sitemaps.empty()) state_.add_found(std::move(sitemaps));
}

void CrawlPlanner::add_seed(const Url& url, std::vector<Candidate>& sitemaps) {
  // Only a crawl that finds URLs has a scope to widen: a list crawl keeps no state per seed.
  if (follow_.discovers()) scope_.add_seed(url);
  if (credentials_) seed_origins_.insert(url.origin());
  if (!follow_.sitemaps) return;
  auto [at, added] = sitemap_origins_.try_emplace(url.origin(), false);
  if (!added) return;
  // Obeying robots.txt, the state fetches it before any page of the origin, and
  // robots_fetched() reads its Sitemap: lines; otherwise a fetch of its own does.
  if (follow_.robots) return;
  at->second = true;
  add_sitemaps({at->first + "/robots.txt"}, 0, sitemaps);
}

void CrawlPlanner::add_sitemaps(const std::vector<std::string>& urls, int level,
                                std::vector<Candidate>& out) const {
  for (const std::string& text : urls) {
    std::optional<Url> url = Url::parse(text);
    if (!url || !url->is_http()) continue;
    Candidate c;
    c.key = "sitemap " + dedup_key(*url);
    if (state_.known(c.key)) continue;
    c.item.url = c.item.record = url->href_without_fragment();
    c.item.depth = sitemap_depth(level);
    c.item.host = std::string(url->host());
    c.item.origin = url->origin();
    out.push_back(std::move(c));
  }
}

void CrawlPlanner::sitemap_source_fetched(const CrawlItem& item, const FetchResult& result) {
  std::vector<std::string> named;
  if (result.code == CURLE_OK && result.status >= 200 && result.status < 300) {
    named = RobotsRules::parse(result.body, robots_product_).sitemaps();
  }
  if (named.empty()) named.push_back(item.origin + "/sitemap.xml");
  std::vector<Candidate> sitemaps;
  add_sitemaps(named, 0, sitemaps);
  state_.complete(item, PageRecord{}, std::move(sitemaps));
}

void CrawlPlanner::sitemap_refused(const CrawlItem& item) {
  spdlog::info("sitemap {}: disallowed by robots.txt, not read", item.url);
  state_.complete(item, PageRecord{}, {});
}

std::optional<Candidate> CrawlPlanner::candidate(const Url& url, std::string_view record_url,
                                                 int depth, bool seed) const {
  Candidate c;
  if (follow_.discovers()) {
    c.key = dedup_key(url);
    if (!seed && state_.known(c.key)) return std::nullopt;  // most links: skip building the item
  }
  c.item.url = url.href_without_fragment();
  c.item.record = std::string(record_url);
  c.item.depth = depth;
  c.item.host = std::string(url.host());
  c.item.origin = url.origin();
  c.item.input = seed;
  return c;
}

std::vector<PageRecord> CrawlPlanner::add_inputs(std::span<const InputItem> batch, InputMark mark) {
  std::vector<PageRecord> refused;
  std::vector<std::size_t> refused_at;  // their places in the batch
  std::vector<Candidate> seeds;
  std::vector<Candidate> sitemaps;
  seeds.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const InputItem& input = batch[i];
    if (input.too_long) {
      spdlog::warn("{}: line longer than {} bytes: not a URL", input.where,
                   UrlSource::kMaxLineBytes);
      refused.push_back(error_record(input.url, error_words::invalid_url));
      refused_at.push_back(i);
      continue;
    }
    std::optional<Url> url = Url::parse(input.url);
    if (!url || !url->is_http()) {
      if (std::optional<PageRecord> why = refuse(input)) {  // says why
        refused.push_back(std::move(*why));
      } else {
        spdlog::warn("{}: not a valid URL: {}", input.where, input.url);
        refused.push_back(error_record(input.url, error_words::invalid_url));
      }
      refused_at.push_back(i);
      continue;
    }
    add_seed(*url, sitemaps);
    seeds.push_back(std::move(*candidate(*url, input.url, 0, true)));
  }
  // The sitemaps first: a kill between the two leaves them queued and the input unread, and
  // the next run offers them again (dropped as known); the other way round they would be lost.
  if (!sitemaps.empty()) state_.add_found(std::move(sitemaps));
  state_.add_input(std::move(seeds), refused, refused_at, mark);
  return refused;
}

std::vector<PageRecord> CrawlPlanner::drain_inputs() {
  std::vector<PageRecord> records;
  for (CrawlItem& item : state_.drain()) {
    if (item.input) records.push_back(error_record(std::move(item.record), error_words::cancelled));
  }
  return records;
}

PageRecord CrawlPlanner::disallowed(const CrawlItem& item) {
  PageRecord rec = error_record(item.record, error_words::robots_disallowed);
  rec.depth = item.depth;
  rec.attempts = item.attempt;
  state_.complete(item, rec, {});
  return rec;
}

bool CrawlPlanner::transfer_ended(const CrawlItem& item, const FetchResult& result,
                                  SteadyClock::time_point now) {
  std::optional<std::chrono::milliseconds> pause;
  if ((result.status == 429 || result.status == 503) && result.retry_after_seconds > 0) {
    // Clamped in seconds: a Retry-After of 10^15 s must not overflow into "no pause".
    pause = clamped_delay(static_cast<double>(result.retry_after_seconds), kMaxRetryAfterSeconds);
  }
  state_.release(item, now, pause);
  if (item.attempt > retry_.retries || !is_transient(result)) return false;
  // Exponential backoff with jitter (0.5x to 1.5x), so that retries of many pages spread out.
  jitter_state_ = jitter_state_ * 6364136223846793005ull + 1442695040888963407ull;
  const double jitter = 0.5 + static_cast<double>(jitter_state_ >> 11) * 0x1.0p-53;
  const double backoff_ms =
      static_cast<double>(retry_.base_delay_ms) * std::ldexp(1.0, item.attempt - 1) * jitter;
  auto delay =
      std::chrono::milliseconds(static_cast<long long>(std::min(backoff_ms, kMaxBackoffMs)));
  if (pause) delay = std::max(delay, *pause);
  CrawlItem again = item;
  ++again.attempt;
  state_.retry(std::move(again), now + delay);
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
    rules = RobotsRules::unreachable();
  } else if (result.status >= 200 && result.status < 300) {
    rules = RobotsRules::parse(result.body, robots_product_);
  } else {
    rules = RobotsRules::allow_all();  // 4xx, or redirected too often: no rules
  }
  // --sitemaps: a seed origin's sitemaps are the ones it names, else /sitemap.xml (an origin
  // refused for an unreachable robots.txt is not crawled at all).
  std::vector<Candidate> sitemaps;
  if (follow_.sitemaps && !rules.is_unreachable()) {
    auto origin = sitemap_origins_.find(item.origin);
    if (origin != sitemap_origins_.end() && !origin->second) {
      origin->second = true;
      std::vector<std::string> named = rules.sitemaps();
      if (named.empty()) named.push_back(item.origin + "/sitemap.xml");
      add_sitemaps(named, 0, sitemaps);
    }
  }
  // Before the rules, as in add_inputs: rules kept without their sitemaps would not be
  // fetched again after a kill.
  if (!sitemaps.empty()) state_.add_found(std::move(sitemaps));
  state_.robots_known(item, std::move(rules), now);
}

void CrawlPlanner::sitemap_parsed(const CrawlItem& item, ParsedPage& page) {
  std::vector<Candidate> found;
  for (const Url& url : page.links) {
    if (!scope_.allows(url)) continue;
    if (auto c = candidate(url, url.href(), 0, false)) found.push_back(std::move(*c));
  }
  const int level = item.sitemap_level() + 1;
  if (!page.sitemaps.empty() && level >= kSitemapLevels) {
    spdlog::warn("sitemap {}: an index nested more than {} deep: its {} sitemaps not read",
                 item.url, kSitemapLevels, page.sitemaps.size());
  } else {
    std::vector<std::string> children;
    for (const Url& url : page.sitemaps) {
      if (scope_.allows(url)) children.push_back(url.href());
    }
    add_sitemaps(children, level, found);
  }
  state_.complete(item, page.record, std::move(found));
}

void CrawlPlanner::page_parsed(const CrawlItem& item, ParsedPage& page) {
  if (item.is_sitemap()) {
    sitemap_parsed(item, page);
    return;
  }
  PageRecord& rec = page.record;
  rec.url = item.record;
  rec.depth = item.depth;
  rec.attempts = item.attempt;
  std::vector<Candidate> links;
  if (follow_.discovers()) {
    if (rec.error.empty() && is_redirect(rec.status) && !rec.final_url.empty()) {
      std::optional<Url> from = Url::parse(rec.final_url);
      // Location as sent; curl's CURLINFO_REDIRECT_URL is resolved already, a fallback.
      std::optional<Url> target = from ? Url::parse(rec.location, &*from) : std::nullopt;
      if (target && target->is_http()) {
        rec.location = target->href();
        // An input URL that redirects (http -> https, example.org -> www.example.org) brings its
        // target into scope: that is where the site the user named lives.
        // (Not a page a sitemap lists: those are at depth 0 too, but the site did not name them
        // as the user did.)
        if (item.input || (item.depth == 0 && !follow_.sitemaps)) scope_.add_seed(*target);
        if (scope_.allows(*target)) {
          if (auto c = candidate(*target, target->href(), item.depth, false)) {
            links.push_back(std::move(*c));
          }
        }
      }
    }
    if (item.depth < follow_.depth && !page.nofollow) {
      for (const Url& link : page.links) {
        if (!scope_.allows(link)) continue;
        if (auto c = candidate(link, link.href(), item.depth + 1, false)) {
          links.push_back(std::move(*c));
        }
      }
    }
  }
  state_.complete(item, rec, std::move(links));
}

}  // namespace acrawl::crawler
