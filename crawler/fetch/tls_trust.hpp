#pragma once
// TlsTrust: the certificates every TLS connection verifies against, parsed once per process.
//
// libcurl 7.88 with OpenSSL 3 builds a certificate store from the CA bundle for every new
// connection (about 25 ms of CPU each: a list of 100,000 HTTPS sites would spend most of its
// time there). Instead one X509_STORE is loaded at start and handed to each connection's SSL_CTX
// through CURLOPT_SSL_CTX_FUNCTION, with libcurl's own CA file and path unset; verification of
// the peer and the host name stays on.

#include <curl/curl.h>

#include <mutex>
#include <string>

namespace acrawl::crawler {

class TlsTrust {
 public:
  // The store for these locations (empty: libcurl's built-in defaults, loaded at the first TLS
  // connection), kept for the life of the process; thread-safe. Throws ConfigError when a
  // location given cannot be read or holds no certificate.
  static const TlsTrust& shared(const std::string& ca_file, const std::string& ca_path);

  // Points easy's TLS verification at this store. Returns false (and changes nothing) when
  // libcurl is not built on OpenSSL, or there was nothing to load: libcurl then verifies as it
  // would by itself. Throws std::runtime_error when libcurl refuses an option.
  bool apply(CURL* easy) const;

  // How many certificates and CRLs the store holds (for tests and logs).
  int objects() const noexcept;

  TlsTrust(const TlsTrust&) = delete;
  TlsTrust& operator=(const TlsTrust&) = delete;
  ~TlsTrust();

 private:
  TlsTrust(const std::string& ca_file, const std::string& ca_path);
  static CURLcode on_ssl_ctx(CURL* easy, void* ssl_ctx, void* self) noexcept;
  // A store of these locations (X509_STORE*). Throws ConfigError as shared() says.
  static void* load(const std::string& ca_file, const std::string& ca_path, bool given);
  void load_defaults() const noexcept;

  mutable void* store_ = nullptr;  // X509_STORE*, kept out of this header
  std::string default_file_;
  std::string default_path_;
  mutable std::once_flag once_;
  mutable bool loaded_ = false;  // written only before sharing or inside once_
};

}  // namespace acrawl::crawler
