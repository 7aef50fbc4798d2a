#include "tests/support/test_ca.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace acrawl::test {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("test CA: ") + what);
}

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) fail("EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) fail("X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert new_cert(EVP_PKEY* key, const char* cn, long serial, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new(), &X509_free);
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid");
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    fail("X509_sign");
  }
  return cert;
}

void write_pem(const std::string& path, X509* cert, X509* chain = nullptr) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) fail("fopen");
  PEM_write_X509(f, cert);
  if (chain != nullptr) PEM_write_X509(f, chain);
  std::fclose(f);
}

}  // namespace

TestCa::TestCa() {
  char tmpl[] = "/tmp/acrawl-ca-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) fail("mkdtemp");
  dir_ = tmpl;
  Key ca_key = new_key();
  Cert ca = new_cert(ca_key.get(), "acrawl test CA", 1, nullptr, nullptr);
  Key server_key = new_key();
  Cert server = new_cert(server_key.get(), "127.0.0.1", 2, ca.get(), ca_key.get());
  write_pem(ca_file(), ca.get());
  write_pem(cert_file(), server.get());
  FILE* f = std::fopen(key_file().c_str(), "w");
  if (f == nullptr) fail("fopen");
  PEM_write_PrivateKey(f, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  // A directory OpenSSL can look certificates up in: <subject hash>.0
  std::filesystem::create_directory(ca_dir());
  char hashed[32];
  std::snprintf(hashed, sizeof hashed, "/%08lx.0", X509_subject_name_hash(ca.get()));
  write_pem(ca_dir() + hashed, ca.get());
}

TestCa::~TestCa() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace acrawl::test
