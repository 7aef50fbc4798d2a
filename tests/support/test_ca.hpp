#pragma once
// TestCa: a certificate authority made for one test run (never the system trust store), and a
// server certificate it signs for 127.0.0.1 and localhost (not for other *.localhost names). Files
// are written to a temporary directory that is removed with the object.

#include <string>

namespace acrawl::test {

class TestCa {
 public:
  // Throws std::runtime_error when OpenSSL fails.
  TestCa();
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca.pem"; }        // the CA certificate
  std::string ca_dir() const { return dir_ + "/hashed"; }         // it again, c_rehash style
  std::string cert_file() const { return dir_ + "/server.pem"; }  // the server's chain
  std::string key_file() const { return dir_ + "/server.key"; }   // the server's key

 private:
  std::string dir_;
};

}  // namespace acrawl::test
