// acrawl: argv -> config -> crawl -> exit code.

#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <system_error>

#include <exception>

#include "bench/mode_comparison.hpp"
#include "crawler/crawl/run_crawl.hpp"
#include "crawler/input/url_source.hpp"
#include "src/cli.hpp"

namespace {

void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("acrawl");
  logger->set_pattern("acrawl: %^%l%$: %v");
  logger->set_level(verbosity < 0    ? spdlog::level::err
                    : verbosity == 0 ? spdlog::level::info
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace acrawl;
  cli::Invocation inv = cli::parse_command_line(argc, argv);
  if (!inv.config && !inv.bench) return inv.exit_code;
  setup_logging(inv.verbosity);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int code = cli::kExitOk;
  try {
    if (inv.bench) {
      code = bench::compare_modes(*inv.bench);
      curl_global_cleanup();
      return code;
    }
    crawler::CrawlSummary summary = crawler::run_crawl(*inv.config);
    spdlog::info("{}", crawler::format_summary(summary));
    code = summary.interrupted  ? cli::kExitInterrupted
           : summary.failed > 0 ? cli::kExitSomeFailed
                                : cli::kExitOk;
  } catch (const crawler::InputError& e) {
    spdlog::error("{}", e.what());
    code = cli::kExitUsage;
  } catch (const std::system_error& e) {  // the output cannot be written (disk full, ...)
    spdlog::error("{}", e.what());
    code = cli::kExitUsage;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    code = cli::kExitSomeFailed;
  }
  curl_global_cleanup();
  return code;
}
