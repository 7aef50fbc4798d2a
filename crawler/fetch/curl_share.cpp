#include "crawler/fetch/curl_share.hpp"

#include <stdexcept>
#include <string>

namespace acrawl::crawler {

namespace {
template <class T>
void set(CURLSH* share, CURLSHoption option, const char* name, T value) {
  const CURLSHcode code = curl_share_setopt(share, option, value);
  if (code != CURLSHE_OK) {
    throw std::runtime_error(std::string("libcurl refuses ") + name + ": " +
                             curl_share_strerror(code));
  }
}
}  // namespace

SharedCaches::SharedCaches(bool cookies) {
  share_ = curl_share_init();
  if (share_ == nullptr) throw std::runtime_error("curl_share_init failed");
  try {
    set(share_, CURLSHOPT_LOCKFUNC, "CURLSHOPT_LOCKFUNC", &SharedCaches::lock);
    set(share_, CURLSHOPT_UNLOCKFUNC, "CURLSHOPT_UNLOCKFUNC", &SharedCaches::unlock);
    set(share_, CURLSHOPT_USERDATA, "CURLSHOPT_USERDATA", this);
    set(share_, CURLSHOPT_SHARE, "sharing DNS", CURL_LOCK_DATA_DNS);
    set(share_, CURLSHOPT_SHARE, "sharing TLS sessions", CURL_LOCK_DATA_SSL_SESSION);
    if (cookies) set(share_, CURLSHOPT_SHARE, "sharing cookies", CURL_LOCK_DATA_COOKIE);
    // Not CURL_LOCK_DATA_CONNECT: one shared connection pool behind one lock made the list
    // benchmark twice as slow (1.6-1.8 s against 0.8-1.0 s): each thread keeps its own.
  } catch (...) {
    curl_share_cleanup(share_);
    throw;
  }
}

SharedCaches::~SharedCaches() {
  curl_share_cleanup(share_);
}

void SharedCaches::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<SharedCaches*>(self)->locks_[static_cast<std::size_t>(data)].lock();
}

void SharedCaches::unlock(CURL*, curl_lock_data data, void* self) {
  static_cast<SharedCaches*>(self)->locks_[static_cast<std::size_t>(data)].unlock();
}

}  // namespace acrawl::crawler
