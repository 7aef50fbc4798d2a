#pragma once
// File descriptors: each transfer in flight holds a socket, so --concurrency must fit the
// process's open-files limit.

#include <cstddef>

namespace acrawl::crawler {

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the concurrency that fits in it:
// `wanted`, or fewer (with one warning on stderr) when the limit minus a reserve for files,
// the loop and curl's own descriptors cannot hold that many sockets. Never throws.
std::size_t fit_concurrency(std::size_t wanted) noexcept;

}  // namespace acrawl::crawler
