// Decoding any WHATWG encoding to UTF-8: UTF-8 and UTF-16 natively, single-byte encodings by
// tables, the CJK encodings through glibc iconv.
#include "crawler/text/charset.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <utility>

#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {
namespace {

// ---------------------------------------------------------------------------------------------
// Decoders.

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// Upper halves (bytes 0x80-0xFF) of single-byte encodings as code points; errors are U+FFFD.
using HighHalf = std::array<char16_t, 128>;

// The same, pre-encoded as UTF-8 so decoding is a lookup and a copy.
struct Utf8Unit {
  std::uint8_t size;
  std::array<char, 3> bytes;
};
using ByteTable = std::array<Utf8Unit, 128>;

constexpr ByteTable to_utf8_table(const HighHalf& cps) {
  ByteTable t{};
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char16_t cp = cps[i];  // never a surrogate: no single-byte index maps to one
    if (cp < 0x80) {
      t[i] = {1, {static_cast<char>(cp), 0, 0}};
    } else if (cp < 0x800) {
      t[i] = {2, {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F)), 0}};
    } else {
      t[i] = {3,
              {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
               static_cast<char>(0x80 | (cp & 0x3F))}};
    }
  }
  return t;
}

constexpr ByteTable kWindows1252 = [] {
  constexpr char16_t c1[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                               0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                               0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                               0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  HighHalf t{};
  for (std::size_t i = 0; i < 32; ++i) t[i] = c1[i];
  for (std::size_t i = 32; i < 128; ++i) t[i] = static_cast<char16_t>(0x80 + i);
  return to_utf8_table(t);
}();

constexpr ByteTable kXUserDefined = [] {
  HighHalf t{};
  for (std::size_t i = 0; i < 128; ++i) t[i] = static_cast<char16_t>(0xF780 + i);
  return to_utf8_table(t);
}();

bool is_windows_family(Encoding e) {
  return e == Encoding::windows_874 || (e >= Encoding::windows_1250 && e <= Encoding::windows_1258);
}

// glibc converters with the closest match to each WHATWG index. GBK decodes with the gb18030
// decoder; EUC-JP-MS has the Microsoft row-1 mappings the WHATWG jis0208 index uses; Shift_JIS and
// EUC-KR are Microsoft's CP932 and UHC; ISO-8859-8-I differs from ISO-8859-8 only in bidi.
constexpr std::pair<Encoding, const char*> kIconvNames[] = {
    {Encoding::ibm866, "IBM866"},
    {Encoding::iso_8859_2, "ISO-8859-2"},
    {Encoding::iso_8859_3, "ISO-8859-3"},
    {Encoding::iso_8859_4, "ISO-8859-4"},
    {Encoding::iso_8859_5, "ISO-8859-5"},
    {Encoding::iso_8859_6, "ISO-8859-6"},
    {Encoding::iso_8859_7, "ISO-8859-7"},
    {Encoding::iso_8859_8, "ISO-8859-8"},
    {Encoding::iso_8859_8_i, "ISO-8859-8"},
    {Encoding::iso_8859_10, "ISO-8859-10"},
    {Encoding::iso_8859_13, "ISO-8859-13"},
    {Encoding::iso_8859_14, "ISO-8859-14"},
    {Encoding::iso_8859_15, "ISO-8859-15"},
    {Encoding::iso_8859_16, "ISO-8859-16"},
    {Encoding::koi8_r, "KOI8-R"},
    {Encoding::koi8_u, "KOI8-U"},
    {Encoding::macintosh, "MACINTOSH"},
    {Encoding::windows_874, "CP874"},
    {Encoding::windows_1250, "CP1250"},
    {Encoding::windows_1251, "CP1251"},
    {Encoding::windows_1253, "CP1253"},
    {Encoding::windows_1254, "CP1254"},
    {Encoding::windows_1255, "CP1255"},
    {Encoding::windows_1256, "CP1256"},
    {Encoding::windows_1257, "CP1257"},
    {Encoding::windows_1258, "CP1258"},
    {Encoding::x_mac_cyrillic, "MAC-CYRILLIC"},
    {Encoding::gbk, "GB18030"},
    {Encoding::gb18030, "GB18030"},
    {Encoding::big5, "BIG5-HKSCS"},
    {Encoding::euc_jp, "EUC-JP-MS"},
    {Encoding::iso_2022_jp, "ISO-2022-JP"},
    {Encoding::shift_jis, "CP932"},
    {Encoding::euc_kr, "CP949"}};

// The glibc name for e, or "" for the encodings decoded natively.
const char* iconv_name(Encoding e) {
  for (const auto& [encoding, name] : kIconvNames) {
    if (encoding == e) return name;
  }
  return "";
}

bool is_single_byte(Encoding e) {
  return (e >= Encoding::ibm866 && e <= Encoding::x_mac_cyrillic) || e == Encoding::x_user_defined;
}

// Builds a single-byte table by asking glibc about each byte on its own (so CP1255/CP1258 never
// compose), then patches the places where glibc's table differs from the WHATWG index.
HighHalf build_high_half(Encoding e) {
  HighHalf t;
  t.fill(0xFFFD);
  iconv_t cd = iconv_open("UTF-32LE", iconv_name(e));
  if (cd != reinterpret_cast<iconv_t>(-1)) {
    for (unsigned b = 0x80; b <= 0xFF; ++b) {
      char in = static_cast<char>(b);
      std::array<unsigned char, 16> outbuf{};
      char* inp = &in;
      std::size_t inleft = 1;
      char* outp = reinterpret_cast<char*>(outbuf.data());
      std::size_t outleft = outbuf.size();
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
      const bool ok = iconv(cd, &inp, &inleft, &outp, &outleft) != static_cast<std::size_t>(-1) &&
                      iconv(cd, nullptr, nullptr, &outp, &outleft) != static_cast<std::size_t>(-1);
      if (ok && outbuf.size() - outleft == 4) {
        const char32_t cp = outbuf[0] | (outbuf[1] << 8) | (outbuf[2] << 16) |
                            (static_cast<char32_t>(outbuf[3]) << 24);
        if (cp < 0x10000) t[b - 0x80] = static_cast<char16_t>(cp);
      }
    }
    iconv_close(cd);
  }
  // Windows code pages: bytes Microsoft leaves undefined in 0x80-0x9F decode to C1 controls.
  if (is_windows_family(e)) {
    for (unsigned b = 0x80; b <= 0x9F; ++b) {
      if (t[b - 0x80] == 0xFFFD) t[b - 0x80] = static_cast<char16_t>(b);
    }
  }
  if (e == Encoding::koi8_u) {  // WHATWG's KOI8-U is KOI8-RU here
    t[0xAE - 0x80] = 0x045E;
    t[0xBE - 0x80] = 0x040E;
  }
  if (e == Encoding::macintosh) t[0xF0 - 0x80] = 0xF8FF;       // glibc: U+E01E
  if (e == Encoding::x_mac_cyrillic) t[0xFF - 0x80] = 0x20AC;  // glibc: U+00A4
  return t;
}

const ByteTable& byte_table(Encoding e) {
  if (e == Encoding::windows_1252) return kWindows1252;
  if (e == Encoding::x_user_defined) return kXUserDefined;
  static std::array<std::once_flag, kEncodingCount> once;
  static std::array<ByteTable, kEncodingCount> tables;
  const auto i = static_cast<std::size_t>(e);
  std::call_once(once[i], [&] { tables[i] = to_utf8_table(build_high_half(e)); });
  return tables[i];
}

void decode_single_byte(std::string& out, std::string_view in, const ByteTable& t) {
  // Two passes: size exactly, then copy ASCII runs in bulk and look up the rest.
  std::size_t extra = 0;
  for (std::size_t i = ascii_prefix_length(in); i < in.size(); ++i) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b >= 0x80) extra += t[b - 0x80].size - 1u;
  }
  const std::size_t start = out.size();
  out.resize(start + in.size() + extra);
  char* o = out.data() + start;
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t run = ascii_prefix_length(in.substr(i));
    std::memcpy(o, in.data() + i, run);
    o += run;
    i += run;
    for (; i < in.size() && static_cast<unsigned char>(in[i]) >= 0x80; ++i) {
      const Utf8Unit& u = t[static_cast<unsigned char>(in[i]) - 0x80];
      std::memcpy(o, u.bytes.data(), u.size);
      o += u.size;
    }
  }
}

