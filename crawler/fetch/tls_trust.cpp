#include "crawler/fetch/tls_trust.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "crawler/config.hpp"

namespace acrawl::crawler {

namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "no certificate found";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// libcurl's compiled-in CA bundle and directory (Debian: /etc/ssl/certs/ca-certificates.crt and
// /etc/ssl/certs).
std::pair<std::string, std::string> curl_defaults() {
  std::pair<std::string, std::string> out;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return out;
  char* value = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &value) == CURLE_OK && value != nullptr) {
    out.first = value;
  }
  value = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CAPATH, &value) == CURLE_OK && value != nullptr) {
    out.second = value;
  }
  curl_easy_cleanup(easy);
  return out;
}

// Computes each certificate's cached extension data now, on one thread. OpenSSL fills that cache
// on first use and checks for it without a lock: with one store shared by many threads (the
// threads mode), the first verifications would race on it.
void warm(X509_STORE* store) {
  STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(store);
  const int n = objs == nullptr ? 0 : sk_X509_OBJECT_num(objs);
  for (int i = 0; i < n; ++i) {
    if (X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i))) {
      X509_check_purpose(cert, -1, 0);
    }
  }
}

bool curl_uses_openssl() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return info->ssl_version != nullptr && std::string(info->ssl_version).starts_with("OpenSSL");
}

}  // namespace

TlsTrust::TlsTrust(const std::string& ca_file, const std::string& ca_path) {
  const bool given = !ca_file.empty() || !ca_path.empty();
  if (given) {
    store_ = load(ca_file, ca_path, true);
    loaded_ = true;
    return;
  }
  // libcurl's defaults: loaded at the first TLS connection, not at start (about 40 ms of CPU
  // that a plain-HTTP crawl need not pay).
  std::tie(default_file_, default_path_) = curl_defaults();
  if (!exists(default_file_) && !exists(default_path_)) return;  // libcurl verifies its own way
  store_ = X509_STORE_new();
  if (store_ == nullptr) throw std::bad_alloc();
}

void* TlsTrust::load(const std::string& ca_file, const std::string& ca_path, bool given) {
  const std::string& file = ca_file;
  const std::string& path = ca_path;
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) throw std::bad_alloc();
  try {
    if (!file.empty() && (given || exists(file))) {
      if (X509_STORE_load_file(store, file.c_str()) != 1) {
        throw ConfigError("cannot load CA certificates from '" + file + "': " + openssl_error());
      }
    }
    // libcurl's default directory only when its default bundle is missing: a directory lookup
    // costs file system calls at each verification, and Debian's bundle holds the same
    // certificates.
    const bool file_loaded = !file.empty() && (given || exists(file));
    if (!path.empty() && (given ? !ca_path.empty() : !file_loaded && exists(path))) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw ConfigError("--capath '" + path + "' is not a directory");
      }
      // A hashed directory (c_rehash): certificates are read as a verification needs them.
      if (X509_STORE_load_path(store, path.c_str()) != 1) {
        throw ConfigError("cannot use CA directory '" + path + "': " + openssl_error());
      }
    }
  } catch (...) {
    X509_STORE_free(store);
    throw;
  }
  warm(store);
  return store;
}

void TlsTrust::load_defaults() const noexcept {
  std::call_once(once_, [this] {
    if (loaded_) return;
    try {
      void* loaded = load(default_file_, default_path_, false);
      X509_STORE_free(static_cast<X509_STORE*>(store_));
      store_ = loaded;
    } catch (...) {
      // An unreadable default bundle: the empty store verifies nothing (`tls` records), as
      // libcurl would fail on it.
    }
    loaded_ = true;
  });
}

TlsTrust::~TlsTrust() {
  X509_STORE_free(static_cast<X509_STORE*>(store_));
}

const TlsTrust& TlsTrust::shared(const std::string& ca_file, const std::string& ca_path) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, std::unique_ptr<TlsTrust>> stores;
  std::lock_guard lock(mutex);
  auto& slot = stores[{ca_file, ca_path}];
  if (!slot) slot.reset(new TlsTrust(ca_file, ca_path));
  return *slot;
}

int TlsTrust::objects() const noexcept {
  if (store_ == nullptr) return 0;
  load_defaults();
  STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(static_cast<X509_STORE*>(store_));
  return objs == nullptr ? 0 : sk_X509_OBJECT_num(objs);
}

CURLcode TlsTrust::on_ssl_ctx(CURL*, void* ssl_ctx, void* self) noexcept {
  const auto* trust = static_cast<const TlsTrust*>(self);
  trust->load_defaults();
  auto* store = static_cast<X509_STORE*>(trust->store_);
  // set1: the context takes a reference; the store outlives every context anyway.
  SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(ssl_ctx), store);
  return CURLE_OK;
}

bool TlsTrust::apply(CURL* easy) const {
  if (store_ == nullptr || !curl_uses_openssl()) return false;
  auto set = [easy](CURLoption option, const char* name, auto value) {
    const CURLcode code = curl_easy_setopt(easy, option, value);
    if (code != CURLE_OK) {
      throw std::runtime_error(std::string("libcurl refuses ") + name + ": " +
                               curl_easy_strerror(code));
    }
  };
  // No CA file or directory of libcurl's own: it would parse them again for each connection.
  set(CURLOPT_CAINFO, "CURLOPT_CAINFO", static_cast<const char*>(nullptr));
  set(CURLOPT_CAPATH, "CURLOPT_CAPATH", static_cast<const char*>(nullptr));
  set(CURLOPT_SSL_CTX_FUNCTION, "CURLOPT_SSL_CTX_FUNCTION", &TlsTrust::on_ssl_ctx);
  set(CURLOPT_SSL_CTX_DATA, "CURLOPT_SSL_CTX_DATA", const_cast<TlsTrust*>(this));
  return true;
}

}  // namespace acrawl::crawler
