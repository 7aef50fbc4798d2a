#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crawler/text/charset.hpp"
#include "crawler/text/encoding_labels.hpp"
#include "crawler/text/utf8.hpp"

using namespace std::string_view_literals;
using namespace acrawl::crawler;

namespace {
constexpr std::string_view R = "\xEF\xBF\xBD";  // U+FFFD
}

// ---------------------------------------------------------------------------------------------
// Labels

TEST_CASE("encoding_for_label knows the standard's labels") {
  const struct {
    std::string_view label;
    Encoding encoding;
  } cases[] = {
      {"utf-8", Encoding::utf8},
      {"utf8", Encoding::utf8},
      {"unicode-1-1-utf-8", Encoding::utf8},
      {"x-unicode20utf8", Encoding::utf8},
      {"latin1", Encoding::windows_1252},
      {"iso-8859-1", Encoding::windows_1252},
      {"ascii", Encoding::windows_1252},
      {"us-ascii", Encoding::windows_1252},
      {"ansi_x3.4-1968", Encoding::windows_1252},
      {"iso_8859-1:1987", Encoding::windows_1252},
      {"cp819", Encoding::windows_1252},
      {"gb2312", Encoding::gbk},
      {"chinese", Encoding::gbk},
      {"x-gbk", Encoding::gbk},
      {"gbk", Encoding::gbk},
      {"csiso58gb231280", Encoding::gbk},
      {"gb18030", Encoding::gb18030},
      {"sjis", Encoding::shift_jis},
      {"ms_kanji", Encoding::shift_jis},
      {"windows-31j", Encoding::shift_jis},
      {"ms932", Encoding::shift_jis},
      {"shift-jis", Encoding::shift_jis},
      {"ks_c_5601-1987", Encoding::euc_kr},
      {"korean", Encoding::euc_kr},
      {"windows-949", Encoding::euc_kr},
      {"big5-hkscs", Encoding::big5},
      {"x-x-big5", Encoding::big5},
      {"cseucpkdfmtjapanese", Encoding::euc_jp},
      {"csiso2022jp", Encoding::iso_2022_jp},
      {"koi", Encoding::koi8_r},
      {"koi8_r", Encoding::koi8_r},
      {"koi8-ru", Encoding::koi8_u},
      {"iso-8859-9", Encoding::windows_1254},
      {"latin5", Encoding::windows_1254},
      {"tis-620", Encoding::windows_874},
      {"iso-8859-11", Encoding::windows_874},
      {"dos-874", Encoding::windows_874},
      {"logical", Encoding::iso_8859_8_i},
      {"visual", Encoding::iso_8859_8},
      {"iso-8859-6-i", Encoding::iso_8859_6},
      {"sun_eu_greek", Encoding::iso_8859_7},
      {"cyrillic", Encoding::iso_8859_5},
      {"l9", Encoding::iso_8859_15},
      {"iso-8859-16", Encoding::iso_8859_16},
      {"csisolatin6", Encoding::iso_8859_10},
      {"x-mac-roman", Encoding::macintosh},
      {"x-mac-ukrainian", Encoding::x_mac_cyrillic},
      {"866", Encoding::ibm866},
      {"x-cp1250", Encoding::windows_1250},
      {"cp1258", Encoding::windows_1258},
      {"hz-gb-2312", Encoding::replacement},
      {"iso-2022-kr", Encoding::replacement},
      {"iso-2022-cn-ext", Encoding::replacement},
      {"utf-16", Encoding::utf16le},
      {"unicode", Encoding::utf16le},
      {"ucs-2", Encoding::utf16le},
      {"unicodefffe", Encoding::utf16be},
      {"utf-16be", Encoding::utf16be},
      {"x-user-defined", Encoding::x_user_defined},
  };
  for (const auto& c : cases) {
    CAPTURE(c.label);
    CHECK(encoding_for_label(c.label) == c.encoding);
  }
}

TEST_CASE("encoding_for_label is ASCII case-insensitive and strips ASCII whitespace") {
  CHECK(encoding_for_label("UTF-8") == Encoding::utf8);
  CHECK(encoding_for_label("Shift_JIS") == Encoding::shift_jis);
  CHECK(encoding_for_label("ISO-8859-2") == Encoding::iso_8859_2);
  CHECK(encoding_for_label("  utf-8  ") == Encoding::utf8);
  CHECK(encoding_for_label("\t\n\f\r latin1 \r\n") == Encoding::windows_1252);
  CHECK(encoding_for_label(" EUC-KR\t") == Encoding::euc_kr);
}

