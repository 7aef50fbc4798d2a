#pragma once

// robots.txt per RFC 9309 (Robots Exclusion Protocol): parsing and matching for one product
// token. Fetching, caching per origin and the 4xx/5xx policy live with the caller.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acrawl::crawler {

// The rules of one robots.txt that apply to one crawler. An immutable value: every const method
// is safe to call from any number of threads at once.
class RobotsRules {
 public:
  // Only this many leading bytes are parsed (RFC 9309 2.5: at least 500 KiB); a line cut by the
  // limit is dropped, since a truncated path would change the rule's meaning.
  static constexpr std::size_t kMaxBodyBytes = 500 * 1024;
  // At most this many rules (in file order) are kept for the applicable groups, which bounds the
  // cost of allowed() on hostile files. Real files stay far below it.
  static constexpr std::size_t kMaxRules = 10'000;

  // Allows everything, like allow_all(). Never throws.
  RobotsRules() = default;

  // Parses a robots.txt body for the crawler whose product token is `product` (e.g. "acrawl";
  // "acrawl/1.0" is reduced to "acrawl"). Groups naming the product are merged; without any,
  // the "*" groups are merged; without those, everything is allowed. Any bytes are acceptable
  // input. Throws only std::bad_alloc.
  static RobotsRules parse(std::string_view body, std::string_view product);

  // No robots.txt (e.g. a 4xx): everything may be crawled. Never throws.
  static RobotsRules allow_all() noexcept;

  // Nothing but /robots.txt may be crawled. Throws only std::bad_alloc.
  static RobotsRules disallow_all();
  // robots.txt unreachable, a 5xx or a 429: disallow_all() for now, marked as such (a durable
  // crawl does not keep it: the next run asks again). Throws only std::bad_alloc.
  static RobotsRules unreachable();
  bool is_unreachable() const noexcept { return unreachable_; }

  // Whether a URL with this path may be crawled. `path_and_query` is the URL's path, plus "?" and
  // the query if any, percent-encoded as fetched. The most specific (longest) matching rule wins,
  // allow on a tie; /robots.txt is always allowed. Linear in path length per rule.
  // Throws only std::bad_alloc.
  bool allowed(std::string_view path_and_query) const;

  // Crawl-delay in seconds (fractions allowed) of the applicable groups: the first parseable one.
  // nullopt if none. Never throws.
  std::optional<double> crawl_delay() const noexcept { return crawl_delay_; }

  // The rules as text ("A<pattern>", "D<pattern>", "C<delay>", "S<sitemap>" lines), and back:
  // deserialize(serialize()) decides every path as the original does. deserialize accepts any
  // text (unknown lines are skipped). Both throw only std::bad_alloc.
  std::string serialize() const;
  static RobotsRules deserialize(std::string_view text);

  // Every Sitemap: value in file order, whatever group it is in. Never throws.
  const std::vector<std::string>& sitemaps() const noexcept { return sitemaps_; }

 private:
  struct Rule {
    std::string pattern;              // percent-encoding normalized; '*' wildcards, maybe a '$' end
    std::vector<std::uint32_t> fail;  // KMP failure links of the segments between '*'s, if any
    bool allow = false;
  };

  std::vector<Rule> rules_;  // most specific first, so the first match decides
  std::optional<double> crawl_delay_;
  std::vector<std::string> sitemaps_;
  bool unreachable_ = false;
};

}  // namespace acrawl::crawler
