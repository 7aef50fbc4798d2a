// URL parsing: "input\nbase". An http(s) result is ASCII, and parsing its serialization again
// gives the same serialization. The first byte also picks a query encoding.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crawler/url/url.hpp"

using acrawl::crawler::Encoding;
using acrawl::crawler::Url;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = all.find('\n');
  const std::string_view input = all.substr(0, nl);
  const std::string_view base_text =
      nl == std::string_view::npos ? "http://h/" : all.substr(nl + 1);
  static constexpr Encoding kEncodings[] = {Encoding::utf8,      Encoding::windows_1252,
                                            Encoding::shift_jis, Encoding::iso_2022_jp,
                                            Encoding::gbk,       Encoding::utf16le};
  const Encoding enc = kEncodings[size == 0 ? 0 : data[0] % std::size(kEncodings)];
  std::optional<Url> base = Url::parse(base_text);
  std::optional<Url> url = Url::parse(input, base ? &*base : nullptr, enc);
  if (!url) return 0;
  (void)acrawl::crawler::dedup_key(*url);
  (void)url->origin();
  if (!url->is_http()) return 0;
  for (char c : url->href()) {
    if (static_cast<unsigned char>(c) >= 0x80) std::abort();  // an http(s) URL is ASCII
  }
  std::optional<Url> again = Url::parse(url->href());
  if (!again || again->href() != url->href()) std::abort();  // serialization is stable
  return 0;
}