void decode_utf16(std::string& out, std::string_view in, bool big_endian) {
  out.reserve(out.size() + in.size());
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  char16_t lead = 0;  // pending lead surrogate
  std::size_t i = 0;
  for (; i + 1 < in.size(); i += 2) {
    const char16_t unit = big_endian ? static_cast<char16_t>((p[i] << 8) | p[i + 1])
                                     : static_cast<char16_t>((p[i + 1] << 8) | p[i]);
    if (lead != 0) {
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((lead - 0xD800) << 10) + (unit - 0xDC00));
        lead = 0;
        continue;
      }
      out.append(kReplacementChar);
      lead = 0;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      lead = unit;
    } else {
      append_utf8(out, unit);  // a lone trail surrogate comes out as U+FFFD
    }
  }
  if (lead != 0 || i < in.size()) out.append(kReplacementChar);
}

// One converter per encoding per thread: iconv_open is slow and iconv_t is not thread-safe.
// Decoders convert to UTF-8, encoders (URL queries) from it.
class IconvCache {
 public:
  explicit IconvCache(bool to_utf8) : to_utf8_(to_utf8) { cds_.fill(invalid()); }
  IconvCache(const IconvCache&) = delete;
  IconvCache& operator=(const IconvCache&) = delete;
  ~IconvCache() {
    for (iconv_t cd : cds_) {
      if (cd != invalid()) iconv_close(cd);
    }
  }

