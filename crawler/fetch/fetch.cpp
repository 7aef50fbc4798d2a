#include "crawler/fetch/fetch.hpp"

#include <stdexcept>

#include "crawler/text/mime.hpp"

namespace acrawl::crawler {

std::string default_user_agent() {
  return std::string("acrawl/") + ACRAWL_VERSION;
}

Fetch::Fetch(const FetchOptions& options, CURLSH* share, const std::atomic<bool>* stop)
    : max_body_(options.max_body_bytes) {
  easy_ = curl_easy_init();
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  any_type_ = options.any_content_type;
  const std::string agent = options.user_agent.empty() ? default_user_agent() : options.user_agent;
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  // A recursive crawl follows redirects itself (scope, robots, dedup apply to the target).
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, options.max_redirects);
  // Never let a page or a redirect make us read file://, ftp://, ...
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  if (options.min_speed_bytes > 0) {
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, options.min_speed_bytes);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, options.min_speed_seconds);
  }
  curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // every coding curl supports
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(easy_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_body_));
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Fetch::on_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  if (options.receive_buffer > 0) {
    curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, options.receive_buffer);
  }
  if (share != nullptr) curl_easy_setopt(easy_, CURLOPT_SHARE, share);
  if (stop != nullptr) {
    curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, &Fetch::on_progress);
    curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(stop));
  }
}

int Fetch::on_progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
  return static_cast<const std::atomic<bool>*>(stop)->load(std::memory_order_relaxed) ? 1 : 0;
}

Fetch::~Fetch() {
  curl_easy_cleanup(easy_);
}

void Fetch::prepare(const std::string& url) {
  body_.clear();
  too_large_ = false;
  type_checked_ = false;
  non_html_ = false;
  stopped_ = false;
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
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
  if (f->body_.size() + len > f->max_body_) {
    f->too_large_ = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  try {
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

// Decided at the first body bytes, when the headers are known: a body that is not HTML is not
// kept, and a large or unsized one is not even read (the connection is dropped instead: that
// costs a reconnect, worth it only to skip real downloads).
void Fetch::check_type() {
  char* type = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type) != CURLE_OK || type == nullptr) return;
  if (is_html(type, {})) return;
  non_html_ = true;
  curl_off_t length = -1;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length < 0 || length > kReadThroughBytes) stopped_ = true;
}

FetchResult Fetch::finish(CURLcode code) {
  if (stopped_ && code == CURLE_WRITE_ERROR) code = CURLE_OK;  // stopped on purpose
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
  r.bytes = body_.size();
  r.body = std::move(body_);
  body_ = std::string();
  return r;
}

}  // namespace acrawl::crawler
