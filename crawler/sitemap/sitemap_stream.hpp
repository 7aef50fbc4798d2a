#pragma once
// The decompressed bytes of one sitemap, as they come: counted against max_bytes, sniffed (XML or
// text) from their first bytes, and handed to the matching reader.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crawler/sitemap/sitemap.hpp"
#include "crawler/sitemap/text_reader.hpp"
#include "crawler/sitemap/xml_reader.hpp"

namespace acrawl::crawler::sitemap_detail {

class SitemapStream {
 public:
  // Fills `out`, which must outlive the stream. Never throws.
  SitemapStream(Sitemap& out, const SitemapLimits& limits) noexcept : out_(out), limits_(limits) {}

  // The next bytes, any amount. Returns false once no more are wanted: max_bytes reached (only
  // the bytes up to it are read; too_large), max_urls exceeded or parsing stopped.
  // Throws only std::bad_alloc.
  bool write(std::string_view data);
  // The body ended where it should, not cut short: an unfinished document or last line is
  // judged as such. Does nothing once write() returned false. Throws only std::bad_alloc.
  void finish();

 private:
  bool route(std::string_view data);
  bool start(std::string_view content);

  Sitemap& out_;
  SitemapLimits limits_;
  std::uint64_t size_ = 0;    // bytes accepted so far
  std::size_t bom_seen_ = 0;  // leading bytes that matched a UTF-8 BOM so far
  bool bom_done_ = false;     // the BOM (or its absence) is behind us
  bool stopped_ = false;
  std::optional<XmlReader> xml_;  // neither is set while only a BOM and whitespace came
  std::optional<TextReader> text_;
};

}  // namespace acrawl::crawler::sitemap_detail
