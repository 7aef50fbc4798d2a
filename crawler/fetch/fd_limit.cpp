#include "crawler/fetch/fd_limit.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

namespace acrawl::crawler {

namespace {
// Standard streams, input and output files, epoll, eventfd, signalfd, curl's own, the pool...
constexpr rlim_t kReserve = 64;
}  // namespace

std::size_t fit_concurrency(std::size_t wanted) noexcept {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > kReserve + wanted) return wanted;
  std::size_t fits = lim.rlim_cur > kReserve * 2 ? static_cast<std::size_t>(lim.rlim_cur - kReserve)
                                                 : static_cast<std::size_t>(lim.rlim_cur / 2);
  if (fits == 0) fits = 1;
  try {
    spdlog::warn(
        "--concurrency {} needs more file descriptors than the limit of {} allows: "
        "using {} (raise the hard limit with ulimit -Hn to go higher)",
        wanted, static_cast<unsigned long long>(lim.rlim_cur), fits);
  } catch (...) {
  }
  return fits;
}

}  // namespace acrawl::crawler