TEST_CASE("encoding_for_label rejects anything else") {
  for (std::string_view bad :
       {""sv, "   "sv, "utf-7"sv, "utf-32"sv, "latin-1"sv, "utf 8"sv, "utf-8\v"sv,
        "\xC2\xA0utf-8"sv, "euc-jp;"sv, "iso-8859-1x"sv, "x-euc-jp-ms"sv, "cp932"sv, "gb_2312-8"sv,
        "utf\0-8"sv, "cseucpkdfmtjapanesex"sv, "unicode-1-1-utf-8-and-much-more"sv}) {
    CAPTURE(bad);
    CHECK_FALSE(encoding_for_label(bad).has_value());
  }
}

TEST_CASE("encoding_name gives canonical names that are also labels") {
  CHECK(encoding_name(Encoding::utf8) == "UTF-8");
  CHECK(encoding_name(Encoding::windows_1252) == "windows-1252");
  CHECK(encoding_name(Encoding::shift_jis) == "Shift_JIS");
  CHECK(encoding_name(Encoding::gbk) == "GBK");
  CHECK(encoding_name(Encoding::gb18030) == "gb18030");
  CHECK(encoding_name(Encoding::euc_kr) == "EUC-KR");
  CHECK(encoding_name(Encoding::big5) == "Big5");
  CHECK(encoding_name(Encoding::iso_8859_8_i) == "ISO-8859-8-I");
  CHECK(encoding_name(Encoding::x_mac_cyrillic) == "x-mac-cyrillic");
  CHECK(encoding_name(Encoding::utf16le) == "UTF-16LE");
  for (std::size_t i = 0; i < kEncodingCount; ++i) {
    const auto e = static_cast<Encoding>(i);
    CAPTURE(encoding_name(e));
    CHECK(encoding_for_label(encoding_name(e)) == e);
  }
  CHECK(encoding_name(static_cast<Encoding>(200)).empty());
}

TEST_CASE("source_name") {
  CHECK(source_name(EncodingSource::bom) == "bom");
  CHECK(source_name(EncodingSource::header) == "header");
  CHECK(source_name(EncodingSource::meta) == "meta");
  CHECK(source_name(EncodingSource::detected) == "detected");
  CHECK(source_name(EncodingSource::fallback) == "default");
}

// ---------------------------------------------------------------------------------------------
// Content-Type

TEST_CASE("charset_from_content_type finds the charset parameter") {
  CHECK(charset_from_content_type("text/html; charset=utf-8") == Encoding::utf8);
  CHECK(charset_from_content_type("text/html;charset=Shift_JIS") == Encoding::shift_jis);
  CHECK(charset_from_content_type("TEXT/HTML; CHARSET=ISO-8859-1") == Encoding::windows_1252);
  CHECK(charset_from_content_type("text/html; charset=\"gb2312\"") == Encoding::gbk);
  CHECK(charset_from_content_type("text/html; charset=\"utf\\-8\"") == Encoding::utf8);
  CHECK(charset_from_content_type("text/html; foo=bar; charset=koi8-r; q=1") == Encoding::koi8_r);
  CHECK(charset_from_content_type("text/html; x=\"a;charset=big5\"; charset=euc-kr") ==
        Encoding::euc_kr);
  CHECK(charset_from_content_type("  text/html ;  charset=utf-8  ") == Encoding::utf8);
  CHECK(charset_from_content_type("text/html;;charset=euc-jp") == Encoding::euc_jp);
  CHECK(charset_from_content_type("text/html; =x; charset=windows-1251") == Encoding::windows_1251);
  CHECK(charset_from_content_type("application/xhtml+xml; charset=utf-16") == Encoding::utf16le);
}

TEST_CASE("charset_from_content_type: the first charset parameter counts") {
  CHECK(charset_from_content_type("text/html; charset=utf-8; charset=latin1") == Encoding::utf8);
  // An unknown first value still shadows later ones, as in the MIME type's parameter map.
  CHECK_FALSE(charset_from_content_type("text/html; charset=bogus; charset=utf-8").has_value());
}

