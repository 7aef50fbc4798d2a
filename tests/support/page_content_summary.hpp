#pragma once
// The comparison the link-scan tests and fuzzer use between scan_links and extract_page.

#include <set>
#include <sstream>
#include <string>

#include "crawler/html/links.hpp"

namespace acrawl::test {

// What the crawl takes from a page: base, robots meta, and the sets of link targets with and
// without rel=nofollow ones. Not the order or multiplicity of links: the tree builder clones
// <a> elements (reconstructing active formatting elements) and moves them (foster parenting),
// and the crawl dedups links anyway.
inline std::string page_content_summary(const crawler::PageContent& p) {
  std::set<std::string> all, followable;
  for (const crawler::RawLink& l : p.links) {
    all.insert(l.href);
    if (!l.nofollow) followable.insert(l.href);
  }
  std::ostringstream out;
  out << "base=" << (p.base_href ? *p.base_href : "(none)") << " nofollow=" << p.meta_nofollow
      << " noindex=" << p.meta_noindex << " links:";
  for (const std::string& l : all) out << " [" << l << (followable.count(l) ? "" : "|nf") << "]";
  return out.str();
}

}  // namespace acrawl::test
