#include "crawler/text/encoding_labels.hpp"

#include "crawler/text/ascii.hpp"

#include <algorithm>
#include <array>

namespace acrawl::crawler {
namespace {

struct Label {
  std::string_view label;
  Encoding encoding;
};

using E = Encoding;

// Transcribed from the standard's encodings.json, in its order.
constexpr Label kLabels[] = {
    {"unicode-1-1-utf-8", E::utf8},
    {"unicode11utf8", E::utf8},
    {"unicode20utf8", E::utf8},
    {"utf-8", E::utf8},
    {"utf8", E::utf8},
    {"x-unicode20utf8", E::utf8},

    {"866", E::ibm866},
    {"cp866", E::ibm866},
    {"csibm866", E::ibm866},
    {"ibm866", E::ibm866},

    {"csisolatin2", E::iso_8859_2},
    {"iso-8859-2", E::iso_8859_2},
    {"iso-ir-101", E::iso_8859_2},
    {"iso8859-2", E::iso_8859_2},
    {"iso88592", E::iso_8859_2},
    {"iso_8859-2", E::iso_8859_2},
    {"iso_8859-2:1987", E::iso_8859_2},
    {"l2", E::iso_8859_2},
    {"latin2", E::iso_8859_2},

    {"csisolatin3", E::iso_8859_3},
    {"iso-8859-3", E::iso_8859_3},
    {"iso-ir-109", E::iso_8859_3},
    {"iso8859-3", E::iso_8859_3},
    {"iso88593", E::iso_8859_3},
    {"iso_8859-3", E::iso_8859_3},
    {"iso_8859-3:1988", E::iso_8859_3},
    {"l3", E::iso_8859_3},
    {"latin3", E::iso_8859_3},

    {"csisolatin4", E::iso_8859_4},
    {"iso-8859-4", E::iso_8859_4},
    {"iso-ir-110", E::iso_8859_4},
    {"iso8859-4", E::iso_8859_4},
    {"iso88594", E::iso_8859_4},
    {"iso_8859-4", E::iso_8859_4},
    {"iso_8859-4:1988", E::iso_8859_4},
    {"l4", E::iso_8859_4},
    {"latin4", E::iso_8859_4},

    {"csisolatincyrillic", E::iso_8859_5},
    {"cyrillic", E::iso_8859_5},
    {"iso-8859-5", E::iso_8859_5},
    {"iso-ir-144", E::iso_8859_5},
    {"iso8859-5", E::iso_8859_5},
    {"iso88595", E::iso_8859_5},
    {"iso_8859-5", E::iso_8859_5},
    {"iso_8859-5:1988", E::iso_8859_5},

    {"arabic", E::iso_8859_6},
    {"asmo-708", E::iso_8859_6},
    {"csiso88596e", E::iso_8859_6},
    {"csiso88596i", E::iso_8859_6},
    {"csisolatinarabic", E::iso_8859_6},
    {"ecma-114", E::iso_8859_6},
    {"iso-8859-6", E::iso_8859_6},
    {"iso-8859-6-e", E::iso_8859_6},
    {"iso-8859-6-i", E::iso_8859_6},
    {"iso-ir-127", E::iso_8859_6},
    {"iso8859-6", E::iso_8859_6},
    {"iso88596", E::iso_8859_6},
    {"iso_8859-6", E::iso_8859_6},
    {"iso_8859-6:1987", E::iso_8859_6},

    {"csisolatingreek", E::iso_8859_7},
    {"ecma-118", E::iso_8859_7},
    {"elot_928", E::iso_8859_7},
    {"greek", E::iso_8859_7},
    {"greek8", E::iso_8859_7},
    {"iso-8859-7", E::iso_8859_7},
    {"iso-ir-126", E::iso_8859_7},
    {"iso8859-7", E::iso_8859_7},
    {"iso88597", E::iso_8859_7},
    {"iso_8859-7", E::iso_8859_7},
    {"iso_8859-7:1987", E::iso_8859_7},
    {"sun_eu_greek", E::iso_8859_7},

    {"csiso88598e", E::iso_8859_8},
    {"csisolatinhebrew", E::iso_8859_8},
    {"hebrew", E::iso_8859_8},
    {"iso-8859-8", E::iso_8859_8},
    {"iso-8859-8-e", E::iso_8859_8},
    {"iso-ir-138", E::iso_8859_8},
    {"iso8859-8", E::iso_8859_8},
    {"iso88598", E::iso_8859_8},
    {"iso_8859-8", E::iso_8859_8},
    {"iso_8859-8:1988", E::iso_8859_8},
    {"visual", E::iso_8859_8},

    {"csiso88598i", E::iso_8859_8_i},
    {"iso-8859-8-i", E::iso_8859_8_i},
    {"logical", E::iso_8859_8_i},

    {"csisolatin6", E::iso_8859_10},
    {"iso-8859-10", E::iso_8859_10},
    {"iso-ir-157", E::iso_8859_10},
    {"iso8859-10", E::iso_8859_10},
    {"iso885910", E::iso_8859_10},
    {"l6", E::iso_8859_10},
    {"latin6", E::iso_8859_10},

    {"iso-8859-13", E::iso_8859_13},
    {"iso8859-13", E::iso_8859_13},
    {"iso885913", E::iso_8859_13},

    {"iso-8859-14", E::iso_8859_14},
    {"iso8859-14", E::iso_8859_14},
    {"iso885914", E::iso_8859_14},

    {"csisolatin9", E::iso_8859_15},
    {"iso-8859-15", E::iso_8859_15},
    {"iso8859-15", E::iso_8859_15},
    {"iso885915", E::iso_8859_15},
    {"iso_8859-15", E::iso_8859_15},
    {"l9", E::iso_8859_15},

    {"iso-8859-16", E::iso_8859_16},

    {"cskoi8r", E::koi8_r},
    {"koi", E::koi8_r},
    {"koi8", E::koi8_r},
    {"koi8-r", E::koi8_r},
    {"koi8_r", E::koi8_r},

    {"koi8-ru", E::koi8_u},
    {"koi8-u", E::koi8_u},

    {"csmacintosh", E::macintosh},
    {"mac", E::macintosh},
    {"macintosh", E::macintosh},
    {"x-mac-roman", E::macintosh},

    {"dos-874", E::windows_874},
    {"iso-8859-11", E::windows_874},
    {"iso8859-11", E::windows_874},
    {"iso885911", E::windows_874},
    {"tis-620", E::windows_874},
    {"windows-874", E::windows_874},

    {"cp1250", E::windows_1250},
    {"windows-1250", E::windows_1250},
    {"x-cp1250", E::windows_1250},

    {"cp1251", E::windows_1251},
    {"windows-1251", E::windows_1251},
    {"x-cp1251", E::windows_1251},

    {"ansi_x3.4-1968", E::windows_1252},
    {"ascii", E::windows_1252},
    {"cp1252", E::windows_1252},
    {"cp819", E::windows_1252},
    {"csisolatin1", E::windows_1252},
    {"ibm819", E::windows_1252},
    {"iso-8859-1", E::windows_1252},
    {"iso-ir-100", E::windows_1252},
    {"iso8859-1", E::windows_1252},
    {"iso88591", E::windows_1252},
    {"iso_8859-1", E::windows_1252},
    {"iso_8859-1:1987", E::windows_1252},
    {"l1", E::windows_1252},
    {"latin1", E::windows_1252},
    {"us-ascii", E::windows_1252},
    {"windows-1252", E::windows_1252},
    {"x-cp1252", E::windows_1252},

    {"cp1253", E::windows_1253},
    {"windows-1253", E::windows_1253},
    {"x-cp1253", E::windows_1253},

    {"cp1254", E::windows_1254},
    {"csisolatin5", E::windows_1254},
    {"iso-8859-9", E::windows_1254},
    {"iso-ir-148", E::windows_1254},
    {"iso8859-9", E::windows_1254},
    {"iso88599", E::windows_1254},
    {"iso_8859-9", E::windows_1254},
    {"iso_8859-9:1989", E::windows_1254},
    {"l5", E::windows_1254},
    {"latin5", E::windows_1254},
    {"windows-1254", E::windows_1254},
    {"x-cp1254", E::windows_1254},

    {"cp1255", E::windows_1255},
    {"windows-1255", E::windows_1255},
    {"x-cp1255", E::windows_1255},

    {"cp1256", E::windows_1256},
    {"windows-1256", E::windows_1256},
    {"x-cp1256", E::windows_1256},

    {"cp1257", E::windows_1257},
    {"windows-1257", E::windows_1257},
    {"x-cp1257", E::windows_1257},

    {"cp1258", E::windows_1258},
    {"windows-1258", E::windows_1258},
    {"x-cp1258", E::windows_1258},

    {"x-mac-cyrillic", E::x_mac_cyrillic},
    {"x-mac-ukrainian", E::x_mac_cyrillic},

    {"chinese", E::gbk},
    {"csgb2312", E::gbk},
    {"csiso58gb231280", E::gbk},
    {"gb2312", E::gbk},
    {"gb_2312", E::gbk},
    {"gb_2312-80", E::gbk},
    {"gbk", E::gbk},
    {"iso-ir-58", E::gbk},
    {"x-gbk", E::gbk},

    {"gb18030", E::gb18030},

    {"big5", E::big5},
    {"big5-hkscs", E::big5},
    {"cn-big5", E::big5},
    {"csbig5", E::big5},
    {"x-x-big5", E::big5},

    {"cseucpkdfmtjapanese", E::euc_jp},
    {"euc-jp", E::euc_jp},
    {"x-euc-jp", E::euc_jp},

    {"csiso2022jp", E::iso_2022_jp},
    {"iso-2022-jp", E::iso_2022_jp},

    {"csshiftjis", E::shift_jis},
    {"ms932", E::shift_jis},
    {"ms_kanji", E::shift_jis},
    {"shift-jis", E::shift_jis},
    {"shift_jis", E::shift_jis},
    {"sjis", E::shift_jis},
    {"windows-31j", E::shift_jis},
    {"x-sjis", E::shift_jis},

    {"cseuckr", E::euc_kr},
    {"csksc56011987", E::euc_kr},
    {"euc-kr", E::euc_kr},
    {"iso-ir-149", E::euc_kr},
    {"korean", E::euc_kr},
    {"ks_c_5601-1987", E::euc_kr},
    {"ks_c_5601-1989", E::euc_kr},
    {"ksc5601", E::euc_kr},
    {"ksc_5601", E::euc_kr},
    {"windows-949", E::euc_kr},

    {"csiso2022kr", E::replacement},
    {"hz-gb-2312", E::replacement},
    {"iso-2022-cn", E::replacement},
    {"iso-2022-cn-ext", E::replacement},
    {"iso-2022-kr", E::replacement},
    {"replacement", E::replacement},

    {"unicodefffe", E::utf16be},
    {"utf-16be", E::utf16be},

    {"csunicode", E::utf16le},
    {"iso-10646-ucs-2", E::utf16le},
    {"ucs-2", E::utf16le},
    {"unicode", E::utf16le},
    {"unicodefeff", E::utf16le},
    {"utf-16", E::utf16le},
    {"utf-16le", E::utf16le},

    {"x-user-defined", E::x_user_defined},
};

constexpr std::size_t kLabelCount = std::size(kLabels);

constexpr auto kSortedLabels = [] {
  std::array<Label, kLabelCount> sorted{};
  std::copy(std::begin(kLabels), std::end(kLabels), sorted.begin());
  std::sort(sorted.begin(), sorted.end(),
            [](const Label& a, const Label& b) { return a.label < b.label; });
  return sorted;
}();

constexpr std::size_t kMaxLabelLength = [] {
  std::size_t n = 0;
  for (const Label& l : kLabels) n = std::max(n, l.label.size());
  return n;
}();

constexpr bool labels_are_unique_and_lowercase() {
  for (std::size_t i = 0; i < kLabelCount; ++i) {
    if (i > 0 && kSortedLabels[i - 1].label == kSortedLabels[i].label) return false;
    for (char c : kSortedLabels[i].label) {
      if (c >= 'A' && c <= 'Z') return false;
    }
  }
  return true;
}
static_assert(labels_are_unique_and_lowercase());

constexpr std::string_view kNames[kEncodingCount] = {
    "UTF-8",        "IBM866",       "ISO-8859-2",   "ISO-8859-3",     "ISO-8859-4",
    "ISO-8859-5",   "ISO-8859-6",   "ISO-8859-7",   "ISO-8859-8",     "ISO-8859-8-I",
    "ISO-8859-10",  "ISO-8859-13",  "ISO-8859-14",  "ISO-8859-15",    "ISO-8859-16",
    "KOI8-R",       "KOI8-U",       "macintosh",    "windows-874",    "windows-1250",
    "windows-1251", "windows-1252", "windows-1253", "windows-1254",   "windows-1255",
    "windows-1256", "windows-1257", "windows-1258", "x-mac-cyrillic", "GBK",
    "gb18030",      "Big5",         "EUC-JP",       "ISO-2022-JP",    "Shift_JIS",
    "EUC-KR",       "replacement",  "UTF-16BE",     "UTF-16LE",       "x-user-defined",
};

}  // namespace

std::optional<Encoding> encoding_for_label(std::string_view label) noexcept {
  label = ascii::trim_ascii_ws(label);
  if (label.empty() || label.size() > kMaxLabelLength) return std::nullopt;

  std::array<char, kMaxLabelLength> buf{};
  for (std::size_t i = 0; i < label.size(); ++i) {
    char c = label[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view lower(buf.data(), label.size());
  const auto* it = std::lower_bound(kSortedLabels.begin(), kSortedLabels.end(), lower,
                                    [](const Label& l, std::string_view v) { return l.label < v; });
  if (it == kSortedLabels.end() || it->label != lower) return std::nullopt;
  return it->encoding;
}

std::string_view encoding_name(Encoding e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < kEncodingCount ? kNames[i] : std::string_view{};
}

}  // namespace acrawl::crawler