TEST_CASE("charset_from_content_type rejects malformed or charset-less values") {
  CHECK_FALSE(charset_from_content_type("").has_value());
  CHECK_FALSE(charset_from_content_type("text/html").has_value());
  CHECK_FALSE(charset_from_content_type("text/html; charset=").has_value());
  CHECK_FALSE(charset_from_content_type("text/html; charset=bogus").has_value());
  CHECK_FALSE(charset_from_content_type("charset=utf-8").has_value());         // no type
  CHECK_FALSE(charset_from_content_type("text/; charset=utf-8").has_value());  // no subtype
  CHECK_FALSE(charset_from_content_type("te xt/html; charset=utf-8").has_value());
  CHECK_FALSE(charset_from_content_type("text/html; charset =utf-8").has_value());
  CHECK_FALSE(charset_from_content_type("text/html; charset='utf-8'").has_value());
}

TEST_CASE("charset_from_content_type over several comma-separated types (Fetch)") {
  CHECK(charset_from_content_type("text/html; charset=gbk, text/html") == Encoding::gbk);
  CHECK_FALSE(charset_from_content_type("text/plain; charset=gbk, text/html").has_value());
  CHECK(charset_from_content_type("text/html; charset=big5, */*; charset=utf-8") == Encoding::big5);
  CHECK(charset_from_content_type("text/html; charset=utf-8, text/html; charset=euc-jp") ==
        Encoding::euc_jp);
  CHECK(charset_from_content_type("text/html; x=\"a,b\"; charset=koi8-u") == Encoding::koi8_u);
  CHECK(charset_from_content_type("text/html; x=\"a\\\",b\"; charset=euc-kr") ==
        Encoding::euc_kr);  // an escaped quote does not end the quoted string
}

// ---------------------------------------------------------------------------------------------
// Prescan

TEST_CASE("prescan: <meta charset> in its spellings") {
  CHECK(prescan_for_meta_charset("<meta charset=\"shift_jis\">") == Encoding::shift_jis);
  CHECK(prescan_for_meta_charset("<meta charset=EUC-KR>") == Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("<META CHARSET='koi8-r'/>") == Encoding::koi8_r);
  CHECK(prescan_for_meta_charset("<meta/charset=big5>") == Encoding::big5);
  CHECK(prescan_for_meta_charset("<meta\ncharset = \"big5\" >") == Encoding::big5);
  CHECK(prescan_for_meta_charset("<meta charset=\" windows-1251 \">") == Encoding::windows_1251);
  CHECK(prescan_for_meta_charset("<!DOCTYPE html><html><head><title>x</title>"
                                 "<meta name=viewport content=x><meta charset=gbk>") ==
        Encoding::gbk);
}

TEST_CASE("prescan: http-equiv + content (need pragma)") {
  CHECK(prescan_for_meta_charset(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">") ==
        Encoding::gbk);
  CHECK(prescan_for_meta_charset(
            "<meta content='text/html;charset=euc-jp' http-equiv='content-type'>") ==
        Encoding::euc_jp);
  // content without the pragma, or with another pragma, declares nothing.
  CHECK_FALSE(prescan_for_meta_charset("<meta content=\"text/html; charset=big5\">").has_value());
  CHECK_FALSE(prescan_for_meta_charset("<meta name=\"x\" content=\"charset=big5\">").has_value());
  CHECK_FALSE(prescan_for_meta_charset("<meta http-equiv=\"refresh\" content=\"5; charset=big5\">")
                  .has_value());
  CHECK_FALSE(
      prescan_for_meta_charset("<meta http-equiv=content-type content=\"text/html\">").has_value());
}

TEST_CASE("prescan: extracting the encoding from a content attribute") {
  auto with = [](std::string_view content) {
    return prescan_for_meta_charset("<meta http-equiv=content-type content=\"" +
                                    std::string(content) + "\">");
  };
  CHECK(with("text/html; charset = 'euc-kr' ") == Encoding::euc_kr);
  CHECK(with("charsetcharset=koi8-r") == Encoding::koi8_r);  // first "charset" lacks '='
  CHECK(with("text/html;CHARSET=big5;foo") == Encoding::big5);
  CHECK(with("charset=windows-1253 trailing") == Encoding::windows_1253);
  CHECK_FALSE(with("charset").has_value());
  CHECK_FALSE(with("charset=").has_value());
  CHECK_FALSE(with("charset='big5").has_value());  // unmatched quote
  CHECK_FALSE(with("charset=bogus").has_value());
}

