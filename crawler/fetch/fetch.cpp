#include "crawler/fetch/fetch.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "crawler/fetch/proxy.hpp"
#include "crawler/fetch/tls_trust.hpp"
#include "crawler/html/title.hpp"
#include "crawler/text/charset.hpp"
#include "crawler/text/mime.hpp"

namespace acrawl::crawler {

std::string default_user_agent() {
  return std::string("acrawl/") + ACRAWL_VERSION;
}

namespace {

// An option this libcurl refuses (too old, built without a feature) is an error at start-up,
// not a silently different crawl.
template <class T>
void set(CURL* easy, CURLoption option, const char* name, T value) {
  const CURLcode code = curl_easy_setopt(easy, option, value);
  if (code != CURLE_OK) {
    throw std::runtime_error(std::string("libcurl ") + curl_version_info(CURLVERSION_NOW)->version +
                             " refuses " + name + ": " + curl_easy_strerror(code));
  }
}

}  // namespace

Fetch::Fetch(const FetchOptions& options, CURLSH* share, const std::atomic<bool>* stop)
    : max_body_(options.max_body_bytes) {
  easy_ = curl_easy_init();
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  try {
    configure(options, share, stop);
  } catch (...) {
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
    throw;
  }
}

void Fetch::configure(const FetchOptions& options, CURLSH* share, const std::atomic<bool>* stop) {
  any_type_ = options.any_content_type;
  title_only_ = options.title_only && !options.any_content_type;
  http_ = options.http;
  const std::string agent = options.user_agent.empty() ? default_user_agent() : options.user_agent;
#define ACRAWL_SET(option, value) set(easy_, option, #option, value)
  ACRAWL_SET(CURLOPT_NOSIGNAL, 1L);
  // A recursive crawl follows redirects itself (scope, robots, dedup apply to the target).
  ACRAWL_SET(CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  ACRAWL_SET(CURLOPT_MAXREDIRS, options.max_redirects);
  // Never let a page or a redirect make us read file://, ftp://, ...
  ACRAWL_SET(CURLOPT_PROTOCOLS_STR, "http,https");
  ACRAWL_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  ACRAWL_SET(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  ACRAWL_SET(CURLOPT_TIMEOUT_MS, options.timeout_ms);
  if (options.min_speed_bytes > 0) {
    ACRAWL_SET(CURLOPT_LOW_SPEED_LIMIT, options.min_speed_bytes);
    ACRAWL_SET(CURLOPT_LOW_SPEED_TIME, options.min_speed_seconds);
  }
  ACRAWL_SET(CURLOPT_ACCEPT_ENCODING, "");  // every coding curl supports
  ACRAWL_SET(CURLOPT_USERAGENT, agent.c_str());
  ACRAWL_SET(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_body_));
  ACRAWL_SET(CURLOPT_WRITEFUNCTION, &Fetch::on_body);
  ACRAWL_SET(CURLOPT_WRITEDATA, this);
  const long version = options.http == HttpVersion::http1_1 ? CURL_HTTP_VERSION_1_1
                       : options.http == HttpVersion::http2 ? CURL_HTTP_VERSION_2_0
                                                            : CURL_HTTP_VERSION_2TLS;
  ACRAWL_SET(CURLOPT_HTTP_VERSION, version);
  if (options.insecure) {
    ACRAWL_SET(CURLOPT_SSL_VERIFYPEER, 0L);
    ACRAWL_SET(CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    if (!TlsTrust::shared(options.ca_file, options.ca_path).apply(easy_)) {
      // A libcurl on another TLS library: it loads the certificates itself, per connection.
      if (!options.ca_file.empty()) ACRAWL_SET(CURLOPT_CAINFO, options.ca_file.c_str());
      if (!options.ca_path.empty()) ACRAWL_SET(CURLOPT_CAPATH, options.ca_path.c_str());
    }
  }
  if (options.receive_buffer > 0) ACRAWL_SET(CURLOPT_BUFFERSIZE, options.receive_buffer);
  if (share != nullptr) ACRAWL_SET(CURLOPT_SHARE, share);
  for (const std::string& line : options.headers) {
    curl_slist* more = curl_slist_append(headers_, line.c_str());
    if (more == nullptr) throw std::bad_alloc();
    headers_ = more;
  }
  if (headers_ != nullptr) ACRAWL_SET(CURLOPT_HTTPHEADER, headers_);
  if (!options.cookie.empty()) ACRAWL_SET(CURLOPT_COOKIE, options.cookie.c_str());
  // "": the engine on, no file read (the share's store holds the cookies, loaded once).
  if (options.cookie_engine) ACRAWL_SET(CURLOPT_COOKIEFILE, "");
  user_ = options.user;
  if (!user_.empty()) ACRAWL_SET(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  proxies_ = options.proxy;
  // Never the environment (acrawl read it already, see proxy.hpp): the proxy is set per URL,
  // the exemptions here, so that a redirect curl follows is exempted as no_proxy says.
  ACRAWL_SET(CURLOPT_PROXY, "");
  ACRAWL_SET(CURLOPT_NOPROXY, proxies_.no_proxy.c_str());
  if (stop != nullptr) {
    ACRAWL_SET(CURLOPT_NOPROGRESS, 0L);
    ACRAWL_SET(CURLOPT_XFERINFOFUNCTION, &Fetch::on_progress);
    ACRAWL_SET(CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(stop));
  }
#undef ACRAWL_SET
}

int Fetch::on_progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
  return static_cast<const std::atomic<bool>*>(stop)->load(std::memory_order_relaxed) ? 1 : 0;
}

Fetch::~Fetch() {
  curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
}

CURLcode Fetch::prepare(const std::string& url, bool keep_connection, bool credentials) {
  body_.clear();
  too_large_ = false;
  type_checked_ = false;
  non_html_ = false;
  stopped_ = false;
  received_ = 0;
  utf8_ = Utf8Stream();
  cut_ = false;
  cut_given_up_ = false;
  title_after_ = 0;
  title_scan_ = 0;
  title_attempts_ = 0;
  via_proxy_ = false;
  curl_easy_setopt(easy_, CURLOPT_FORBID_REUSE, keep_connection ? 0L : 1L);
  // Over TLS (HTTP/2 by ALPN), a transfer to a host whose connection is still being set up waits
  // the handshake out to learn whether it can share it, instead of opening one of its own. Not
  // over plain HTTP/1.1: it would learn that only from the first response, and wait for it.
  const bool may_multiplex =
      http_ != HttpVersion::http1_1 &&
      (http_ == HttpVersion::http2 || url.starts_with("https:") || url.starts_with("HTTPS:"));
  curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, may_multiplex ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_DNS_CACHE_TIMEOUT, keep_connection ? kDnsCacheSeconds : 0L);
  if (!user_.empty()) {
    curl_easy_setopt(easy_, CURLOPT_USERPWD, credentials ? user_.c_str() : nullptr);
  }
  const CURLcode code = curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  if (code != CURLE_OK || !proxies_.any()) return code;
  return choose_proxy(url);
}

// The URL's host by curl's own parser, so that the proxy decided is the one curl would.
CURLcode Fetch::choose_proxy(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed) return CURLE_OUT_OF_MEMORY;
  const CURLUcode ok = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0);
  char* host = nullptr;
  char* scheme = nullptr;
  if (ok != CURLUE_OK || curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    curl_free(host);
    return CURLE_URL_MALFORMAT;
  }
  // The scheme's proxy even for an exempt host (curl exempts it): a redirect it follows from
  // there to another host still goes through the proxy. (The scheme is the first URL's.)
  const bool https = std::string_view(scheme) == "https";
  via_proxy_ = !proxy_for(proxies_, https, host).empty();
  curl_free(host);
  curl_free(scheme);
  const std::string& proxy = https ? proxies_.https : proxies_.http;
  return curl_easy_setopt(easy_, CURLOPT_PROXY, proxy.c_str());
}

