#include "crawler/html/links.hpp"

#include <gumbo.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "crawler/html/gumbo_arena.hpp"
#include "crawler/text/ascii.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {
namespace {

// The value of attribute `name` on an element, or nullptr. gumbo keeps the first of duplicated
// attributes, as the spec does.
const char* attribute(const GumboNode* element, const char* name) {
  const GumboAttribute* attr = gumbo_get_attribute(&element->v.element.attributes, name);
  return attr == nullptr ? nullptr : attr->value;
}

// gumbo builds attribute values from decoded code points, so they should be valid already; this
// is the cheap guarantee that nothing invalid reaches the URL parser.
std::string utf8_value(const char* value) {
  const std::string_view v(value, std::strlen(value));
  return is_valid_utf8(v) ? std::string(v) : sanitize_utf8(v);
}

// Calls f(token) for each piece of s between separators, as a string_view.
template <typename IsSeparator, typename F>
void for_each_token(std::string_view s, IsSeparator is_separator, F f) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_separator(s[i])) ++i;
    std::size_t end = i;
    while (end < s.size() && !is_separator(s[end])) ++end;
    if (end > i) f(s.substr(i, end - i));
    i = end;
  }
}

// <meta name="robots" content="noindex, nofollow">: comma-separated directives.
void read_robots_meta(const GumboNode* meta, PageContent& page) {
  const char* name = attribute(meta, "name");
  const char* content = attribute(meta, "content");
  if (name != nullptr && content != nullptr) detail::apply_robots_meta(name, content, page);
}

void visit(const GumboNode* node, PageContent& page, const GumboNode*& title) {
  if (node->type != GUMBO_NODE_ELEMENT || node->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) {
    return;
  }
  switch (node->v.element.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
      if (const char* href = attribute(node, "href")) {
        const char* rel = attribute(node, "rel");
        page.links.push_back({utf8_value(href), rel != nullptr && detail::rel_has_nofollow(rel)});
      }
      break;
    case GUMBO_TAG_BASE:
      if (!page.base_href) {
        if (const char* href = attribute(node, "href")) page.base_href = utf8_value(href);
      }
      break;
    case GUMBO_TAG_META:
      read_robots_meta(node, page);
      break;
    case GUMBO_TAG_TITLE:
      if (title == nullptr) title = node;
      break;
    default:
      break;
  }
}

std::string_view trim_ascii_ws(std::string_view s) {
  while (!s.empty() && ascii::is_ascii_ws(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && ascii::is_ascii_ws(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

namespace detail {

bool rel_has_nofollow(std::string_view rel) noexcept {
  bool found = false;
  for_each_token(
      rel, [](char c) { return ascii::is_ascii_ws(static_cast<unsigned char>(c)); },
      [&](std::string_view token) { found = found || ascii::iequals(token, "nofollow"); });
  return found;
}

void apply_robots_meta(std::string_view name, std::string_view content,
                       PageContent& page) noexcept {
  if (!ascii::iequals(name, "robots")) return;
  for_each_token(
      content, [](char c) { return c == ','; },
      [&](std::string_view raw) {
        const std::string_view token = trim_ascii_ws(raw);
        const bool none = ascii::iequals(token, "none");
        if (none || ascii::iequals(token, "nofollow")) page.meta_nofollow = true;
        if (none || ascii::iequals(token, "noindex")) page.meta_noindex = true;
      });
}

}  // namespace detail

PageContent extract_page(std::string_view utf8_html) {
  detail::Arena arena;
  const GumboOutput* output = detail::parse(utf8_html, arena);
  PageContent page;
  const GumboNode* title = nullptr;
  detail::find_node(output->document, [&](const GumboNode* node) {
    visit(node, page, title);
    return false;  // every node
  });
  if (title != nullptr) page.title = detail::title_text(title);
  return page;
}

}  // namespace acrawl::crawler
