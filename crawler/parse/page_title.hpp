#pragma once
// A page's document.title, from the smallest prefix of the body that settles it when there is
// one (most pages), from a full parse otherwise. Pure and thread-safe.

#include <cstddef>
#include <string_view>

#include "crawler/output/record.hpp"
#include "crawler/text/charset.hpp"

namespace acrawl::crawler {

// Sets rec.title, rec.encoding and rec.encoding_source from an HTML body (rec.content_type must
// be set). Never throws but bad_alloc.
void fill_title(PageRecord& rec, std::string_view body);
// The same with the body's encoding already sniffed (sniffing an undeclared page validates all
// of it as UTF-8: not twice). Never throws but bad_alloc.
void fill_title(PageRecord& rec, std::string_view body, const Sniffed& sniffed);

// Titles are cut to this many characters (code points), on a character boundary.
inline constexpr std::size_t kMaxTitleChars = 1024;
// Cuts rec.title to kMaxTitleChars. Never throws.
void limit_title(PageRecord& rec) noexcept;

}  // namespace acrawl::crawler
