#include "crawler/sitemap/text_reader.hpp"

#include <algorithm>

#include "crawler/sitemap/entries.hpp"
#include "crawler/text/ascii.hpp"

namespace acrawl::crawler::sitemap_detail {
namespace {

// The first CR or LF; a plain loop beats find_first_of's per-byte set search on the long lines of
// a hostile file.
std::size_t line_end(std::string_view data) noexcept {
  const auto at =
      std::find_if(data.begin(), data.end(), [](char c) { return c == '\n' || c == '\r'; });
  return at == data.end() ? std::string_view::npos : static_cast<std::size_t>(at - data.begin());
}

bool is_http_url(std::string_view line) noexcept {
  constexpr std::string_view kHttp = "http://", kHttps = "https://";
  return ascii::iequals(line.substr(0, kHttp.size()), kHttp) ||
         ascii::iequals(line.substr(0, kHttps.size()), kHttps);
}

}  // namespace

bool TextReader::write(std::string_view data) {
  while (!stopped_ && !data.empty()) {
    const std::size_t eol = line_end(data);
    line_.append(data.substr(0, eol));
    if (eol == std::string_view::npos) break;
    data.remove_prefix(eol + 1);
    if (!end_line()) stopped_ = true;
  }
  return !stopped_;
}

void TextReader::finish() {
  if (!stopped_) end_line();
}

bool TextReader::end_line() {
  const std::string_view url = line_.value();
  const bool more =
      url.empty() || !is_http_url(url) || add_entry(out_, Entry::page, url, max_urls_);
  line_.clear();
  return more;
}

}  // namespace acrawl::crawler::sitemap_detail
