#include "crawler/state/fingerprint.hpp"

#include <xxhash.h>

namespace acrawl::crawler {

std::uint64_t fingerprint(std::string_view key) noexcept {
  // Kept below 2^63 so that SQLite's signed 64-bit integers hold it as is.
  const std::uint64_t h = XXH3_64bits(key.data(), key.size()) >> 1;
  return h == 0 ? 1 : h;
}

namespace {
std::size_t slot_of(std::uint64_t fp, std::size_t mask) noexcept {
  return static_cast<std::size_t>(fp * 0x9E3779B97F4A7C15ull >> 7) & mask;
}
}  // namespace

bool FingerprintSet::contains(std::uint64_t fp) const noexcept {
  if (slots_.empty()) return false;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(fp, mask);; i = (i + 1) & mask) {
    if (slots_[i] == fp) return true;
    if (slots_[i] == 0) return false;
  }
}

bool FingerprintSet::insert(std::uint64_t fp) {
  if ((size_ + 1) * 10 > slots_.size() * 7) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(fp, mask);; i = (i + 1) & mask) {
    if (slots_[i] == fp) return false;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      ++size_;
      return true;
    }
  }
}

void FingerprintSet::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : 2 * old.size(), 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::uint64_t fp : old) {
    if (fp == 0) continue;
    std::size_t i = slot_of(fp, mask);
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = fp;
  }
}

}  // namespace acrawl::crawler

namespace acrawl::crawler {

std::uint64_t chain_hash(std::uint64_t h, std::string_view line) noexcept {
  return XXH3_64bits_withSeed(line.data(), line.size(), h) >> 1;
}

}  // namespace acrawl::crawler
