#include "crawler/html/title.hpp"

#include <gumbo.h>

#include <cstddef>
#include <string>

#include "crawler/html/gumbo_arena.hpp"
#include "crawler/text/ascii.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {
namespace {

using detail::Arena;
using detail::parse;

// The first HTML title in tree order (template contents skipped).
const GumboNode* find_title(const GumboNode* root) {
  return detail::find_node(
      root, [](const GumboNode* node) { return detail::is_html_element(node, GUMBO_TAG_TITLE); });
}

// A title that is a child of <head> stays the first one whatever follows: content is only ever
// appended to head, and head is never moved or removed (unlike body, which a later <frameset>
// can drop, or a table, before which foster parenting inserts later content).
bool parent_is_head(const GumboNode* node) {
  const GumboNode* p = node->parent;
  return p != nullptr && p->type == GUMBO_NODE_ELEMENT && p->v.element.tag == GUMBO_TAG_HEAD &&
         p->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

// The input up to and including the '>' of the first "</title" followed by a tag-ending byte, or
// "" when there is none. Parsing this prefix builds the same tree up to that point.
std::string_view prefix_through_title_end(std::string_view html, std::size_t from) {
  for (std::size_t i = html.find("</", from); i != std::string_view::npos;
       i = html.find("</", i + 2)) {
    if (i + 8 > html.size() || !ascii::iequals(html.substr(i + 2, 5), "title")) continue;
    const char next = html[i + 7];
    if (!ascii::is_ascii_ws(next) && next != '/' && next != '>') continue;
    const std::size_t close = html.find('>', i + 7);
    if (close == std::string_view::npos) return {};
    return html.substr(0, close + 1);
  }
  return {};
}

}  // namespace

// Declared in gumbo_arena.hpp: extract_page uses it too.
std::string detail::title_text(const GumboNode* title) {
  std::string out;
  bool pending_space = false;
  const GumboVector& children = title->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type != GUMBO_NODE_TEXT && child->type != GUMBO_NODE_WHITESPACE &&
        child->type != GUMBO_NODE_CDATA) {
      continue;
    }
    for (const char* p = child->v.text.text; *p != '\0'; ++p) {
      if (ascii::is_ascii_ws(*p)) {
        pending_space = !out.empty();
      } else {
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out.push_back(*p);
      }
    }
  }
  if (!is_valid_utf8(out)) out = sanitize_utf8(out);
  return out;
}

std::string_view title_settling_prefix(std::string_view html, std::size_t after) noexcept {
  return prefix_through_title_end(html, after);
}

std::optional<std::string> title_if_settled(std::string_view utf8_prefix) {
  Arena arena;
  const GumboOutput* output = parse(utf8_prefix, arena);
  const GumboNode* title = find_title(output->document);
  if (title != nullptr && parent_is_head(title) &&
      (title->parse_flags & GUMBO_INSERTION_IMPLICIT_END_TAG) == 0) {
    return detail::title_text(title);
  }
  return std::nullopt;
}

std::optional<std::string> extract_title_full(std::string_view utf8_html) {
  Arena arena;
  const GumboOutput* output = parse(utf8_html, arena);
  const GumboNode* title = find_title(output->document);
  if (title == nullptr) return std::nullopt;
  return detail::title_text(title);
}

std::optional<std::string> extract_title(std::string_view utf8_html) {
  // Fast path: the title usually ends early in the page, and parsing is the crawl's CPU bound.
  std::size_t after = 0;
  for (int attempt = 0; attempt < kPrefixAttempts; ++attempt) {
    const std::string_view prefix = title_settling_prefix(utf8_html, after);
    if (prefix.empty() || prefix.size() >= utf8_html.size()) break;
    if (auto title = title_if_settled(prefix)) return title;
    after = prefix.size();
  }
  return extract_title_full(utf8_html);
}

}  // namespace acrawl::crawler
