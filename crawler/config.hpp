#pragma once
// CrawlConfig: everything a crawl needs, as plain data (no CLI types).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace acrawl::crawler {

// A setting that cannot be used as given (a --cacert file that does not load, ...): a usage
// error, found before the crawl starts.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A --state that cannot be used: not an acrawl state, made by another crawl, in use by another
// process, damaged, unwritable (a full disk). Also a usage error (exit 2).
class StateError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

enum class OutputFormat { tsv, jsonl, csv };

// How the crawl is scheduled; the output is the same set of records in every mode.
enum class Mode { async, threads, sync };

// Which HTTP versions transfers offer (curl's --http1.1 and --http2).
enum class HttpVersion {
  best,     // HTTP/2 over TLS where ALPN offers it, HTTP/1.1 otherwise (the default)
  http1_1,  // HTTP/1.1 only
  http2,    // HTTP/2 over TLS, and over plain HTTP by an Upgrade
};

// The proxies a crawl goes through: --proxy, else the environment as curl reads it (http_proxy
// for http://, https_proxy or HTTPS_PROXY for https://, then all_proxy or ALL_PROXY), minus the
// hosts no_proxy (or --noproxy) names. acrawl decides per URL and tells curl, so that a failure
// is known to be the proxy's.
struct ProxyOptions {
  std::string http;      // proxy URL for http:// pages (empty: direct)
  std::string https;     // for https:// pages
  std::string no_proxy;  // curl's syntax: "*", or names, domains, IPs and CIDRs by ',' or ' '
  bool any() const noexcept { return !http.empty() || !https.empty(); }
};

struct FetchOptions {
  long connect_timeout_ms = 10'000;
  long timeout_ms = 30'000;  // whole transfer
  // Slower than this many bytes/s for min_speed_seconds aborts the transfer (`timeout`): a
  // server dribbling bytes cannot hold a slot for the whole --timeout. 0: no floor.
  long min_speed_bytes = 100;
  long min_speed_seconds = 15;
  std::size_t max_body_bytes = 10 * 1024 * 1024;  // after decompression
  long max_redirects = 10;
  bool follow_redirects = true;   // false: a 3xx is the page's answer (recursive crawls)
  bool any_content_type = false;  // keep non-HTML bodies too (robots.txt)
  // Only the title is wanted (no links): keep no more of a body than settles it.
  bool title_only = false;
  long receive_buffer = 0;  // curl's per-transfer receive buffer in bytes; 0: curl's default
  std::string user_agent;   // empty: "acrawl/<version>"
  HttpVersion http = HttpVersion::best;
  // TLS: the certificates trusted, loaded once per process (empty: libcurl's own defaults), or
  // no verification at all (--insecure).
  std::string ca_file;
  std::string ca_path;
  bool insecure = false;
  // -H lines, as curl takes them ("Name: value"; "Name:" drops a header curl would send,
  // "Name;" sends it empty). Sent to every host.
  std::vector<std::string> headers;
  std::string cookie;  // --cookie 'a=b; c=d': sent as is to every host (empty: none)
  // The cookie engine: cookies sites set are kept per host (domain and path rules) and sent back
  // (--cookie FILE, --cookie-jar). The store is the crawl's share handle (SharedCaches).
  bool cookie_engine = false;
  std::string user;  // --user USER:PASS: basic auth, to the seeds' origins only (per transfer)
  ProxyOptions proxy;
};

// Which discovered links a recursive crawl follows, relative to its start URLs.
enum class ScopeKind {
  host,    // the same host name as a start URL
  domain,  // the same registrable domain (public suffix list), e.g. a.example.org ~ example.org
  prefix,  // under a start URL's directory (scheme, host, port and path up to its last '/')
  any,
};

// Following links, and politeness. With depth 0 (the default) only the inputs are fetched.
struct FollowOptions {
  int depth = 0;              // links followed this many hops from an input URL
  std::size_t max_pages = 0;  // pages fetched at most, inputs included (0: no limit)
  ScopeKind scope = ScopeKind::host;
  std::vector<std::string> include;  // ECMAScript regexes searched in the URL: one must match
  std::vector<std::string> exclude;  // none may match
  bool robots = true;                // obey robots.txt (recursive crawls only)
  bool respect_nofollow = false;     // skip rel=nofollow links
  std::size_t per_host = 0;          // requests in flight per host; 0: 8 recursive, else no cap
  long delay_ms = 0;                 // between request starts to one host
  bool links = false;                // records carry the page's links (jsonl)
  std::string links_path;            // also write `page<TAB>link` lines to this file
  // Read each input origin's sitemaps (robots.txt Sitemap: lines, else /sitemap.xml) and crawl
  // the pages they list as inputs at depth 0 (found URLs: scope, robots.txt, dedup apply).
  bool sitemaps = false;

  bool recursive() const noexcept { return depth > 0; }
  // The crawl finds URLs (links or sitemaps): they are deduplicated, scoped and obey robots.txt
  // and per-host politeness, and redirects are followed by acrawl, through the same rules.
  bool discovers() const noexcept { return recursive() || sitemaps; }
};

// Transient failures (connect errors, resets, timeouts, 429, 502, 503, 504) are tried again.
struct RetryOptions {
  int retries = 2;             // further attempts after the first
  long base_delay_ms = 1'000;  // before attempt k+1: base * 2^(k-1), jittered by 0.5-1.5x
};

// An address to listen on: a numeric IPv4 or IPv6 address and a port (0: any free one).
struct ListenAddress {
  std::string ip;
  std::uint16_t port = 0;
};

struct CrawlConfig {
  std::vector<std::string> inputs;  // files, URLs or "-" (stdin)
  Mode mode = Mode::async;
  std::size_t concurrency = 50;  // transfers in flight at once (threads: the thread count)
  std::size_t parsers = 0;       // async: parser threads; 0: one per core
  OutputFormat format = OutputFormat::tsv;
  std::string output_path;      // empty: standard output
  std::string stats_json_path;  // empty: no JSON summary file
  std::string cookie_file;      // --cookie FILE: Netscape cookie file loaded before the crawl
  std::string cookie_jar;       // --cookie-jar FILE: every cookie known at the end, written here
  std::string state_path;       // --state: an SQLite file (resumable), or redis://... (shared)
  std::string crawl_id;         // --crawl-id: the crawl's name in Redis (empty: derived)
  int lease_seconds = 30;       // --lease: how long a dead worker's URLs stay leased (Redis)
  bool progress = false;        // the live status line on stderr
  std::optional<ListenAddress> metrics;  // --metrics: serve /metrics and /status there
  FetchOptions fetch;
  FollowOptions follow;
  RetryOptions retry;
};

// "async", "threads", "sync".
const char* mode_name(Mode mode) noexcept;

// "acrawl/<version>".
std::string default_user_agent();

}  // namespace acrawl::crawler
