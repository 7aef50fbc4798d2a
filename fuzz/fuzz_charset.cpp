// Charsets: sniffing and decoding any bytes under any declared charset give valid UTF-8, and
// encoding that text back for a URL query gives ASCII.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawler/text/charset.hpp"
#include "crawler/text/utf8.hpp"

using namespace acrawl::crawler;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr const char* kTypes[] = {"text/html",
                                           "text/html; charset=utf-8",
                                           "text/html; charset=shift_jis",
                                           "text/html; charset=gbk",
                                           "text/html; charset=big5",
                                           "text/html; charset=euc-kr",
                                           "text/html; charset=iso-2022-jp",
                                           "text/html; charset=windows-1251",
                                           "text/html; charset=utf-16le",
                                           "text/html; charset=x-user-defined",
                                           "text/html; charset=euc-jp",
                                           "text/html; charset=gb18030"};
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Sniffed sniffed = sniff_encoding(body, kTypes[data[0] % std::size(kTypes)]);
  const std::string text = decode_to_utf8(body.substr(sniffed.bom_length), sniffed.encoding);
  if (!is_valid_utf8(text)) std::abort();
  const std::string query = percent_encode_after_encoding(
      text.substr(0, 256), sniffed.encoding, [](unsigned char b) { return b < 0x21 || b > 0x7E; });
  for (char c : query) {
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x21) std::abort();
  }
  return 0;
}
