#pragma once
// Internal: what every gumbo parse in the crawler shares — an arena that owns the tree, the parse
// call, an iterative tree walk, and document.title's text (so that html_title and html_links can
// never disagree on it).

#include <gumbo.h>

#include <cstddef>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace acrawl::crawler::detail {

// Owns everything gumbo allocates during one parse. The tree is dropped with the arena instead of
// by gumbo_destroy_output, whose recursive walk overflows the stack on deeply nested pages
// (about 300k levels on an 8 MB stack). Bump allocation is also faster than malloc here.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (void* chunk : chunks_) ::operator delete(chunk);
  }

  void* allocate(std::size_t n) {
    n = (n + kAlign - 1) & ~(kAlign - 1);
    if (n > kChunkSize / 4) return new_chunk(n);  // big blocks get their own chunk
    if (n > left_) {
      next_ = static_cast<char*>(new_chunk(kChunkSize));
      left_ = kChunkSize;
    }
    void* p = next_;
    next_ += n;
    left_ -= n;
    return p;
  }

  // gumbo's callbacks. Throwing std::bad_alloc through gumbo is safe: it holds no resources
  // outside the arena, and libgumbo has unwind tables.
  static void* gumbo_allocate(void* self, std::size_t n) {
    return static_cast<Arena*>(self)->allocate(n);
  }
  static void gumbo_free(void*, void*) {}

 private:
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  static constexpr std::size_t kChunkSize = 64 * 1024;

  void* new_chunk(std::size_t n) {
    chunks_.reserve(chunks_.size() + 1);  // so that push_back cannot throw after the allocation
    void* chunk = ::operator new(n);
    chunks_.push_back(chunk);
    return chunk;
  }

  std::vector<void*> chunks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
};

// Parses html into a tree that lives as long as `arena`; never null. Throws only std::bad_alloc.
inline const GumboOutput* parse(std::string_view html, Arena& arena) {
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &Arena::gumbo_allocate;
  options.deallocator = &Arena::gumbo_free;
  options.userdata = &arena;
  options.max_errors = 0;  // we never read parse errors; recording them costs time
  return gumbo_parse_with_options(&options, html.data(), html.size());
}

// Visits root and its descendants in tree order with an explicit stack (pages nest arbitrarily
// deep) and returns the first node for which visit(node) is true, or nullptr. Template contents
// are not part of the document tree, so they are skipped (the template node itself is visited).
// Throws only std::bad_alloc, or what visit throws.
template <typename Visit>
const GumboNode* find_node(const GumboNode* root, Visit&& visit) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (visit(node)) return node;
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      children = &node->v.element.children;
    }
    if (children == nullptr) continue;
    for (unsigned i = children->length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  }
  return nullptr;
}

// True for an element `tag` in the HTML namespace (not SVG's or MathML's namesake).
inline bool is_html_element(const GumboNode* node, GumboTag tag) noexcept {
  return node->type == GUMBO_NODE_ELEMENT && node->v.element.tag == tag &&
         node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

// document.title's value for its `title` element: the child text content with ASCII whitespace
// stripped and collapsed, as valid UTF-8. Defined in html_title.cpp. Throws only std::bad_alloc.
std::string title_text(const GumboNode* title);

}  // namespace acrawl::crawler::detail
