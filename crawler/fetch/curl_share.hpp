#pragma once
// SharedCaches: a curl share handle with the DNS and TLS session caches (and the cookie store,
// when the cookie engine is on) shared by every easy handle of a crawl (the threads mode's
// threads; the async mode's handles over all its multi handles), locked per data kind. Connections
// are not shared: each thread's handle keeps its own (measured faster, see curl_share.cpp).

#include <curl/curl.h>

#include <array>
#include <mutex>

namespace acrawl::crawler {

class SharedCaches {
 public:
  // Throws std::runtime_error if curl cannot create the share handle. cookies: one cookie store
  // for the whole crawl (cookies a site sets on one transfer go back on the next, whatever
  // handle or thread makes it).
  explicit SharedCaches(bool cookies = false);
  // Precondition: no easy handle uses it any more.
  ~SharedCaches();
  SharedCaches(const SharedCaches&) = delete;
  SharedCaches& operator=(const SharedCaches&) = delete;

  CURLSH* handle() const noexcept { return share_; }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self);
  static void unlock(CURL*, curl_lock_data data, void* self);

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
};

}  // namespace acrawl::crawler
