#pragma once
// Text sitemaps (sitemaps.org "Text file"): one URL a line, read as the bytes arrive.

#include <cstddef>
#include <string_view>

#include "crawler/sitemap/loc_text.hpp"
#include "crawler/sitemap/sitemap.hpp"

namespace acrawl::crawler::sitemap_detail {

// Adds every line that is an http:// or https:// URL (trimmed, any scheme case) to out.pages;
// other lines (comments, blank lines, HTML, binary junk) are skipped. A line ends at LF, CR or
// CRLF. Memory stays bounded whatever the line lengths.
class TextReader {
 public:
  // Adds to `out`, which must outlive the reader. Never throws.
  TextReader(Sitemap& out, std::size_t max_urls) noexcept : out_(out), max_urls_(max_urls) {}

  // The next bytes of the file. Returns false once max_urls is exceeded: no more are wanted.
  // Throws only std::bad_alloc.
  bool write(std::string_view data);
  // The file ended (not cut by a size limit): its last line counts even without a line break.
  // Throws only std::bad_alloc.
  void finish();

 private:
  bool end_line();

  Sitemap& out_;
  std::size_t max_urls_;
  LocText line_;
  bool stopped_ = false;
};

}  // namespace acrawl::crawler::sitemap_detail
