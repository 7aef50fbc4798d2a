// acrawl: argv -> config -> crawl -> exit code.

#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>
#include <system_error>

#include "bench/mode_comparison.hpp"
#include "crawler/config.hpp"
#include "crawler/crawl/run_crawl.hpp"
#include "crawler/input/url_source.hpp"
#include "crawler/output/sink.hpp"
#include "crawler/state/export.hpp"
#include "crawler/state/redis_export.hpp"
#include "crawler/state/redis_state.hpp"
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

int export_records(const acrawl::cli::ExportJob& job) {
  using namespace acrawl;
  std::FILE* out = stdout;
  if (!job.output_path.empty()) {
    out = std::fopen(job.output_path.c_str(), "wb");
    if (out == nullptr) {
      throw crawler::OutputError(errno, std::generic_category(),
                                 "cannot open output file '" + job.output_path + "'");
    }
  }
  const std::int64_t n = crawler::is_redis_url(job.state_path)
                             ? crawler::export_redis(job.state_path, job.crawl_id, job.format, out)
                             : crawler::export_state(job.state_path, job.format, out);
  if (out != stdout && std::fclose(out) != 0) {
    throw crawler::OutputError(errno, std::generic_category(), "cannot write output file");
  }
  spdlog::info("{} records from {}", n, job.state_path);
  return cli::kExitOk;
}

int run(const acrawl::cli::Invocation& inv) {
  using namespace acrawl;
  if (inv.bench) return bench::compare_modes(*inv.bench);
  if (inv.export_job) return export_records(*inv.export_job);
  crawler::CrawlSummary summary = crawler::run_crawl(*inv.config);
  spdlog::info("{}", crawler::format_summary(summary));
  return summary.interrupted  ? cli::kExitInterrupted
         : summary.failed > 0 ? cli::kExitSomeFailed
                              : cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace acrawl;
  cli::Invocation inv = cli::parse_command_line(argc, argv);
  if (!inv.config && !inv.bench && !inv.export_job) return inv.exit_code;
  setup_logging(inv.verbosity);
  if (const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT); init != CURLE_OK) {
    spdlog::error("libcurl cannot start: {}", curl_easy_strerror(init));
    return cli::kExitCannotRun;
  }
  int code = cli::kExitOk;
  try {
    code = run(inv);
  } catch (const crawler::InputError& e) {
    spdlog::error("{}", e.what());
    code = cli::kExitUsage;
  } catch (const crawler::ConfigError& e) {  // a setting that cannot be used (--cacert, ...)
    spdlog::error("{}", e.what());
    code = cli::kExitUsage;
  } catch (const crawler::OutputError& e) {  // full disk, closed pipe, a directory
    spdlog::error("{}", e.what());
    code = cli::kExitUsage;
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory");
    code = cli::kExitCannotRun;
  } catch (const std::exception& e) {  // threads, epoll, descriptors, a libcurl option refused
    spdlog::error("cannot run: {}", e.what());
    code = cli::kExitCannotRun;
  }
  curl_global_cleanup();
  return code;
}
