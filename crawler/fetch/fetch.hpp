#pragma once
// Fetch: one reusable curl easy handle with the crawler's transfer configuration, shared by
// every execution mode: redirects (at most max_redirects, http/https only), connect and total
// timeouts, a body cap enforced while receiving (after decompression), Accept-Encoding for every
// coding curl supports, a User-Agent; the user's headers, cookies, credentials and proxies.

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "crawler/config.hpp"
#include "crawler/text/utf8.hpp"

namespace acrawl::crawler {

// What one transfer produced, independent of how it was scheduled.
struct FetchResult {
  CURLcode code = CURLE_OK;
  bool too_large = false;  // the body cap stopped the transfer
  long status = 0;         // last HTTP status seen, 0 if none
  std::string final_url;
  std::string content_type;
  std::string body;
  std::uint64_t bytes = 0;  // body bytes received (decoded)
  // title_only: body holds only the bytes that settle the title (and the prescan's 1024);
  // utf8 saw every byte received, for the sniffing of an undeclared encoding.
  bool body_cut = false;
  Utf8Stream utf8;
  long redirects = 0;
  double elapsed_ms = 0;
  bool non_html = false;         // Content-Type said not HTML: the body was not kept
  std::string redirect_url;      // Location of a 3xx not followed (recursive crawls)
  long retry_after_seconds = 0;  // Retry-After of a 429/503 (0: none)
  // code is CURLE_PROXY for every failure at the proxy (not reached, or it refused the tunnel),
  // whatever curl's own code: the page's record then says `proxy`.
};

class Fetch {
 public:
  // Throws std::runtime_error if curl cannot create an easy handle or refuses one of the
  // options (naming it). share (optional) shares the DNS and TLS session caches with other
  // handles (threads mode; each handle keeps its own connections). stop (optional) aborts a
  // blocking transfer in progress once it becomes true (Ctrl-C in the blocking modes).
  explicit Fetch(const FetchOptions& options, CURLSH* share = nullptr,
                 const std::atomic<bool>* stop = nullptr);
  ~Fetch();
  Fetch(const Fetch&) = delete;
  Fetch& operator=(const Fetch&) = delete;

  // Prepares a transfer of url, clearing the previous one's state. keep_connection false: no
  // further request to this host is known, so its connection and its DNS entry are not kept
  // for reuse (with thousands of hosts, idle connections and cache entries would pile up and
  // make every later transfer slower). credentials: send --user (the URL's origin is a seed's;
  // curl itself drops it on a redirect to another origin). Returns curl's refusal of the URL
  // (the transfer's outcome then: pass it to finish() without performing), else CURLE_OK.
  // Never throws.
  CURLcode prepare(const std::string& url, bool keep_connection = true, bool credentials = false);
  CURL* easy() const noexcept { return easy_; }
  // Collects the outcome of the transfer that ended with code; moves the body out.
  FetchResult finish(CURLcode code);

 private:
  void configure(const FetchOptions& options, CURLSH* share, const std::atomic<bool>* stop);
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self) noexcept;
  static int on_progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept;
  void check_type();
  void keep(const char* data, std::size_t len);
  void cut_after_title();
  CURLcode choose_proxy(const std::string& url);
  bool proxy_failed(CURLcode code) const;

  static constexpr curl_off_t kReadThroughBytes = 16 * 1024;
  static constexpr std::size_t kPrescanBytes = 1024;  // the <meta> charset prescan's window
  static constexpr long kDnsCacheSeconds = 60;        // libcurl's default

  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string user_;
  ProxyOptions proxies_;
  bool via_proxy_ = false;  // this transfer goes through a proxy
  std::size_t max_body_;
  std::string body_;
  bool too_large_ = false;
  bool any_type_ = false;
  HttpVersion http_ = HttpVersion::best;
  bool type_checked_ = false;
  bool title_only_ = false;
  std::uint64_t received_ = 0;
  Utf8Stream utf8_;
  bool cut_ = false;             // the title is settled: no more bytes kept
  bool cut_given_up_ = false;    // markup not ASCII: the title needs the whole body
  std::size_t title_after_ = 0;  // title_settling_prefix's `after`
  std::size_t title_scan_ = 0;   // searched for `</title>` up to here
  // An end tag cut off by the end of a piece: `</title` and up to 57 bytes to its '>'. A longer
  // one is missed, which costs only the saving (the body is then kept).
  static constexpr std::size_t kEndTagSlack = 64;
  int title_attempts_ = 0;
  bool non_html_ = false;
  bool stopped_ = false;
};

}  // namespace acrawl::crawler
