#pragma once
// Fingerprints of dedup keys (XXH3, 64 bits: at a million URLs the chance that two collide is
// about 3 in 10^8) and a compact set of them: 8 bytes a slot, at most 70 % full, so the seen
// set of a crawl of a million pages takes about 16 MB instead of the keys' hundred.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace acrawl::crawler {

// Never 0 (the set's empty slot). Stable across builds and machines: it is stored.
std::uint64_t fingerprint(std::string_view key) noexcept;

class FingerprintSet {
 public:
  // True when fp was not in the set. Throws only std::bad_alloc (growing).
  bool insert(std::uint64_t fp);
  bool contains(std::uint64_t fp) const noexcept;
  std::size_t size() const noexcept { return size_; }

 private:
  void grow();
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace acrawl::crawler

namespace acrawl::crawler {

// h chained with one more input line (InputMark's hash). Stable: it is stored.
std::uint64_t chain_hash(std::uint64_t h, std::string_view line) noexcept;

}  // namespace acrawl::crawler
