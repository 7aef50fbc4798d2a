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

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
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
      if (!contains(hosts_, seed.host())) hosts_.emplace_back(seed.host());
      break;
    case ScopeKind::domain: {
      std::string d = registrable_domain(seed.host());
      if (!contains(domains_, d)) domains_.push_back(std::move(d));
      break;
    }
    case ScopeKind::prefix: {
      std::string p = directory_prefix(seed);
      if (!contains(prefixes_, p)) prefixes_.push_back(std::move(p));
      break;
    }
    case ScopeKind::any:
      break;
  }
}

bool FollowScope::allows(const Url& url) const {
  bool in = false;
  switch (kind_) {
    case ScopeKind::host:
      in = contains(hosts_, url.host());
      break;
    case ScopeKind::domain:
      in = contains(domains_, registrable_domain(url.host()));
      break;
    case ScopeKind::prefix: {
      std::string href = url.href_without_fragment();
      in = std::any_of(prefixes_.begin(), prefixes_.end(),
                       [&](const std::string& p) { return href.rfind(p, 0) == 0; });
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