TEST_CASE("prescan: charset attribute versus content attribute in one meta") {
  // charset after content replaces it and drops the pragma requirement.
  CHECK(prescan_for_meta_charset("<meta content=\"charset=big5\" charset=euc-jp>") ==
        Encoding::euc_jp);
  // content after charset is ignored because charset is no longer null.
  CHECK(prescan_for_meta_charset(
            "<meta charset=euc-jp content=\"charset=big5\" http-equiv=content-type>") ==
        Encoding::euc_jp);
  // An unknown charset attribute is a failure that content cannot repair.
  CHECK_FALSE(prescan_for_meta_charset(
                  "<meta charset=bogus content=\"charset=big5\" http-equiv=content-type>")
                  .has_value());
  // Repeated attributes: only the first counts.
  CHECK(prescan_for_meta_charset("<meta charset=bogus charset=euc-kr><meta charset=big5>") ==
        Encoding::big5);
  CHECK(prescan_for_meta_charset("<meta charset=euc-kr charset=big5>") == Encoding::euc_kr);
}

TEST_CASE("prescan: later metas are tried after an unusable one") {
  CHECK(prescan_for_meta_charset("<meta charset=\"x-bogus\"><meta charset=\"windows-1251\">") ==
        Encoding::windows_1251);
}

TEST_CASE("prescan: UTF-16 becomes UTF-8, x-user-defined becomes windows-1252") {
  CHECK(prescan_for_meta_charset("<meta charset=utf-16le>") == Encoding::utf8);
  CHECK(prescan_for_meta_charset("<meta charset=utf-16>") == Encoding::utf8);
  CHECK(prescan_for_meta_charset("<meta charset=UTF-16BE>") == Encoding::utf8);
  CHECK(prescan_for_meta_charset("<meta charset=x-user-defined>") == Encoding::windows_1252);
}

TEST_CASE("prescan: comments and other markup are skipped") {
  CHECK(prescan_for_meta_charset("<!-- <meta charset=\"big5\"> --><meta charset=\"euc-kr\">") ==
        Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("<!-- a -- b --><meta charset=euc-kr>") == Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("<!--><meta charset=big5>") == Encoding::big5);  // "<!-->"
  CHECK(prescan_for_meta_charset("<!---><meta charset=big5>") == Encoding::big5);
  CHECK_FALSE(prescan_for_meta_charset("<!-- <meta charset=big5>").has_value());  // unterminated
  CHECK(prescan_for_meta_charset("<div title=\"<meta charset=big5>\"><meta charset=euc-kr>") ==
        Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("<a title='<meta charset=big5>'><meta charset=euc-kr>") ==
        Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("</div title=\"<meta charset=big5>\"><meta charset=euc-kr>") ==
        Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("<!DOCTYPE html><?php echo '<meta charset=big5>' ?>"
                                 "<meta charset=euc-kr>") == Encoding::euc_kr);
  CHECK(prescan_for_meta_charset("</ <meta charset=big5>><meta charset=euc-kr>") ==
        Encoding::euc_kr);
  // "<metadata" is some other tag, not a meta.
  CHECK_FALSE(prescan_for_meta_charset("<metadata charset=big5>").has_value());
  // A lone '<' is just a byte.
  CHECK(prescan_for_meta_charset("a < b <3 <meta charset=big5>") == Encoding::big5);
}

TEST_CASE("prescan: only the first 1024 bytes are read, and a cut-off meta declares nothing") {
  const std::string meta = "<meta charset=\"euc-kr\">";
  const auto padded = [&](std::size_t comment_len) {
    return "<!--" + std::string(comment_len, 'x') + "-->" + meta;
  };
  const std::size_t fits = 1024 - meta.size() - 7;
  CHECK(padded(fits).size() == 1024);
  CHECK(prescan_for_meta_charset(padded(fits)) == Encoding::euc_kr);
  CHECK_FALSE(prescan_for_meta_charset(padded(fits + 1)).has_value());  // '>' is byte 1025
  CHECK_FALSE(prescan_for_meta_charset(padded(2000)).has_value());
  CHECK_FALSE(prescan_for_meta_charset("<meta charset=\"utf-8").has_value());
  CHECK_FALSE(prescan_for_meta_charset("<meta charset=utf-8").has_value());
}