// Through a proxy, a connection that fails is the proxy's; so is a tunnel it would not open.
bool Fetch::proxy_failed(CURLcode code) const {
  if (!via_proxy_ || code == CURLE_OK) return false;
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_PROXY) {
    return true;
  }
  long connect_code = 0;
  curl_easy_getinfo(easy_, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  return connect_code >= 300;
}

std::size_t Fetch::on_body(char* data, std::size_t size, std::size_t n, void* self) noexcept {
  auto* f = static_cast<Fetch*>(self);
  std::size_t len = size * n;
  if (!f->type_checked_ && !f->any_type_) {
    f->type_checked_ = true;
    f->check_type();
    if (f->stopped_) return 0;
  }
  if (f->non_html_) return len;  // a short non-HTML body: read to keep the connection, not kept
  // Counted on decoded bytes: a small compressed body cannot smuggle a huge page past the cap.
  if (f->received_ + len > f->max_body_) {
    f->too_large_ = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  f->received_ += len;
  try {
    if (f->title_only_) {
      f->utf8_.feed(std::string_view(data, len));
      if (!f->cut_) f->keep(data, len);
      return len;
    }
    if (f->body_.empty()) {
      // Size the buffer once from Content-Length (decoded bodies may still grow past it).
      curl_off_t expected = -1;
      curl_easy_getinfo(f->easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
      if (expected > 0 && static_cast<std::size_t>(expected) <= f->max_body_) {
        f->body_.reserve(static_cast<std::size_t>(expected));
      }
    }
    f->body_.append(data, len);
  } catch (...) {
    return 0;
  }
  return len;
}

// Title-only transfers keep the body until the bytes that settle document.title (as the parse
// stage will find it) are in, and no more: with thousands of transfers in flight, memory is
// then a page head per transfer, not a page.
void Fetch::keep(const char* data, std::size_t len) {
  body_.append(data, len);
  if (!cut_given_up_ && body_.size() >= kPrescanBytes) cut_after_title();
}

void Fetch::cut_after_title() {
  char* type = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
  const Sniffed sniffed = sniff_encoding(body_, type != nullptr ? type : "", utf8_);
  if (!markup_is_ascii(sniffed.encoding)) {
    cut_given_up_ = true;
    return;
  }
  const std::string_view content = std::string_view(body_).substr(sniffed.bom_length);
  while (title_attempts_ < kPrefixAttempts) {
    // Only the bytes not searched yet (and a few before them, where an end tag may have been cut
    // off): rescanning the whole body per piece would be quadratic in a page without a title.
    const std::string_view raw =
        title_settling_prefix(content, std::max(title_after_, title_scan_));
    if (raw.empty()) {
      title_scan_ = content.size() > kEndTagSlack ? content.size() - kEndTagSlack : 0;
      return;  // no complete `</title>` yet: wait for more bytes
    }
    if (title_if_settled(decode_to_utf8(raw, sniffed.encoding))) {
      body_.resize(std::max(sniffed.bom_length + raw.size(), kPrescanBytes));
      body_.shrink_to_fit();
      cut_ = true;
      return;
    }
    title_after_ = raw.size();
    ++title_attempts_;
  }
  cut_given_up_ = true;  // the full parse decides: keep the whole body
}

// Decided at the first body bytes, when the headers are known: a body that is not HTML is not
// kept, and a large or unsized one is not even read (the connection is dropped instead: that
// costs a reconnect, worth it only to skip real downloads).
void Fetch::check_type() {
  char* type = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type) != CURLE_OK || type == nullptr) return;
  // Only a type that says "not HTML" drops the body: without a usable one, the body decides.
  const std::optional<bool> html = content_type_is_html(type);
  if (!html || *html) return;
  non_html_ = true;
  curl_off_t length = -1;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length < 0 || length > kReadThroughBytes) stopped_ = true;
}

FetchResult Fetch::finish(CURLcode code) {
  if (stopped_ && code == CURLE_WRITE_ERROR) code = CURLE_OK;  // stopped on purpose
  if (proxy_failed(code)) code = CURLE_PROXY;
  FetchResult r;
  r.non_html = non_html_;
  r.code = code;
  r.too_large = too_large_ || code == CURLE_FILESIZE_EXCEEDED;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &r.status);
  char* url = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != nullptr) {
    r.final_url = url;
  }
  char* type = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    r.content_type = type;
  }
  curl_easy_getinfo(easy_, CURLINFO_REDIRECT_COUNT, &r.redirects);
  char* location = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
      location != nullptr) {
    r.redirect_url = location;
  }
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    r.retry_after_seconds = static_cast<long>(retry_after);
  }
  curl_off_t total_us = 0;
  curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us);
  r.elapsed_ms = static_cast<double>(total_us) / 1000.0;
  r.bytes = received_;
  r.body_cut = cut_;
  r.utf8 = utf8_;
  r.body = std::move(body_);
  body_ = std::string();
  return r;
}

}  // namespace acrawl::crawler
