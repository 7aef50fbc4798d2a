#include "crawler/frontier/follow_scope.hpp"

#include <libpsl.h>

#include <algorithm>

namespace acrawl::crawler {

namespace {
std::vector<std::regex> compile(const std::vector<std::string>& patterns) {
  std::vector<std::regex> out;
  for (const auto& p : patterns) out.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
  return out;
}

// scheme://host[:port]/dir/ of a URL: everything through the last '/' of its path.
std::string directory_prefix(const Url& url) {
  std::string base = url.href_without_fragment();
  std::string_view path = url.pathname();
  auto path_start = base.find(path, base.find("://") + 3);
  auto last_slash = path.rfind('/');
  if (path_start == std::string::npos || last_slash == std::string_view::npos) return base;
  return base.substr(0, path_start + last_slash + 1);
}
}  // namespace

std::string registrable_domain(std::string_view host) {
  if (host.empty() || host.front() == '[' || std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.';
      })) {
    return std::string(host);  // IP addresses are their own domain
  }
  std::string h(host);
  const char* domain = psl_registrable_domain(psl_builtin(), h.c_str());
  return domain != nullptr ? std::string(domain) : h;
}

FollowScope::FollowScope(ScopeKind kind, const std::vector<std::string>& include,
                         const std::vector<std::string>& exclude)
    : kind_(kind), include_(compile(include)), exclude_(compile(exclude)) {}

void FollowScope::add_seed(const Url& seed) {
  switch (kind_) {
    case ScopeKind::host:
      in_scope_.emplace(seed.host());
      break;
    case ScopeKind::domain:
      in_scope_.insert(registrable_domain(seed.host()));
      break;
    case ScopeKind::prefix:
      in_scope_.insert(directory_prefix(seed));
      break;
    case ScopeKind::any:
      break;
  }
}

bool FollowScope::allows(const Url& url) const {
  bool in = false;
  switch (kind_) {
    case ScopeKind::host:
      in = in_scope_.contains(url.host());
      break;
    case ScopeKind::domain:
      in = in_scope_.contains(registrable_domain(url.host()));
      break;
    case ScopeKind::prefix: {
      // A prefix is the URL through one of its '/' (after the scheme's "//"): look each up.
      const std::string href = url.href_without_fragment();
      const std::string_view h(href);
      const std::size_t scheme = h.find("://");
      for (std::size_t at = h.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
           at != std::string_view::npos && !in; at = h.find('/', at + 1)) {
        in = in_scope_.contains(h.substr(0, at + 1));
      }
      break;
    }
    case ScopeKind::any:
      in = true;
      break;
  }
  if (!in) return false;
  const std::string& href = url.href();
  if (!include_.empty() && std::none_of(include_.begin(), include_.end(), [&](const std::regex& r) {
        return std::regex_search(href, r);
      })) {
    return false;
  }
  return std::none_of(exclude_.begin(), exclude_.end(),
                      [&](const std::regex& r) { return std::regex_search(href, r); });
}

}  // namespace acrawl::crawler