TEST_CASE("prescan: XML declarations") {
  CHECK(prescan_for_meta_charset("<?xml version=\"1.0\" encoding=\"windows-1251\"?><html>") ==
        Encoding::windows_1251);
  CHECK(prescan_for_meta_charset("<?xml version='1.0' encoding = 'ISO-8859-2'?>") ==
        Encoding::iso_8859_2);
  CHECK(prescan_for_meta_charset("<?xml encoding=\"utf-16\"?>") == Encoding::utf8);
  // A meta found by the main scan wins over the declaration.
  CHECK(prescan_for_meta_charset("<?xml encoding=\"big5\"?><meta charset=euc-kr>") ==
        Encoding::euc_kr);
  CHECK_FALSE(prescan_for_meta_charset(" <?xml encoding=\"big5\"?>").has_value());  // not first
  CHECK_FALSE(prescan_for_meta_charset("<?xml encoding=big5?>").has_value());       // unquoted
  CHECK_FALSE(prescan_for_meta_charset("<?xml version=\"1.0\"?><p>encoding=\"big5\"").has_value());
  // The UTF-16 "<?x" check comes first and returns UTF-16 itself.
  CHECK(prescan_for_meta_charset("<\0?\0x\0m\0l\0"sv) == Encoding::utf16le);
  CHECK(prescan_for_meta_charset("\0<\0?\0x\0m\0l"sv) == Encoding::utf16be);
}

TEST_CASE("prescan: nothing declared") {
  CHECK_FALSE(prescan_for_meta_charset("").has_value());
  CHECK_FALSE(prescan_for_meta_charset("<html><head><title>t</title></head>").has_value());
  CHECK_FALSE(prescan_for_meta_charset("<meta name=charset content=utf-8>").has_value());
}

// ---------------------------------------------------------------------------------------------
// Decoding

TEST_CASE("decode_to_utf8: UTF-8 is sanitized, not converted") {
  CHECK(decode_to_utf8("caf\xC3\xA9", Encoding::utf8) == "caf\xC3\xA9");
  CHECK(decode_to_utf8("a\xFF"
                       "b",
                       Encoding::utf8) == "a" + std::string(R) + "b");
  CHECK(decode_to_utf8("\xEF\xBB\xBFx", Encoding::utf8) == "\xEF\xBB\xBFx");  // BOM kept here
}

