#pragma once
// Turning a finished transfer into the page's record: error word, HTML detection, charset
// decoding and document.title. Pure and thread-safe: runs on whatever thread parses.

#include <string>
#include <string_view>

#include "crawler/charset.hpp"
#include "crawler/fetch.hpp"
#include "crawler/record.hpp"

namespace acrawl::crawler {

// True when the Content-Type names HTML (text/html, application/xhtml+xml), or is absent and
// the body starts like markup.
bool is_html(std::string_view content_type, std::string_view body) noexcept;

// The record of url from its transfer's result. Never throws but bad_alloc.
PageRecord build_record(std::string url, FetchResult result);

// build_record's parts: every field but the title (taken from result, body left in place), and
// whether the body is HTML worth parsing. Never throw but bad_alloc.
PageRecord record_without_title(std::string url, FetchResult& result);
bool has_html_body(const PageRecord& rec, const FetchResult& result) noexcept;

// Sets rec.title, rec.encoding and rec.encoding_source from an HTML body (rec.content_type must
// be set): document.title from the smallest prefix that settles it, or from a full parse.
// Never throws but bad_alloc.
void fill_title(PageRecord& rec, std::string_view body);
// The same with the body's encoding already sniffed (sniffing an undeclared page validates all
// of it as UTF-8: not twice). Never throws but bad_alloc.
void fill_title(PageRecord& rec, std::string_view body, const Sniffed& sniffed);

// Titles are cut to this many characters (code points), on a character boundary.
inline constexpr std::size_t kMaxTitleChars = 1024;
// Cuts rec.title to kMaxTitleChars. Never throws.
void limit_title(PageRecord& rec) noexcept;

// The record of an input that was never fetched (invalid URL, unsupported scheme, ...).
PageRecord error_record(std::string url, std::string_view error_word);

}  // namespace acrawl::crawler
