#pragma once
// Streaming gzip decompression: the output goes out in fixed-size chunks as it is produced, so a
// small file that inflates to gigabytes (a gzip bomb) costs only as much as the reader takes.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace acrawl::crawler::sitemap_detail {

// Output is handed over in chunks of at most this many bytes.
inline constexpr std::size_t kGunzipChunk = 64 * 1024;

// Whether `body` starts with the gzip magic bytes. Never throws.
bool is_gzip(std::string_view body) noexcept;

struct GunzipEnd {
  bool stopped = false;  // write() returned false: the rest was not inflated
  std::string error;     // corrupt or truncated data; empty when the whole input inflated
};

// Inflates the gzip data in `gz`, handing each chunk to write() before inflating the next.
// Concatenated members (what `cat a.gz b.gz` makes) inflate one after the other; anything after
// the last member that is not another member is ignored, as gzip(1) does. Throws only
// std::bad_alloc and whatever write() throws.
GunzipEnd gunzip(std::string_view gz, const std::function<bool(std::string_view)>& write);

}  // namespace acrawl::crawler::sitemap_detail
