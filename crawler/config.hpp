#pragma once
// CrawlConfig: everything a crawl needs, as plain data (no CLI types).

#include <cstddef>
#include <string>
#include <vector>

namespace acrawl::crawler {

enum class OutputFormat { tsv, jsonl };

// How the crawl is scheduled; the output is the same set of records in every mode.
enum class Mode { async, threads, sync };

struct FetchOptions {
  long connect_timeout_ms = 10'000;
  long timeout_ms = 30'000;                       // whole transfer
  std::size_t max_body_bytes = 10 * 1024 * 1024;  // after decompression
  long max_redirects = 10;
  bool follow_redirects = true;  // false: a 3xx is the page's answer (recursive crawls)
  long receive_buffer = 0;       // curl's per-transfer receive buffer in bytes; 0: curl's default
  std::string user_agent;        // empty: "acrawl/<version>"
};

struct CrawlConfig {
  std::vector<std::string> inputs;  // files, URLs or "-" (stdin)
  Mode mode = Mode::async;
  std::size_t concurrency = 50;  // transfers in flight at once (threads: the thread count)
  std::size_t parsers = 0;       // async: parser threads; 0: one per core
  OutputFormat format = OutputFormat::tsv;
  std::string output_path;      // empty: standard output
  std::string stats_json_path;  // empty: no JSON summary file
  bool progress = false;        // the live status line on stderr
  FetchOptions fetch;
};

// "async", "threads", "sync".
const char* mode_name(Mode mode) noexcept;

// "acrawl/<version>".
std::string default_user_agent();

}  // namespace acrawl::crawler
