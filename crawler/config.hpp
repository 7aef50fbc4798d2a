#pragma once
// CrawlConfig: everything a crawl needs, as plain data (no CLI types).

#include <cstddef>
#include <string>
#include <vector>

namespace acrawl::crawler {

enum class OutputFormat { tsv, jsonl };

struct FetchOptions {
  long connect_timeout_ms = 10'000;
  long timeout_ms = 30'000;                       // whole transfer
  std::size_t max_body_bytes = 10 * 1024 * 1024;  // after decompression
  long max_redirects = 10;
  std::string user_agent;  // empty: "acrawl/<version>"
};

struct CrawlConfig {
  std::vector<std::string> inputs;  // files, URLs or "-" (stdin)
  std::size_t concurrency = 50;     // transfers in flight at once
  std::size_t parsers = 0;          // parser threads; 0: one per core
  OutputFormat format = OutputFormat::tsv;
  std::string output_path;  // empty: standard output
  FetchOptions fetch;
};

// "acrawl/<version>".
std::string default_user_agent();

}  // namespace acrawl::crawler
