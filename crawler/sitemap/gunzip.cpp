#include "crawler/sitemap/gunzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <new>

namespace acrawl::crawler::sitemap_detail {
namespace {

// Owns an inflate stream that reads gzip headers and trailers.
class Inflater {
 public:
  Inflater() {
    // 16 + MAX_WBITS: gzip wrapper only, the largest window.
    const int rc = inflateInit2(&zs_, 16 + MAX_WBITS);
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    ok_ = rc == Z_OK;
  }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const noexcept { return ok_; }
  z_stream& stream() noexcept { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

}  // namespace

bool is_gzip(std::string_view body) noexcept {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1F &&
         static_cast<unsigned char>(body[1]) == 0x8B;
}

GunzipEnd gunzip(std::string_view gz, const std::function<bool(std::string_view)>& write) {
  Inflater inflater;
  if (!inflater.ok()) return {false, "gzip: cannot start inflating"};
  z_stream& zs = inflater.stream();
  const auto out = std::make_unique_for_overwrite<unsigned char[]>(kGunzipChunk);
  // zlib counts input in uInt; larger bodies go in in slices.
  constexpr std::size_t kMaxIn = UINT_MAX;
  for (;;) {
    if (zs.avail_in == 0 && !gz.empty()) {
      const std::size_t n = std::min(gz.size(), kMaxIn);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
      zs.avail_in = static_cast<uInt>(n);
      gz.remove_prefix(n);
    }
    zs.next_out = out.get();
    zs.avail_out = static_cast<uInt>(kGunzipChunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = kGunzipChunk - zs.avail_out;
    if (produced > 0 && !write({reinterpret_cast<const char*>(out.get()), produced})) {
      return {true, {}};
    }
    switch (rc) {
      case Z_OK:
        break;
      case Z_STREAM_END: {
        // Another member may follow; anything else after the trailer is ignored.
        const std::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
        if (!is_gzip(rest) && !(rest.empty() && is_gzip(gz))) return {};
        if (inflateReset(&zs) != Z_OK) return {false, "gzip: cannot restart inflating"};
        break;
      }
      case Z_BUF_ERROR:  // no progress possible: the input ran out before the end
        if (zs.avail_in == 0 && !gz.empty()) break;  // the next slice
        return {false, "gzip: truncated"};
      case Z_MEM_ERROR:
        throw std::bad_alloc();
      default:  // Z_DATA_ERROR (a bad header, block or checksum), Z_NEED_DICT
        return {false, std::string("gzip: ") + (zs.msg != nullptr ? zs.msg : "corrupt data")};
    }
    if (rc == Z_OK && produced < kGunzipChunk && zs.avail_in == 0 && gz.empty()) {
      return {false, "gzip: truncated"};
    }
  }
}

}  // namespace acrawl::crawler::sitemap_detail
