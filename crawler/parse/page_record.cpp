#include "crawler/parse/page_record.hpp"

#include "crawler/fetch/errors.hpp"
#include "crawler/parse/page_title.hpp"
#include "crawler/text/charset.hpp"
#include "crawler/text/mime.hpp"

namespace acrawl::crawler {

PageRecord record_without_title(std::string url, FetchResult& result) {
  PageRecord rec;
  rec.url = std::move(url);
  rec.final_url = std::move(result.final_url);
  rec.status = result.status;
  rec.error = std::string(error_word(result.code, result.too_large));
  rec.content_type = std::move(result.content_type);
  rec.bytes = result.bytes;
  rec.elapsed_ms = result.elapsed_ms;
  rec.redirects = result.redirects;
  if (rec.status >= 300 && rec.status < 400) rec.location = std::move(result.redirect_url);
  return rec;
}

bool has_html_body(const PageRecord& rec, const FetchResult& result) noexcept {
  return rec.error.empty() && !result.non_html && is_html(rec.content_type, result.body);
}

PageRecord build_record(std::string url, FetchResult result) {
  PageRecord rec = record_without_title(std::move(url), result);
  if (has_html_body(rec, result)) {
    if (result.body_cut) {
      fill_title(rec, result.body, sniff_encoding(result.body, rec.content_type, result.utf8));
    } else {
      fill_title(rec, result.body);
    }
  }
  limit_title(rec);
  return rec;
}

}  // namespace acrawl::crawler
