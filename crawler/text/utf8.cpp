#include "crawler/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace acrawl::crawler {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Number of leading ASCII bytes, eight at a time while possible.
std::size_t ascii_run(const unsigned char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  while (i + 8 <= n) {
    std::uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

struct Sequence {
  std::size_t length;  // bytes consumed: the whole sequence, or its maximal invalid subpart
  bool valid;
  bool truncated;  // invalid only because the input ended inside it
};

// Classifies the sequence starting at p[0] (a non-ASCII byte) per the WHATWG UTF-8 decoder.
Sequence next_sequence(const unsigned char* p, std::size_t n) noexcept {
  const unsigned char lead = p[0];
  std::size_t needed = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    if (lead == 0xE0) lower = 0xA0;  // overlong
    if (lead == 0xED) upper = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    if (lead == 0xF0) lower = 0x90;  // overlong
    if (lead == 0xF4) upper = 0x8F;  // above U+10FFFF
  } else {
    return {1, false, false};
  }
  for (std::size_t i = 1; i <= needed; ++i) {
    if (i >= n) return {i, false, true};
    if (p[i] < lower || p[i] > upper) return {i, false, false};
    lower = 0x80;
    upper = 0xBF;
  }
  return {needed + 1, true, false};
}

// Length of the longest well-formed prefix of [p, p+n).
std::size_t valid_prefix(const unsigned char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  while (true) {
    i += ascii_run(p + i, n - i);
    if (i == n) return n;
    const Sequence s = next_sequence(p + i, n - i);
    if (!s.valid) return i;
    i += s.length;
  }
}

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::size_t ascii_prefix_length(std::string_view s) noexcept {
  return ascii_run(bytes(s), s.size());
}

bool is_valid_utf8(std::string_view s) noexcept {
  return valid_prefix(bytes(s), s.size()) == s.size();
}

bool is_valid_utf8_prefix(std::string_view s) noexcept {
  const std::size_t i = valid_prefix(bytes(s), s.size());
  return i == s.size() || next_sequence(bytes(s) + i, s.size() - i).truncated;
}

void Utf8Stream::feed(std::string_view piece) noexcept {
  if (!valid_ || piece.empty()) return;
  const unsigned char* p = bytes(piece);
  std::size_t n = piece.size();
  if (pending_size_ > 0) {
    // Complete the cut sequence from the piece's first bytes (at most 3 more).
    while (pending_size_ < 4 && n > 0) {
      pending_[pending_size_++] = *p++;
      --n;
      const Sequence seq = next_sequence(pending_, pending_size_);
      if (seq.valid) break;
      if (!seq.truncated) {
        valid_ = false;
        return;
      }
    }
    if (!next_sequence(pending_, pending_size_).valid) return;  // still cut: the piece ended
    pending_size_ = 0;
  }
  if (ascii_run(p, n) < n) non_ascii_ = true;
  const std::size_t good = valid_prefix(p, n);
  if (good == n) return;
  const Sequence tail = next_sequence(p + good, n - good);
  if (!tail.truncated) {
    valid_ = false;
    return;
  }
  pending_size_ = n - good;
  for (std::size_t i = 0; i < pending_size_; ++i) pending_[i] = p[good + i];
}

void append_sanitized_utf8(std::string& out, std::string_view in) {
  const unsigned char* p = bytes(in);
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t good = i + valid_prefix(p + i, n - i);
    out.append(in.data() + i, good - i);
    if (good == n) break;
    out.append(kReplacement);
    i = good + next_sequence(p + good, n - good).length;
  }
}

std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  append_sanitized_utf8(out, in);
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      out.append(kReplacement);
      return;
    }
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.append(kReplacement);
  }
}

}  // namespace acrawl::crawler
