#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "crawler/text/utf8.hpp"

using namespace std::string_literals;
using namespace std::string_view_literals;
using acrawl::crawler::append_sanitized_utf8;
using acrawl::crawler::append_utf8;
using acrawl::crawler::ascii_prefix_length;
using acrawl::crawler::is_valid_utf8;
using acrawl::crawler::is_valid_utf8_prefix;
using acrawl::crawler::sanitize_utf8;

namespace {
constexpr std::string_view R = "\xEF\xBF\xBD";  // U+FFFD
}

TEST_CASE("is_valid_utf8 accepts well-formed text") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII that is longer than one eight-byte word"));
  CHECK(is_valid_utf8("caf\xC3\xA9"));       // é
  CHECK(is_valid_utf8("\xE2\x82\xAC"));      // €
  CHECK(is_valid_utf8("\xF0\x9D\x84\x9E"));  // U+1D11E
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CHECK(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  CHECK(is_valid_utf8("nul\0inside"sv));
}

TEST_CASE("is_valid_utf8 rejects every kind of malformed sequence") {
  CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong 3-byte
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong 4-byte
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));  // invalid lead
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));  // truncated
  CHECK_FALSE(
      is_valid_utf8("0123456789abcdef\xE2\x82"
                    "A"));
  CHECK_FALSE(is_valid_utf8(std::string(1000, 'a') + "\xC3"));
}

TEST_CASE("is_valid_utf8_prefix allows only a cut-off final sequence") {
  CHECK(is_valid_utf8_prefix("abc"));
  CHECK(is_valid_utf8_prefix("abc\xE2\x82"));
  CHECK(is_valid_utf8_prefix("abc\xF0\x9D\x84"));
  CHECK(is_valid_utf8_prefix("abc\xF0"));
  CHECK_FALSE(
      is_valid_utf8_prefix("abc\xE2\x82"
                           "x"));
  CHECK_FALSE(is_valid_utf8_prefix("abc\xE0\x80"));  // already invalid, not just short
  CHECK_FALSE(
      is_valid_utf8_prefix("\x80"
                           "abc"));
  CHECK_FALSE(is_valid_utf8_prefix("abc\xC0"));  // C0 never starts a valid sequence
}

TEST_CASE("sanitize_utf8 keeps valid input byte for byte") {
  const std::string s = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80 nul:\0!"s;
  CHECK(sanitize_utf8(s) == s);
  CHECK(sanitize_utf8("").empty());
}

TEST_CASE("sanitize_utf8 emits one U+FFFD per maximal subpart (WHATWG decoder)") {
  CHECK(sanitize_utf8("\x80") == R);
  CHECK(sanitize_utf8("a\xFF"
                      "b") == "a" + std::string(R) + "b");
  CHECK(sanitize_utf8("\xE2\x82") == R);  // truncated at end: one replacement
  CHECK(sanitize_utf8("\xE2\x82"
                      "A") == std::string(R) + "A");
  CHECK(sanitize_utf8("\xC0\xAF") == std::string(R) + std::string(R));
  CHECK(sanitize_utf8("\xED\xA0\x80") == std::string(R) + std::string(R) + std::string(R));
  CHECK(sanitize_utf8("\xF0\x80\x80") == std::string(R) + std::string(R) + std::string(R));
  CHECK(sanitize_utf8("\xF4\x90\x80\x80") ==
        std::string(R) + std::string(R) + std::string(R) + std::string(R));
  // The Unicode Standard's example (table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  const std::string r(R);
  CHECK(sanitize_utf8("a\xF1\x80\x80\xE1\x80\xC2"
                      "b\x80"
                      "c\x80\xBF"
                      "d") == "a" + r + r + r + "b" + r + "c" + r + r + "d");
}

TEST_CASE("append_sanitized_utf8 appends and keeps NUL") {
  std::string out = "x";
  append_sanitized_utf8(out, "a\0b\x80"sv);
  CHECK(out == "xa\0b"s + std::string(R));
}

TEST_CASE("sanitize_utf8 output is always valid") {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xFF));
  const std::string clean = sanitize_utf8(junk);
  CHECK(is_valid_utf8(clean));
  CHECK(sanitize_utf8(clean) == clean);
}

TEST_CASE("append_utf8 encodes code points and refuses surrogates") {
  std::string out;
  append_utf8(out, U'A');
  append_utf8(out, 0xE9);
  append_utf8(out, 0x20AC);
  append_utf8(out, 0x1F600);
  CHECK(out == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  out.clear();
  append_utf8(out, 0xD800);
  append_utf8(out, 0x110000);
  CHECK(out == std::string(R) + std::string(R));
}

TEST_CASE("ascii_prefix_length") {
  CHECK(ascii_prefix_length("") == 0);
  CHECK(ascii_prefix_length("abc") == 3);
  CHECK(ascii_prefix_length("0123456789abcdef\xC3\xA9") == 16);
  CHECK(ascii_prefix_length("0123456\x80") == 7);
  CHECK(ascii_prefix_length("\xFF") == 0);
  CHECK(ascii_prefix_length(std::string(1001, 'x') + "\x80" + "yy") == 1001);
}

TEST_CASE("Utf8Stream: any split into pieces gives is_valid_utf8_prefix's verdict on the whole") {
  const std::string cases[] = {
      "plain ASCII only",
      "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 \xE4\xB8\xAD",  // 2-, 3- and 4-byte sequences
      "ends cut \xF0\x9F\x98",                                   // valid so far
      "bad \xFF byte",
      "overlong \xC0\xAF",
      "surrogate \xED\xA0\x80",
      "above U+10FFFF \xF4\x90\x80\x80",
      "cut then bad \xE2\x9C"
      "A",
  };
  for (const std::string& text : cases) {
    const bool whole = is_valid_utf8_prefix(text);
    const bool non_ascii = ascii_prefix_length(text) < text.size();
    for (std::size_t a = 0; a <= text.size(); ++a) {
      for (std::size_t b = a; b <= text.size(); ++b) {
        acrawl::crawler::Utf8Stream s;
        s.feed(std::string_view(text).substr(0, a));
        s.feed(std::string_view(text).substr(a, b - a));
        s.feed(std::string_view(text).substr(b));
        INFO("text ", text, " split at ", a, " and ", b);
        CHECK(s.valid() == whole);
        if (whole) CHECK(s.non_ascii() == non_ascii);
      }
    }
  }
}
