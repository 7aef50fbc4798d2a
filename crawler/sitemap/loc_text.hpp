#pragma once
// The value of one URL of a sitemap (a <loc>'s text, a feed's link, a text sitemap's line),
// gathered from the pieces a streaming parser hands over, in bounded memory.

#include <cstddef>
#include <string>
#include <string_view>

namespace acrawl::crawler::sitemap_detail {

// sitemaps.org caps a URL at 2048 characters; real files overshoot it a little, hostile ones by
// gigabytes. A longer value is skipped, not cut: a cut URL names another page.
inline constexpr std::size_t kMaxUrlBytes = 8 * 1024;

// `value` without leading and trailing whitespace; empty if that is longer than kMaxUrlBytes.
// Never throws.
std::string_view accepted_url(std::string_view value) noexcept;

// accepted_url() of the concatenation of the pieces appended since the last clear(), holding at
// most kMaxUrlBytes of it, however long the text grows.
class LocText {
 public:
  // Throws only std::bad_alloc.
  void append(std::string_view piece);
  // The trimmed text, empty if there is none or it is longer than kMaxUrlBytes. Never throws.
  std::string_view value() const noexcept;
  // Starts the next value; keeps the buffer's capacity. Never throws.
  void clear() noexcept;

 private:
  std::string text_;  // from the first non-whitespace byte on; never over kMaxUrlBytes
  bool only_ws_ =
      false;  // text_ plus what followed reach the limit: more non-whitespace is too long
  bool too_long_ = false;
};

}  // namespace acrawl::crawler::sitemap_detail
