#pragma once
// PageRecord: the one output record every input URL gets, whatever happened to it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acrawl::crawler {

struct PageRecord {
  std::string url;        // as given in the input
  std::string final_url;  // after redirects; empty when nothing was fetched
  long status = 0;        // last HTTP status, 0 when there was no response
  std::string error;      // error word (see errors.hpp); empty when the transfer completed
  std::optional<std::string> title;  // document.title; nullopt: not HTML or not fetched
  std::string content_type;
  std::uint64_t bytes = 0;
  double elapsed_ms = 0;
  long redirects = 0;
  std::string encoding;         // WHATWG name of the charset the page was decoded with
  std::string encoding_source;  // bom, header, meta, detected, default
  std::string location;         // a redirect not followed (recursive crawls): its target
  int depth = 0;                // hops from an input URL
  int attempts = 1;             // transfers made for this page (retries included)
  // With --links: the page's links, resolved, one per URL (empty for a page that is not HTML).
  std::optional<std::vector<std::string>> links;

  // A page succeeded when the transfer completed with a 2xx status, or (recursive crawls) with
  // a redirect recorded with its target (the crawl follows it itself, scope permitting).
  bool ok() const noexcept {
    return error.empty() && ((status >= 200 && status < 300) || !location.empty());
  }
  // The status column: the HTTP code, or the error word.
  std::string status_text() const { return error.empty() ? std::to_string(status) : error; }
};

// The record of a URL that was never fetched (invalid URL, unsupported scheme, cancelled, ...).
inline PageRecord error_record(std::string url, std::string_view error_word) {
  PageRecord rec;
  rec.url = std::move(url);
  rec.error = std::string(error_word);
  return rec;
}

}  // namespace acrawl::crawler
