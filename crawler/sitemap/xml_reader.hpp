#pragma once
// XML sitemaps with expat, fed as the bytes arrive: a urlset, a sitemap index, an RSS 2.0 or an
// Atom feed. Hardened for hostile input: any DTD entity declaration is refused outright (billion
// laughs, XXE), nothing external is ever loaded, and nesting depth and token size are capped so
// that memory and time stay proportional to max_bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "crawler/sitemap/loc_text.hpp"
#include "crawler/sitemap/sitemap.hpp"

struct XML_ParserStruct;

namespace acrawl::crawler::sitemap_detail {

class XmlReader {
 public:
  // Elements nested deeper stop the parse: sitemaps need 4 levels, and expat keeps every open
  // element, so depth is memory.
  static constexpr std::size_t kMaxDepth = 256;
  // A single token (a tag with its attributes, a comment, a declaration) larger than this stops
  // the parse: expat 2.5 rescans an unfinished token each time more input comes, so a huge one
  // fed in chunks costs quadratic time. Text is not a token here: it arrives in pieces.
  static constexpr std::size_t kMaxTokenBytes = 1024 * 1024;

  // Sets out.kind when it sees the root element. Throws only std::bad_alloc.
  XmlReader(Sitemap& out, std::size_t max_urls);
  ~XmlReader();
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // The next bytes of the document. Returns false once parsing stopped (malformed XML, a refused
  // construct, max_urls exceeded; out.error says which but the last). Throws only std::bad_alloc.
  bool write(std::string_view data);
  // The document ended (not cut by a size limit): an unfinished one is an error. Throws only
  // std::bad_alloc.
  void finish();

 private:
  friend struct XmlCallbacks;
  enum class Format : std::uint8_t { none, urlset, index, rss, atom };
  // What an open element is to the sitemap; everything off the url/loc paths is `other`.
  enum class Role : std::uint8_t { other, root, channel, entry, loc };
  // rss > channel > item > link is the deepest path that matters.
  static constexpr std::size_t kRoleDepth = 5;

  struct ParserFree {
    void operator()(XML_ParserStruct* parser) const noexcept;
  };

  bool parse(std::string_view data, bool final);
  void start(const char* name, const char** attributes);
  void end();
  void text(std::string_view piece);
  void atom_link(const char** attributes);
  void add(std::string_view url);
  void stop(std::string error);

  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  Sitemap& out_;
  std::size_t max_urls_;
  Format format_ = Format::none;
  std::string root_ns_;  // the namespace urlset/url/loc and the rest must share, or have none
  std::size_t depth_ = 0;
  std::array<Role, kRoleDepth> roles_{};  // roles_[d]: the open element at depth d
  LocText loc_;
  std::uint64_t fed_ = 0;  // bytes handed to expat so far
  bool stopped_ = false;
  std::exception_ptr failure_;  // thrown inside a callback; rethrown once expat has returned
};

}  // namespace acrawl::crawler::sitemap_detail
