#pragma once
// The two views of a MetricsSnapshot the --metrics server answers with.

#include <string>

#include "crawler/metrics/metrics_snapshot.hpp"

namespace acrawl::crawler {

// The Prometheus text exposition format (version 0.0.4): every acrawl_* family with HELP and
// TYPE, and the usual process_* ones. Throws only std::bad_alloc.
std::string prometheus_text(const MetricsSnapshot& s);

// The --stats-json summary so far, with the live figures added (in flight, queued, hosts
// active, awaiting parse, robots refusals, outcomes). Throws only std::bad_alloc.
std::string status_json(const MetricsSnapshot& s);

}  // namespace acrawl::crawler
