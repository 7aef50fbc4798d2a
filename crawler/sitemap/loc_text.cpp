#include "crawler/sitemap/loc_text.hpp"

#include <algorithm>

#include "crawler/text/ascii.hpp"

namespace acrawl::crawler::sitemap_detail {
namespace {

bool is_blank(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return ascii::is_ascii_ws(c); });
}

std::string_view trim_end(std::string_view s) noexcept {
  while (!s.empty() && ascii::is_ascii_ws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view accepted_url(std::string_view value) noexcept {
  value = ascii::trim_ascii_ws(value);
  return value.size() > kMaxUrlBytes ? std::string_view{} : value;
}

void LocText::append(std::string_view piece) {
  if (too_long_) return;
  if (only_ws_) {
    too_long_ = !is_blank(piece);
    return;
  }
  while (text_.empty() && !piece.empty() && ascii::is_ascii_ws(piece.front())) {
    piece.remove_prefix(1);
  }
  if (text_.size() + piece.size() <= kMaxUrlBytes) {
    text_ += piece;
    return;
  }
  // Past the limit only trailing whitespace is acceptable; whitespace followed by more text
  // would be inside the URL and make it too long.
  const std::string_view body = trim_end(piece);
  if (text_.size() + body.size() > kMaxUrlBytes) {
    too_long_ = true;
    text_.clear();
    return;
  }
  text_ += body;
  only_ws_ = true;
}

std::string_view LocText::value() const noexcept {
  return too_long_ ? std::string_view{} : accepted_url(text_);
}

void LocText::clear() noexcept {
  text_.clear();
  only_ws_ = false;
  too_long_ = false;
}

}  // namespace acrawl::crawler::sitemap_detail
