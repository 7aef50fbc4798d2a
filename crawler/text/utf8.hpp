#pragma once

// UTF-8 validation and repair. Every string the crawler emits passes through here, so the common
// case (ASCII or already-valid input) takes a word-at-a-time fast path.

#include <cstddef>
#include <string>
#include <string_view>

namespace acrawl::crawler {

// True when s is well-formed UTF-8 (no overlongs, surrogates, or code points above U+10FFFF).
// The empty string is valid. Never throws; thread-safe.
bool is_valid_utf8(std::string_view s) noexcept;

// True when s is well-formed UTF-8 except that it may end inside a sequence that is valid so far,
// as a body cut off by a size cap does. Never throws; thread-safe.
bool is_valid_utf8_prefix(std::string_view s) noexcept;

// is_valid_utf8_prefix over a body that arrives in pieces and is not kept: feed() every piece
// in order, then read the verdict for all bytes fed so far.
class Utf8Stream {
 public:
  // Never throws.
  void feed(std::string_view piece) noexcept;
  // True while the bytes fed are well-formed UTF-8, possibly cut off inside a last sequence.
  bool valid() const noexcept { return valid_; }
  // True once a non-ASCII byte was fed.
  bool non_ascii() const noexcept { return non_ascii_; }

 private:
  bool valid_ = true;
  bool non_ascii_ = false;
  unsigned char pending_[4] = {};  // a sequence cut by the end of the last piece
  std::size_t pending_size_ = 0;
};

// Length of the longest all-ASCII prefix of s (word at a time). Never throws; thread-safe.
std::size_t ascii_prefix_length(std::string_view s) noexcept;

// Appends `in` to `out`, replacing each maximal invalid subsequence with one U+FFFD exactly as
// the WHATWG UTF-8 decoder does (an incomplete sequence at the end also becomes one U+FFFD).
// NUL bytes are kept. Throws only std::bad_alloc; thread-safe.
void append_sanitized_utf8(std::string& out, std::string_view in);

// `in` with invalid sequences replaced as by append_sanitized_utf8.
// Throws only std::bad_alloc; thread-safe.
std::string sanitize_utf8(std::string_view in);

// Appends the UTF-8 encoding of code point cp; a surrogate or a value above U+10FFFF is appended
// as U+FFFD. Throws only std::bad_alloc.
void append_utf8(std::string& out, char32_t cp);

}  // namespace acrawl::crawler