  // The reset converter for e, or invalid() when glibc cannot provide one.
  iconv_t get(Encoding e) {
    const auto i = static_cast<std::size_t>(e);
    if (!tried_[i]) {
      tried_[i] = true;
      cds_[i] = to_utf8_ ? iconv_open("UTF-8", iconv_name(e)) : iconv_open(iconv_name(e), "UTF-8");
    }
    if (cds_[i] != invalid()) iconv(cds_[i], nullptr, nullptr, nullptr, nullptr);
    return cds_[i];
  }

  static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

 private:
  bool to_utf8_;
  std::array<iconv_t, kEncodingCount> cds_{};
  std::array<bool, kEncodingCount> tried_{};
};

// What the WHATWG decoder yields for a lone byte that glibc rejects at the start of a sequence.
std::string_view replacement_for_error_byte(Encoding e, unsigned char b) {
  if (b == 0x80 && (e == Encoding::gbk || e == Encoding::gb18030)) return "\xE2\x82\xAC";
  if (b == 0x80 && e == Encoding::shift_jis) return "\xC2\x80";
  return kReplacementChar;
}

void decode_with_iconv(std::string& out, std::string_view in, Encoding e) {
  thread_local IconvCache cache(true);
  iconv_t cd = cache.get(e);
  if (cd == IconvCache::invalid()) {  // no converter: keep ASCII, replace the rest
    for (char c : in) {
      if (static_cast<unsigned char>(c) < 0x80) {
        out.push_back(c);
      } else {
        out.append(kReplacementChar);
      }
    }
    return;
  }
  char* inp = const_cast<char*>(in.data());  // iconv's signature; it does not write input
  std::size_t inleft = in.size();
  std::size_t used = out.size();
  auto ensure = [&](std::size_t extra) {
    if (out.size() - used < extra) out.resize(used + extra + inleft * 3 + 16);
  };
  auto emit = [&](std::string_view s) {
    ensure(s.size());
    std::memcpy(out.data() + used, s.data(), s.size());
    used += s.size();
  };
  ensure(inleft * 2 + 16);  // CJK text grows by half in UTF-8; E2BIG handles the rest
  while (inleft > 0) {
    char* outp = out.data() + used;
    std::size_t outleft = out.size() - used;
    const std::size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
    used = static_cast<std::size_t>(outp - out.data());
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      ensure(out.size() - used + 64);
    } else if (errno == EILSEQ) {
      emit(replacement_for_error_byte(e, static_cast<unsigned char>(*inp)));
      ++inp;
      --inleft;
    } else {  // EINVAL: the input ends inside a sequence, which is one error
      emit(kReplacementChar);
      inleft = 0;
    }
  }
  // Let a stateful converter emit anything it still holds back.
  ensure(64);
  char* outp = out.data() + used;
  std::size_t outleft = out.size() - used;
  iconv(cd, nullptr, nullptr, &outp, &outleft);
  used = static_cast<std::size_t>(outp - out.data());
  out.resize(used);
}

