#pragma once
// Everything the recursive crawl needs from a page, from one full gumbo parse: document.title,
// the raw link targets, the <base> href and the <meta name=robots> directives.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acrawl::crawler {

struct RawLink {
  std::string href;       // the attribute value as the DOM reports it: entities decoded by the
                          // parser, not trimmed, not resolved
  bool nofollow = false;  // rel has the token "nofollow" (ASCII whitespace-separated, any case)
};

struct PageContent {
  // Exactly what extract_title_full() returns for the same input.
  std::optional<std::string> title;
  // The href of the first HTML `base` element that has one, in tree order (head or body).
  std::optional<std::string> base_href;
  // The href of every HTML-namespace `a` and `area` element that has one, in tree order,
  // duplicates kept (the crawler dedups after resolving). SVG and MathML `a` are not links here.
  std::vector<RawLink> links;
  // Some <meta name="robots" content="..."> (name in any ASCII case; content split on commas,
  // tokens trimmed of ASCII whitespace, any case) says "nofollow" or "none".
  bool meta_nofollow = false;
  // ... says "noindex" or "none".
  bool meta_noindex = false;
};

// Parses utf8_html (invalid bytes become U+FFFD; every string out is valid UTF-8) once, fully,
// and extracts the above. Template contents are not part of the document and are skipped.
// Iterative over the tree, so any nesting depth is fine. Throws only std::bad_alloc; thread-safe.
PageContent extract_page(std::string_view utf8_html);

namespace detail {
// rel has the token "nofollow" (ASCII whitespace-separated, any case). Never throws.
bool rel_has_nofollow(std::string_view rel) noexcept;
// Applies <meta name=robots content=...> (name in any case) to page. Never throws.
void apply_robots_meta(std::string_view name, std::string_view content, PageContent& page) noexcept;
}  // namespace detail

}  // namespace acrawl::crawler