TEST_CASE("decode_to_utf8: windows-1252 follows the WHATWG index, not glibc's CP1252") {
  CHECK(decode_to_utf8("\x93quoted\x94 \x80 caf\xE9", Encoding::windows_1252) ==
        "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC caf\xC3\xA9");
  // Bytes Microsoft leaves undefined decode to C1 controls.
  CHECK(decode_to_utf8("\x81\x8D\x8F\x90\x9D", Encoding::windows_1252) ==
        "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  CHECK(decode_to_utf8("\x9F\xFF", Encoding::windows_1252) == "\xC5\xB8\xC3\xBF");
}

TEST_CASE("decode_to_utf8: single-byte legacy encodings") {
  const struct {
    Encoding encoding;
    std::string_view bytes;
    std::string_view utf8;
  } cases[] = {
      {Encoding::ibm866, "\x8F\xE0\xA8\xA2\xA5\xE2", "Привет"},
      {Encoding::iso_8859_2, "\xA3\xF3\x64\xBC", "Łódź"},
      {Encoding::iso_8859_3, "\xB1", "ħ"},
      {Encoding::iso_8859_4, "\xE0", "ā"},
      {Encoding::iso_8859_5, "\xBF\xE0\xD8\xD2\xD5\xE2", "Привет"},
      {Encoding::iso_8859_6, "\xD3\xE4\xC7\xE5", "سلام"},
      {Encoding::iso_8859_7, "\xD9\xEC\xDD\xE3\xE1", "Ωμέγα"},
      {Encoding::iso_8859_8, "\xF9\xEC\xE5\xED", "שלום"},
      {Encoding::iso_8859_8_i, "\xF9\xEC\xE5\xED", "שלום"},
      {Encoding::iso_8859_10, "\xBF", "ŋ"},
      {Encoding::iso_8859_13, "\xF8", "ų"},
      {Encoding::iso_8859_14, "\xF0", "ŵ"},
      {Encoding::iso_8859_15, "\xA4uro", "€uro"},
      {Encoding::iso_8859_16, "\xAA", "Ș"},
      {Encoding::koi8_r, "\xF0\xD2\xC9\xD7\xC5\xD4", "Привет"},
      {Encoding::koi8_u, "\xF5\xCB\xD2\xC1\xA7\xCE\xC1", "Україна"},
      {Encoding::macintosh, "Caf\x8E", "Café"},
      {Encoding::windows_874, "\xCA\xC7\xD1\xCA\xB4\xD5", "สวัสดี"},
      {Encoding::windows_1250, "\xA3\xF3\x64\x9F", "Łódź"},
      {Encoding::windows_1251, "\xCF\xF0\xE8\xE2\xE5\xF2", "Привет"},
      {Encoding::windows_1253, "\xD9\xEC\xDD\xE3\xE1", "Ωμέγα"},
      {Encoding::windows_1254, "\xDDstanbul", "İstanbul"},
      {Encoding::windows_1255, "\xF9\xEC\xE5\xED", "שלום"},
      {Encoding::windows_1256, "\xD3\xE1\xC7\xE3", "سلام"},
      {Encoding::windows_1257, "\xC0\xFEuolas", "Ąžuolas"},
      {Encoding::x_mac_cyrillic, "\x8F\xF0\xE8\xE2\xE5\xF2", "Привет"},
  };
  for (const auto& c : cases) {
    CAPTURE(encoding_name(c.encoding));
    CHECK(decode_to_utf8(c.bytes, c.encoding) == c.utf8);
    CHECK(decode_to_utf8("ascii <b>&amp;</b>", c.encoding) == "ascii <b>&amp;</b>");
  }
}

TEST_CASE("decode_to_utf8: where glibc's tables differ from the WHATWG indexes") {
  CHECK(decode_to_utf8("\x81", Encoding::windows_1250) == "\xC2\x81");  // glibc rejects 0x81
  CHECK(decode_to_utf8("\x98", Encoding::windows_1251) == "\xC2\x98");
  CHECK(decode_to_utf8("\xDB", Encoding::windows_874) == R);  // undefined in both
  CHECK(decode_to_utf8("\xAE\xBE", Encoding::koi8_u) == "ўЎ");
  CHECK(decode_to_utf8("\xF0", Encoding::macintosh) == "\xEF\xA3\xBF");  // U+F8FF
  CHECK(decode_to_utf8("\xFF", Encoding::x_mac_cyrillic) == "€");
  // windows-1258 decodes byte by byte (no composition into U+1EC7 as glibc's CP1258 does).
  CHECK(decode_to_utf8("Vi\xEA\xF2t", Encoding::windows_1258) == "Vi\xC3\xAA\xCC\xA3t");
}

TEST_CASE("decode_to_utf8: multi-byte encodings through iconv") {
  CHECK(decode_to_utf8("\x93\xFA\x96\x7B\x8C\xEA\xB1", Encoding::shift_jis) == "日本語ｱ");
  CHECK(decode_to_utf8("\x81\x60", Encoding::shift_jis) == "～");  // Microsoft's mapping
  CHECK(decode_to_utf8("\x80", Encoding::shift_jis) == "\xC2\x80");
  CHECK(decode_to_utf8("\xC6\xFC\xCB\xDC\xB8\xEC", Encoding::euc_jp) == "日本語");
  CHECK(decode_to_utf8("\xA1\xC1", Encoding::euc_jp) == "～");  // the WHATWG jis0208 index
  CHECK(decode_to_utf8("\x1B$BF|K\\\x1B(B!", Encoding::iso_2022_jp) == "日本!");
  CHECK(decode_to_utf8("\xC7\xD1\xB1\xB9\xBE\xEE", Encoding::euc_kr) == "한국어");
  CHECK(decode_to_utf8("\x81\x41", Encoding::euc_kr) == "갂");  // UHC extension
  CHECK(decode_to_utf8("\xD6\xD0\xCE\xC4", Encoding::gbk) == "中文");
  CHECK(decode_to_utf8("\x80", Encoding::gbk) == "€");
  CHECK(decode_to_utf8("\x81\x30\x81\x30\xA2\xE3", Encoding::gb18030) == "\xC2\x80€");
  CHECK(decode_to_utf8("\xA4\xA4\xA4\xE5", Encoding::big5) == "中文");
  CHECK(decode_to_utf8("\x88\x62", Encoding::big5) == "\xC3\x8A\xCC\x84");  // two code points
  // A base letter that could combine with a following mark, alone and followed by a letter.
  CHECK(decode_to_utf8("\x88\x66", Encoding::big5) == "\xC3\x8A");
  CHECK(decode_to_utf8("\x88\x66"
                       "a",
                       Encoding::big5) ==
        "\xC3\x8A"
        "a");
}

TEST_CASE("decode_to_utf8: malformed multi-byte input becomes U+FFFD and decoding goes on") {
  const std::string r(R);
  CHECK(decode_to_utf8("a\xFF"
                       "b",
                       Encoding::shift_jis) == "a" + r + "b");
  CHECK(decode_to_utf8("\x93\xFA\x93", Encoding::shift_jis) == "日" + r);  // cut off at end
  CHECK(decode_to_utf8("\xC9"
                       "A\xC7\xD1",
                       Encoding::euc_kr) == r + "A한");  // ASCII trail kept
  CHECK(decode_to_utf8("\xFF\xD6\xD0", Encoding::gbk) == r + "中");
  // Input ending inside a sequence is one error, even when the tail bytes could stand alone.
  CHECK(decode_to_utf8("a\x81\x30", Encoding::gb18030) == "a" + r);
  CHECK(decode_to_utf8("a\x81\x30\x81", Encoding::gb18030) == "a" + r);
  const std::string junk = "\xFF\xFE\x80\x81\x82\xA0\xFD";
  for (Encoding e : {Encoding::shift_jis, Encoding::euc_jp, Encoding::iso_2022_jp, Encoding::euc_kr,
                     Encoding::gbk, Encoding::gb18030, Encoding::big5}) {
    CAPTURE(encoding_name(e));
    const std::string out = decode_to_utf8(junk + "tail", e);
    CHECK(is_valid_utf8(out));
    CHECK(out.find(R) != std::string::npos);
    CHECK(out.size() >= 4);
    CHECK(out.substr(out.size() - 4) == "tail");
  }
}

TEST_CASE("decode_to_utf8: UTF-16") {
  CHECK(decode_to_utf8("A\0\xAC\x20\x3D\xD8\x00\xDE"sv, Encoding::utf16le) == "A€😀");
  CHECK(decode_to_utf8("\0A\x20\xAC\xD8\x3D\xDE\x00"sv, Encoding::utf16be) == "A€😀");
  const std::string r(R);
  CHECK(decode_to_utf8("\x00\xDC"
                       "A\0"sv,
                       Encoding::utf16le) == r + "A");  // lone trail
  CHECK(decode_to_utf8("\x3D\xD8"
                       "A\0"sv,
                       Encoding::utf16le) == r + "A");                   // lone lead
  CHECK(decode_to_utf8("A\0B"sv, Encoding::utf16le) == "A" + r);         // odd byte
  CHECK(decode_to_utf8("A\0\x3D\xD8"sv, Encoding::utf16le) == "A" + r);  // lead at end
  CHECK(decode_to_utf8("", Encoding::utf16be).empty());
}

TEST_CASE("decode_to_utf8: x-user-defined and replacement") {
  CHECK(decode_to_utf8("a\x80\xFF", Encoding::x_user_defined) == "a\xEF\x9E\x80\xEF\x9F\xBF");
  CHECK(decode_to_utf8("anything at all", Encoding::replacement) == R);
  CHECK(decode_to_utf8("", Encoding::replacement).empty());
}

TEST_CASE("decode_to_utf8: output is valid UTF-8 for arbitrary bytes in every encoding") {
  std::string junk;
  for (int i = 0; i < 2048; ++i) junk.push_back(static_cast<char>((i * 131 + 7) & 0xFF));
  for (std::size_t i = 0; i < kEncodingCount; ++i) {
    const auto e = static_cast<Encoding>(i);
    CAPTURE(encoding_name(e));
    CHECK(is_valid_utf8(decode_to_utf8(junk, e)));
  }
}

TEST_CASE("decode_to_utf8 is safe on many threads at once") {
  const std::string sjis = "\x93\xFA\x96\x7B\x8C\xEA";
  const std::string koi = "\xF0\xD2\xC9\xD7\xC5\xD4";
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        if (decode_to_utf8(sjis, Encoding::shift_jis) != "日本語") ++failures[t];
        if (decode_to_utf8(koi, Encoding::koi8_r) != "Привет") ++failures[t];
        if (decode_to_utf8("\xA4\xA4", Encoding::big5) != "中") ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
}

// ---------------------------------------------------------------------------------------------
// Sniffing order

TEST_CASE("decode_html: a BOM beats everything and is removed") {
  auto d = decode_html("\xEF\xBB\xBF<p>\xC3\xA9", "text/html; charset=windows-1251");
  CHECK(d.encoding == Encoding::utf8);
  CHECK(d.source == EncodingSource::bom);
  CHECK(d.utf8 == "<p>é");
  d = decode_html("\xFF\xFE<\0p\0>\0\xE9\0"sv, "text/html; charset=utf-8");
  CHECK(d.encoding == Encoding::utf16le);
  CHECK(d.source == EncodingSource::bom);
  CHECK(d.utf8 == "<p>é");
  d = decode_html("\xFE\xFF\0<\0p\0>\0\xE9"sv, "");
  CHECK(d.encoding == Encoding::utf16be);
  CHECK(d.source == EncodingSource::bom);
  CHECK(d.utf8 == "<p>é");
}

TEST_CASE("decode_html: the header beats the meta; the meta decides without a header charset") {
  const std::string_view body = "<meta charset=koi8-r><p>\xCF\xF0\xE8";
  auto d = decode_html(body, "text/html; charset=windows-1251");
  CHECK(d.encoding == Encoding::windows_1251);
  CHECK(d.source == EncodingSource::header);
  CHECK(d.utf8 == "<meta charset=koi8-r><p>При");
  d = decode_html(body, "text/html");
  CHECK(d.encoding == Encoding::koi8_r);
  CHECK(d.source == EncodingSource::meta);
  d = decode_html(body, "text/html; charset=no-such-charset");
  CHECK(d.encoding == Encoding::koi8_r);
  CHECK(d.source == EncodingSource::meta);
}

TEST_CASE("decode_html: undeclared bodies") {
  auto d = decode_html("<p>caf\xC3\xA9</p>", "text/html");
  CHECK(d.encoding == Encoding::utf8);
  CHECK(d.source == EncodingSource::detected);
  CHECK(d.utf8 == "<p>café</p>");
  d = decode_html("<p>caf\xE9</p>", "");
  CHECK(d.encoding == Encoding::windows_1252);
  CHECK(d.source == EncodingSource::fallback);
  CHECK(d.utf8 == "<p>café</p>");
  d = decode_html("<p>plain</p>", "text/html");  // ASCII only: nothing to detect
  CHECK(d.encoding == Encoding::windows_1252);
  CHECK(d.source == EncodingSource::fallback);
  d = decode_html("<p>\xE6\x97\xA5\xE6\x97", "text/html");  // cut off by a body cap
  CHECK(d.encoding == Encoding::utf8);
  CHECK(d.source == EncodingSource::detected);
  CHECK(d.utf8 == "<p>日" + std::string(R));
  d = decode_html("", "");
  CHECK(d.utf8.empty());
  CHECK(d.source == EncodingSource::fallback);
}

TEST_CASE("decode_html: header-declared UTF-16 without a BOM, and the replacement encoding") {
  auto d = decode_html("<\0p\0>\0"sv, "text/html; charset=utf-16le");
  CHECK(d.encoding == Encoding::utf16le);
  CHECK(d.utf8 == "<p>");
  d = decode_html("<title>x</title>", "text/html; charset=iso-2022-kr");
  CHECK(d.encoding == Encoding::replacement);
  CHECK(d.utf8 == R);
}