// The next code point of valid UTF-8 at s[i], advancing i.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

// Encodes one code point (as its UTF-8 bytes) into enc; false when enc cannot represent it.
// Stateful encodings (ISO-2022-JP) are encoded one character at a time, each ending in ASCII
// state, which is what a conforming encoder yields between characters anyway.
bool encode_code_point(std::string& out, std::string_view utf8_char, char32_t cp, Encoding e) {
  if (is_single_byte(e)) {
    const ByteTable& t = byte_table(e);
    for (std::size_t b = 0; b < t.size(); ++b) {
      const Utf8Unit& u = t[b];
      if (std::string_view(u.bytes.data(), u.size) == utf8_char && !(cp == 0xFFFD)) {
        out.push_back(static_cast<char>(0x80 + b));
        return true;
      }
    }
    return false;
  }
  if (e == Encoding::gbk && cp == 0x20AC) {
    out.push_back('\x80');
    return true;
  }
  thread_local IconvCache encoders(false);
  iconv_t cd = encoders.get(e);  // reset
  if (cd == IconvCache::invalid()) return false;
  std::array<char, 32> buf{};
  char* inp = const_cast<char*>(utf8_char.data());  // iconv's signature; it does not write input
  std::size_t inleft = utf8_char.size();
  char* outp = buf.data();
  std::size_t outleft = buf.size();
  if (iconv(cd, &inp, &inleft, &outp, &outleft) == static_cast<std::size_t>(-1) ||
      iconv(cd, nullptr, nullptr, &outp, &outleft) == static_cast<std::size_t>(-1)) {
    return false;
  }
  const auto size = static_cast<std::size_t>(outp - buf.data());
  if (e == Encoding::gbk && size == 4) return false;  // GBK has no four-byte sequences
  out.append(buf.data(), size);
  return true;
}

}  // namespace

std::string decode_to_utf8(std::string_view bytes, Encoding enc) {
  std::string out;
  switch (enc) {
    case Encoding::utf8:
      out.reserve(bytes.size());
      append_sanitized_utf8(out, bytes);
      return out;
    case Encoding::utf16be:
    case Encoding::utf16le:
      decode_utf16(out, bytes, enc == Encoding::utf16be);
      return out;
    case Encoding::replacement:
      if (!bytes.empty()) out = kReplacementChar;
      return out;
    default:
      break;
  }
  if (is_single_byte(enc)) {
    decode_single_byte(out, bytes, byte_table(enc));
    return out;
  }
  decode_with_iconv(out, bytes, enc);
  if (!is_valid_utf8(out)) out = sanitize_utf8(out);  // never trust a converter blindly
  return out;
}

}  // namespace acrawl::crawler

namespace acrawl::crawler {

std::string percent_encode_after_encoding(std::string_view utf8, Encoding enc,
                                          bool (*in_set)(unsigned char)) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(utf8.size() * 3);
  auto percent = [&](unsigned char b) {
    if (in_set(b)) {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(static_cast<char>(b));
    }
  };
  const bool as_utf8 = enc == Encoding::utf8 || enc == Encoding::utf16be ||
                       enc == Encoding::utf16le || enc == Encoding::replacement;
  std::string bytes;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(utf8, i);
    const std::string_view ch = utf8.substr(start, i - start);
    bytes.clear();
    if (cp < 0x80 || as_utf8) {
      bytes = ch;
    } else if (!encode_code_point(bytes, ch, cp, enc)) {
      out += "%26%23" + std::to_string(static_cast<std::uint32_t>(cp)) + "%3B";
      continue;
    }
    for (char b : bytes) percent(static_cast<unsigned char>(b));
  }
  return out;
}

}  // namespace acrawl::crawler
