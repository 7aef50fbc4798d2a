#include "crawler/input/admit.hpp"

#include <spdlog/spdlog.h>

#include "crawler/fetch/errors.hpp"
#include "crawler/output/record.hpp"
#include "crawler/url/check.hpp"

namespace acrawl::crawler {

std::optional<PageRecord> refuse(const InputItem& item) {
  CheckedUrl checked = check_url(item.url);
  if (checked.verdict == UrlVerdict::ok) return std::nullopt;
  spdlog::warn("{}: {}: {}", item.where, checked.reason, item.url);
  return error_record(item.url, checked.verdict == UrlVerdict::unsupported_scheme
                                    ? error_words::unsupported_scheme
                                    : error_words::invalid_url);
}

}  // namespace acrawl::crawler
