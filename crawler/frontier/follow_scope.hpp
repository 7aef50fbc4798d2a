#pragma once
// FollowScope: which discovered links a recursive crawl follows, relative to its start URLs.

#include <regex>
#include <string>
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
  // there are any) and no --exclude pattern.
  bool allows(const Url& url) const;

 private:
  ScopeKind kind_;
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
  std::vector<std::string> hosts_;     // host
  std::vector<std::string> domains_;   // domain
  std::vector<std::string> prefixes_;  // prefix
};

// The registrable domain of a host ("www.example.co.uk" -> "example.co.uk"); the host itself
// for IP addresses and hosts that are a public suffix. Never throws but bad_alloc.
std::string registrable_domain(std::string_view host);

}  // namespace acrawl::crawler
