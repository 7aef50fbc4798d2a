#include "src/cli.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <iostream>
#include <optional>
#include <regex>
#include <string>

#include "crawler/fetch/proxy.hpp"
#include "crawler/metrics/listen_address.hpp"

namespace acrawl::cli {

namespace {

constexpr const char* kExamples = R"(
Examples:
  acrawl urls.txt --concurrency 50 > titles.tsv
  acrawl https://example.org/ https://example.com/
  acrawl https://example.org/docs/ --depth 3 --scope prefix --links-file links.tsv
  grep -v '^#' list.txt | acrawl - --format jsonl -o pages.jsonl
  acrawl urls.txt --mode threads --stats-json stats.json > titles.tsv
  acrawl https://example.org/ --depth 5 --state crawl.db -o pages.tsv   (kill it, run it again)
  acrawl export crawl.db --format jsonl > pages.jsonl
  acrawl bench --pages 2000 --latency-ms 20     (compare the three modes on loopback)

Output: one record per input URL on standard output (url, status, title in TSV; more
fields in JSONL); logs and the summary go to standard error.
Exit status: 0 every page succeeded (2xx), 1 some did not, 2 usage, input or output error,
3 acrawl could not run (the system refused threads, descriptors or memory, or libcurl an
option), 130 interrupted (SIGINT/SIGTERM; records already produced are kept).)";

crawler::Mode parse_mode(const std::string& name) {
  if (name == "threads") return crawler::Mode::threads;
  if (name == "sync") return crawler::Mode::sync;
  return crawler::Mode::async;
}

// Durations given in seconds are at most this long (about 11.6 days); longer ones are taken as
// this. Clamped in seconds, before converting: 1e300 s must not overflow into "no timeout".
constexpr double kMaxSeconds = 1e6;

// A positive, finite number of seconds ("inf", "nan", 0 and negative values are usage errors).
const CLI::Validator kSeconds(
    [](std::string& value) -> std::string {
      double d = 0;
      try {
        std::size_t used = 0;
        d = std::stod(value, &used);
        if (used != value.size()) return "not a number of seconds: " + value;
      } catch (const std::exception&) {
        return "not a number of seconds: " + value;
      }
      if (!std::isfinite(d) || d <= 0) return "must be a positive number of seconds: " + value;
      return {};
    },
    "SECONDS");

// A whole number, 0 or more (a negative one would wrap around in an unsigned option).
const CLI::Validator kCount(
    [](std::string& value) -> std::string {
      const bool digits =
          !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      return digits ? std::string() : "must be a whole number, 0 or more: " + value;
    },
    "N");

// Milliseconds of a validated, positive number of seconds: at least 1 (curl reads 0 as "no
// limit"), at most kMaxSeconds.
long to_ms(double seconds) {
  const double clamped = std::min(seconds, kMaxSeconds);
  return std::max(1L, static_cast<long>(std::llround(clamped * 1000.0)));
}

// A -H line curl would send as the user means it: a header name, then ':' (a value, or none to
// drop the header) or ';' (sent empty); no line breaks (they would smuggle other headers in).
bool valid_header(const std::string& line) {
  const std::size_t end = line.find_first_of(":;");
  if (end == 0 || end == std::string::npos) return false;
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == ',' || c == '/' || c == '@' ||
        c == '[' || c == ']' || c == '?' || c == '=' || c == '{' || c == '}' || c == '"' ||
        c == '<' || c == '>' || c == '\\') {
      return false;
    }
  }
  if (line[end] == ';' && end + 1 != line.size()) return false;
  return line.find_first_of("\r\n") == std::string::npos;
}

