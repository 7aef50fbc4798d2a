#include "crawler/crawl.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <system_error>

#include "crawler/crawl_async.hpp"
#include "crawler/input.hpp"
#include "crawler/sink.hpp"

namespace acrawl::crawler {

void CrawlSummary::count(const PageRecord& rec) {
  ++pages;
  bytes += rec.bytes;
  if (rec.ok()) {
    ++succeeded;
    return;
  }
  ++failed;
  ++failures[rec.error.empty() ? "http_" + std::to_string(rec.status) : rec.error];
}

CrawlSummary run_crawl(const CrawlConfig& config) {
  UrlSource source(config.inputs);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  std::FILE* out = stdout;
  if (!config.output_path.empty()) {
    file.reset(std::fopen(config.output_path.c_str(), "wb"));
    if (!file) {
      throw std::system_error(errno, std::generic_category(),
                              "cannot open output file '" + config.output_path + "'");
    }
    out = file.get();
  }
  auto sink = make_sink(config.format, out);
  auto start = std::chrono::steady_clock::now();
  CrawlSummary summary;
  try {
    summary = crawl_async(config, source, *sink);
  } catch (...) {
    try {
      sink->flush();
    } catch (...) {
    }
    throw;
  }
  sink->flush();
  if (file && std::fclose(file.release()) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot write output file");
  }
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

std::string format_summary(const CrawlSummary& s) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%zu pages, %zu ok, %zu failed, %.1f MB in %.2f s (%.0f pages/s), peak %zu in "
                "flight",
                s.pages, s.succeeded, s.failed, static_cast<double>(s.bytes) / 1e6, s.wall_seconds,
                s.wall_seconds > 0 ? static_cast<double>(s.pages) / s.wall_seconds : 0.0,
                s.peak_in_flight);
  std::string out = line;
  for (const auto& [word, n] : s.failures) out += "; " + word + ": " + std::to_string(n);
  return out;
}

}  // namespace acrawl::crawler
