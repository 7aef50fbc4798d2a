#pragma once
// FollowScope: which discovered links a recursive crawl follows, relative to its start URLs.

#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "crawler/config.hpp"
#include "crawler/url/url.hpp"

namespace acrawl::crawler {

class FollowScope {
 public:
  // include/exclude: ECMAScript regular expressions searched in the URL. Throws
  // std::regex_error for a pattern that does not compile.
  FollowScope(ScopeKind kind, const std::vector<std::string>& include,
              const std::vector<std::string>& exclude);

  // Widens the scope by one start URL. Never throws but bad_alloc.
  void add_seed(const Url& seed);
  // True when url is within the scope of some start URL, matches an --include pattern (when
  // there are any) and no --exclude pattern. Hash look-ups: the cost does not grow with the
  // number of start URLs (for prefix, one look-up per '/' of the URL).
  bool allows(const Url& url) const;

 private:
  // Looks strings up by string_view, without building a std::string per link.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;

  ScopeKind kind_;
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
  Set in_scope_;  // hosts, registrable domains or directory prefixes, as kind_ says
};

// The registrable domain of a host ("www.example.co.uk" -> "example.co.uk"); the host itself
// for IP addresses and hosts that are a public suffix. Never throws but bad_alloc.
std::string registrable_domain(std::string_view host);

}  // namespace acrawl::crawler