// Headers, cookies, credentials and proxies into config; the reason they cannot be used, or "".
std::string request_options(crawler::CrawlConfig& config, const std::string& cookie,
                            const std::string& proxy, const std::optional<std::string>& no_proxy) {
  for (const std::string& line : config.fetch.headers) {
    if (!valid_header(line)) {
      return "-H '" + line + "': not a header line ('Name: value', 'Name:' or 'Name;')";
    }
  }
  // curl's rule: with a '=' it is the cookies themselves, else the name of a file.
  if (cookie.find('=') != std::string::npos) {
    if (cookie.find_first_of("\r\n") != std::string::npos) return "--cookie: line breaks in it";
    config.fetch.cookie = cookie;
  } else {
    config.cookie_file = cookie;
  }
  config.fetch.cookie_engine = !config.cookie_file.empty() || !config.cookie_jar.empty();
  if (!config.fetch.user.empty() && config.fetch.user.find(':') == std::string::npos) {
    return "--user needs USER:PASSWORD";
  }
  try {
    config.fetch.proxy = crawler::resolve_proxies(proxy, no_proxy);
  } catch (const crawler::ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

Invocation parse_command_line(int argc, char** argv) {
  crawler::CrawlConfig config;
  double connect_timeout_s = static_cast<double>(config.fetch.connect_timeout_ms) / 1000.0;
  double timeout_s = static_cast<double>(config.fetch.timeout_ms) / 1000.0;
  std::string format = "tsv";
  std::string mode = "async";
  int verbose = 0;
  bool quiet = false;
  bool no_progress = false;

  CLI::App app("acrawl: a concurrent web crawler that prints each page's title", "acrawl");
  app.footer(kExamples);
  app.set_version_flag("--version", std::string("acrawl ") + ACRAWL_VERSION);
  app.add_option("inputs", config.inputs, "Files of URLs (one per line), URLs, or - for stdin");
  app.add_option("-c,--concurrency", config.concurrency, "Transfers in flight at once")
      ->default_val(config.concurrency)
      ->check(CLI::Range(1, 100000));
  app.add_option("--mode", mode, "Execution model: coroutines, OS threads, or one at a time")
      ->default_val(mode)
      ->check(CLI::IsMember({"async", "threads", "sync"}));
  app.add_option("--parsers", config.parsers, "Parser threads in async mode (0: one per core)")
      ->default_val(config.parsers)
      ->check(CLI::Range(0, 256));
  app.add_option("--format", format, "Output format")
      ->default_val(format)
      ->check(CLI::IsMember({"tsv", "jsonl", "csv"}));
  app.add_option("-o,--output", config.output_path, "Write records to FILE instead of stdout");
  app.add_option("--connect-timeout", connect_timeout_s, "Seconds to establish a connection")
      ->default_val(connect_timeout_s)
      ->check(kSeconds);
  app.add_option("--timeout", timeout_s, "Seconds for a whole transfer")
      ->default_val(timeout_s)
      ->check(kSeconds);
  app.add_option("--retries", config.retry.retries,
                 "Further attempts for transient failures (connect errors, resets, timeouts, "
                 "429, 502, 503, 504)")
      ->default_val(config.retry.retries)
      ->check(CLI::Range(0, 100));
  app.add_option("--retry-delay", config.retry.base_delay_ms,
                 "Milliseconds before the first retry; doubled for each further one, with jitter; "
                 "at least the server's Retry-After")
      ->default_val(config.retry.base_delay_ms)
      ->check(CLI::Range(0L, 3'600'000L));
  app.add_option("--min-speed", config.fetch.min_speed_bytes,
                 "Abort a transfer slower than this many bytes/s for --min-speed-time (0: never)")
      ->default_val(config.fetch.min_speed_bytes)
      ->check(CLI::Range(0L, 1L << 30));
  app.add_option("--min-speed-time", config.fetch.min_speed_seconds,
                 "Seconds a transfer may stay under --min-speed")
      ->default_val(config.fetch.min_speed_seconds)
      ->check(CLI::Range(1L, 86400L));
  app.add_option("--max-bytes", config.fetch.max_body_bytes,
                 "Largest body to accept, after decompression (bytes)")
      ->default_val(config.fetch.max_body_bytes)
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  app.add_option("--user-agent", config.fetch.user_agent, "User-Agent header")
      ->default_str(crawler::default_user_agent());
  const char* kTls = "TLS and HTTP versions";
  app.add_option("--cacert", config.fetch.ca_file,
                 "Trust the CA certificates in this PEM file instead of the system's")
      ->check(CLI::ExistingFile)
      ->group(kTls);
  app.add_option("--capath", config.fetch.ca_path,
                 "Trust the CA certificates in this hashed directory (c_rehash) instead")
      ->check(CLI::ExistingDirectory)
      ->group(kTls);
  app.add_flag("-k,--insecure", config.fetch.insecure,
               "Do not verify TLS certificates or host names (warned on stderr)")
      ->group(kTls);
  bool http11 = false;
  bool http2 = false;
  app.add_flag("--http1.1", http11, "Use HTTP/1.1 only")->group(kTls);
  app.add_flag("--http2", http2,
               "Use HTTP/2: over TLS by ALPN, over http:// by an Upgrade (default: HTTP/2 where "
               "TLS offers it, else HTTP/1.1)")
      ->group(kTls);
  std::string cookie;
  std::string proxy;
  std::optional<std::string> no_proxy;
  const char* kRequests = "Requests: headers, cookies, credentials, proxies";
  app.add_option("-H,--header", config.fetch.headers,
                 "Send this header ('Name: value') to EVERY host, also hosts the crawl reaches "
                 "by links or redirects; 'Name:' drops one acrawl would send (repeatable)")
      ->type_name("LINE")
      ->allow_extra_args(false)  // one value per -H: the URLs after it are inputs
      ->group(kRequests);
  app.add_option("-b,--cookie", cookie,
                 "Cookies: 'a=b; c=d' is sent as is to every host; otherwise a Netscape cookie "
                 "file, whose cookies go to their own hosts only")
      ->type_name("STRING|FILE")
      ->group(kRequests);
  app.add_option("--cookie-jar", config.cookie_jar,
                 "Keep the cookies sites set (per host, for the rest of the crawl) and write "
                 "them all to FILE at the end (Netscape format)")
      ->type_name("FILE")
      ->group(kRequests);
  app.add_option("-u,--user", config.fetch.user,
                 "Basic auth, sent only to the origins of the input URLs: never to another host, "
                 "also not after a redirect to one")
      ->type_name("USER:PASSWORD")
      ->group(kRequests);
  app.add_option("-x,--proxy", proxy,
                 "Go through this proxy (http, https, socks4, socks5 or socks5h://HOST:PORT); "
                 "default: http_proxy, https_proxy, all_proxy from the environment")
      ->type_name("URL")
      ->group(kRequests);
  app.add_option("--noproxy", no_proxy,
                 "Hosts reached directly: names (and their subdomains), IPs, CIDR ranges, "
                 "separated by commas, or * (default: no_proxy from the environment)")
      ->type_name("LIST")
      ->group(kRequests);
  app.add_option("--stats-json", config.stats_json_path, "Write the summary as JSON to FILE");
  app.add_option("--state", config.state_path,
                 "Keep the crawl in this SQLite file: after a kill or Ctrl-C the same command "
                 "resumes it, and -o FILE ends up with every record exactly once (stdout gets "
                 "the records of each run). Or in Redis (redis://HOST[:PORT][/DB]): every "
                 "acrawl given the same --state and --crawl-id shares the crawl, politeness "
                 "included; `acrawl export` gives its records")
      ->type_name("FILE|URL");
  app.add_option("--crawl-id", config.crawl_id,
                 "With --state redis://...: the crawl's name (its key prefix; default: derived "
                 "from the seeds and the options, so the same command shares one crawl)")
      ->type_name("NAME");
  app.add_option("--lease", config.lease_seconds,
                 "With --state redis://...: seconds before a dead worker's URLs go to another")
      ->default_val(config.lease_seconds)
      ->check(CLI::Range(1, 3600))
      ->type_name("SECONDS");
  app.add_flag("--no-progress", no_progress, "No live status line on stderr");
  app.add_option_function<std::string>(
         "--metrics",
         [&config](const std::string& value) {
           config.metrics = crawler::parse_listen_address(value);
           if (!config.metrics) {
             throw CLI::ValidationError(
                 "--metrics", "'" + value +
                                  "' is not HOST:PORT with a numeric address, such as "
                                  "127.0.0.1:9100, [::1]:9100 or 0.0.0.0:9100 (every interface)");
           }
         },
         "Serve GET /metrics (Prometheus text format) and GET /status (JSON) on HOST:PORT while "
         "the crawl runs (port 0: any free port, logged)")
      ->type_name("HOST:PORT");

  crawler::FollowOptions& follow = config.follow;
  std::string scope = "host";
  bool ignore_robots = false;
  const char* kFollow = "Following links";
  app.add_option("--depth", follow.depth, "Follow links this many hops from the inputs (0: none)")
      ->default_val(follow.depth)
      ->check(CLI::Range(0, 1'000'000))
      ->group(kFollow);
  app.add_option("--max-pages", follow.max_pages,
                 "Queue no more links once N pages are queued; inputs count and are always "
                 "fetched (0: no limit)")
      ->default_val(follow.max_pages)
      ->check(kCount)
      ->group(kFollow);
  app.add_option("--scope", scope,
                 "Links followed: same host, same registrable domain, under the input's "
                 "directory, or any")
      ->default_val(scope)
      ->check(CLI::IsMember({"host", "domain", "prefix", "any"}))
      ->group(kFollow);
  app.add_option("--include", follow.include, "Follow only URLs matching REGEX (repeatable)")
      ->allow_extra_args(false)
      ->group(kFollow);
  app.add_option("--exclude", follow.exclude, "Never follow URLs matching REGEX (repeatable)")
      ->allow_extra_args(false)
      ->group(kFollow);
  app.add_flag("--ignore-robots", ignore_robots, "Do not obey robots.txt")->group(kFollow);
  app.add_flag("--sitemaps", follow.sitemaps,
               "Also crawl the pages listed in each input site's sitemaps (its robots.txt "
               "Sitemap: lines, else /sitemap.xml; indexes and .gz read), as inputs at depth 0 "
               "that obey --scope and robots.txt")
      ->group(kFollow);
  app.add_flag("--respect-nofollow", follow.respect_nofollow, "Skip rel=nofollow links")
      ->group(kFollow);
  app.add_option("--per-host", follow.per_host,
                 "Requests in flight per host (0: 8 when following links, else no cap)")
      ->default_val(follow.per_host)
      ->check(CLI::Range(0, 100000))
      ->group(kFollow);
  app.add_option("--delay", follow.delay_ms,
                 "Milliseconds between request starts to one host (robots.txt Crawl-delay wins "
                 "when larger)")
      ->default_val(follow.delay_ms)
      ->check(CLI::Range(0L, 3'600'000L))
      ->group(kFollow);
  app.add_flag("--links", follow.links, "Add each page's links to its record (jsonl)")
      ->group(kFollow);
  app.add_option("--links-file", follow.links_path,
                 "Write `page<TAB>link` lines to FILE (records stay as they are; --links adds "
                 "links to JSONL records)")
      ->group(kFollow);
  app.add_flag("-v,--verbose", verbose, "More logging on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");

  bench::ModeComparison bench_options;
  std::vector<std::string> bench_modes{"async", "threads", "sync"};
  CLI::App* bench = app.add_subcommand(
      "bench", "Compare the execution models on a generated site served on 127.0.0.1");
  bench->add_option("--modes", bench_modes, "Modes to run, in order")
      ->delimiter(',')
      ->default_str("async,threads,sync")
      ->check(CLI::IsMember({"async", "threads", "sync"}));
  bench->add_option("--pages", bench_options.pages, "Pages to crawl")
      ->default_val(bench_options.pages)
      ->check(CLI::Range(1, 10'000'000));
  bench->add_option("--latency-ms", bench_options.latency_ms, "Latency the server adds per page")
      ->default_val(bench_options.latency_ms)
      ->check(CLI::Range(0, 60'000));
  bench->add_option("--concurrency", bench_options.concurrency, "Transfers in flight at once")
      ->default_val(bench_options.concurrency)
      ->check(CLI::Range(1, 100000));

  ExportJob export_job;
  std::string export_format = "tsv";
  CLI::App* exporter = app.add_subcommand(
      "export", "Print every record of a --state crawl, each URL once, finished or not");
  exporter
      ->add_option("state", export_job.state_path,
                   "The crawl's state file, or its Redis (redis://HOST[:PORT][/DB])")
      ->required()
      ->type_name("STATE");
  exporter->add_option("--crawl-id", export_job.crawl_id, "The crawl's name in Redis")
      ->type_name("NAME");
  exporter->add_option("--format", export_format, "Output format")
      ->default_val(export_format)
      ->check(CLI::IsMember({"tsv", "jsonl", "csv"}));
  exporter->add_option("-o,--output", export_job.output_path,
                       "Write records to FILE instead of stdout");

  Invocation inv;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    inv.exit_code = app.exit(e) == 0 ? kExitOk : kExitUsage;
    return inv;
  }
  if (bench->parsed()) {
    bench_options.modes.clear();
    for (const auto& m : bench_modes) bench_options.modes.push_back(parse_mode(m));
    bench_options.acrawl_exe = "/proc/self/exe";
    inv.verbosity = quiet ? -1 : verbose;
    inv.bench = std::move(bench_options);
    return inv;
  }
  if (exporter->parsed()) {
    export_job.format = export_format == "jsonl" ? crawler::OutputFormat::jsonl
                        : export_format == "csv" ? crawler::OutputFormat::csv
                                                 : crawler::OutputFormat::tsv;
    inv.verbosity = quiet ? -1 : verbose;
    inv.export_job = std::move(export_job);
    return inv;
  }
  if (config.inputs.empty()) {
    std::cerr << "acrawl: no input: give a file of URLs, URLs, or - for standard input\n"
              << "Run with --help for more information.\n";
    inv.exit_code = kExitUsage;
    return inv;
  }
  if (http11 && http2) {
    std::cerr << "acrawl: --http1.1 and --http2 contradict each other\n";
    inv.exit_code = kExitUsage;
    return inv;
  }
  config.fetch.http = http11  ? crawler::HttpVersion::http1_1
                      : http2 ? crawler::HttpVersion::http2
                              : crawler::HttpVersion::best;
  if (quiet && verbose > 0) {
    std::cerr << "acrawl: --quiet and --verbose contradict each other\n";
    inv.exit_code = kExitUsage;
    return inv;
  }
  if (follow.links && format != "jsonl") {
    std::cerr << "acrawl: --links needs --format jsonl (or use --links-file FILE)\n";
    inv.exit_code = kExitUsage;
    return inv;
  }
  for (const auto* patterns : {&follow.include, &follow.exclude}) {
    for (const std::string& p : *patterns) {
      try {
        std::regex re(p, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        std::cerr << "acrawl: bad regular expression '" << p << "': " << e.what() << "\n";
        inv.exit_code = kExitUsage;
        return inv;
      }
    }
  }
  if (std::string why = request_options(config, cookie, proxy, no_proxy); !why.empty()) {
    std::cerr << "acrawl: " << why << "\n";
    inv.exit_code = kExitUsage;
    return inv;
  }
  follow.robots = !ignore_robots;
  follow.scope = scope == "domain"   ? crawler::ScopeKind::domain
                 : scope == "prefix" ? crawler::ScopeKind::prefix
                 : scope == "any"    ? crawler::ScopeKind::any
                                     : crawler::ScopeKind::host;
  config.format = format == "jsonl" ? crawler::OutputFormat::jsonl
                  : format == "csv" ? crawler::OutputFormat::csv
                                    : crawler::OutputFormat::tsv;
  config.mode = parse_mode(mode);
  config.progress = !no_progress && !quiet && ::isatty(2) == 1;
  config.fetch.connect_timeout_ms = to_ms(connect_timeout_s);
  config.fetch.timeout_ms = to_ms(timeout_s);
  inv.verbosity = quiet ? -1 : verbose;
  inv.config = std::move(config);
  return inv;
}

}  // namespace acrawl::cli
