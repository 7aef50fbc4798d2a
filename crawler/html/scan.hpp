#pragma once
// A fast path for extract_page: the same links, <base href> and robots meta from one pass of
// the HTML tokenizer, without building a tree (gumbo's tree building is most of a recursive
// crawl's CPU). It answers only for documents where the token stream decides the answer; when a
// construct could make the tree builder disagree (foreign content, <template>, <select>,
// <frameset>, escaped script, NUL, uncommon character references) it declines and the caller
// parses fully. Checked against extract_page on fixtures and generated documents.

#include <optional>
#include <string_view>

#include "crawler/html/links.hpp"

namespace acrawl::crawler {

// PageContent with everything but the title (left nullopt), or nullopt to say "parse fully".
// utf8_html must be valid UTF-8 (as decode_to_utf8 gives). Throws only std::bad_alloc;
// thread-safe.
std::optional<PageContent> scan_links(std::string_view utf8_html);

}  // namespace acrawl::crawler
