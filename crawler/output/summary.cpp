#include "crawler/output/summary.hpp"

#include <sys/resource.h>

#include <cstdio>

namespace acrawl::crawler {

void CrawlSummary::count(const PageRecord& rec) {
  ++pages;
  bytes += rec.bytes;
  if (rec.attempts > 1) retries += static_cast<std::size_t>(rec.attempts - 1);
  if (!rec.final_url.empty()) latency.record(rec.elapsed_ms);
  if (rec.ok()) {
    ++succeeded;
    return;
  }
  ++failed;
  ++failures[rec.error.empty() ? "http_" + std::to_string(rec.status) : rec.error];
}

void CrawlSummary::measure_process() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  cpu_seconds = secs(ru.ru_utime) + secs(ru.ru_stime);
  peak_rss_kb = ru.ru_maxrss;
}

std::string format_summary(const CrawlSummary& s) {
  char buf[512];
  double rate = s.wall_seconds > 0 ? static_cast<double>(s.pages) / s.wall_seconds : 0.0;
  std::snprintf(buf, sizeof buf,
                "%s%zu pages (%zu ok, %zu failed), %.1f MB in %.2f s: %.0f pages/s, "
                "CPU %.2f s, peak RSS %.1f MB, peak %zu in flight (mode %s)\n"
                "latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms",
                s.interrupted ? "interrupted: " : "", s.pages, s.succeeded, s.failed,
                static_cast<double>(s.bytes) / 1e6, s.wall_seconds, rate, s.cpu_seconds,
                static_cast<double>(s.peak_rss_kb) / 1024.0, s.peak_in_flight, s.mode.c_str(),
                s.latency.percentile(50), s.latency.percentile(95), s.latency.percentile(99));
  std::string out = buf;
  if (!s.failures.empty()) {
    out += "\nfailures:";
    for (const auto& [word, n] : s.failures) out += " " + word + " " + std::to_string(n) + ",";
    out.pop_back();
  }
  if (s.retries > 0) out += "\nretries: " + std::to_string(s.retries);
  if (s.interrupted) out += "\nunfinished when interrupted: " + std::to_string(s.unfinished);
  return out;
}

std::string summary_json(const CrawlSummary& s, std::string_view extra) {
  char buf[768];
  double rate = s.wall_seconds > 0 ? static_cast<double>(s.pages) / s.wall_seconds : 0.0;
  std::snprintf(buf, sizeof buf,
                "{\"mode\":\"%s\",\"pages\":%zu,\"succeeded\":%zu,\"failed\":%zu,\"bytes\":%llu,"
                "\"wall_seconds\":%.3f,\"pages_per_second\":%.1f,\"cpu_seconds\":%.3f,"
                "\"peak_rss_kb\":%ld,\"peak_in_flight\":%zu,\"latency_ms\":{\"p50\":%.2f,"
                "\"p95\":%.2f,\"p99\":%.2f},\"interrupted\":%s,\"unfinished\":%zu,\"retries\":%zu,"
                "\"failures\":{",
                s.mode.c_str(), s.pages, s.succeeded, s.failed,
                static_cast<unsigned long long>(s.bytes), s.wall_seconds, rate, s.cpu_seconds,
                s.peak_rss_kb, s.peak_in_flight, s.latency.percentile(50), s.latency.percentile(95),
                s.latency.percentile(99), s.interrupted ? "true" : "false", s.unfinished,
                s.retries);
  std::string out = buf;
  bool first = true;
  for (const auto& [word, n] : s.failures) {
    if (!first) out += ",";
    first = false;
    out += "\"" + word + "\":" + std::to_string(n);  // words are [a-z_0-9]
  }
  out += "}";
  out += extra;
  out += "}\n";
  return out;
}

}  // namespace acrawl::crawler
