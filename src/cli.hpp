#pragma once
// argv -> CrawlConfig. The only place that knows CLI11.

#include <optional>
#include <string>

#include "bench/mode_comparison.hpp"
#include "crawler/config.hpp"

namespace acrawl::cli {

// Process exit codes (documented in the README).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;
inline constexpr int kExitUsage = 2;  // usage, input or output error
// acrawl could not run: the system refused a resource (threads, descriptors, memory) or
// libcurl refused an option it needs.
inline constexpr int kExitCannotRun = 3;
inline constexpr int kExitInterrupted = 130;

// `acrawl export STATE`.
struct ExportJob {
  std::string state_path;
  std::string crawl_id;  // a Redis state's crawl
  crawler::OutputFormat format = crawler::OutputFormat::tsv;
  std::string output_path;  // empty: stdout
};

struct Invocation {
  std::optional<crawler::CrawlConfig> config;  // a crawl to run
  std::optional<bench::ModeComparison> bench;  // or `acrawl bench`
  std::optional<ExportJob> export_job;         // or `acrawl export`; none: nothing to run
  int exit_code = kExitOk;                     // when config is empty
  int verbosity = 0;                           // -1 quiet, 0 normal, 1+ verbose
};

// Parses argv. Prints help, the version or a usage error itself. Never throws but bad_alloc.
Invocation parse_command_line(int argc, char** argv);

}  // namespace acrawl::cli
