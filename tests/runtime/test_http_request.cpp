#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "runtime/http_request.hpp"

using namespace acrawl::rt;

TEST_CASE("header_value, header_values and base64_encode") {
  std::string_view headers = "Host: x\r\nCookie:  a=b \r\nX-Dup: 1\nx-dup:2\r\nEmpty:\r\n";
  CHECK(header_value(headers, "cookie") == "a=b");
  CHECK(header_value(headers, "X-DUP") == "1");
  CHECK(header_values(headers, "x-dup") == "1, 2");
  CHECK(header_value(headers, "Empty") == "");
  CHECK_FALSE(header_value(headers, "Missing").has_value());
  CHECK_FALSE(header_values(headers, "Cook").has_value());
  CHECK_FALSE(header_value("", "Host").has_value());

  CHECK(base64_encode("").empty());
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  CHECK(base64_encode("\xff\xfe") == "//4=");
}

TEST_CASE("parse_request: forms of the target, keep-alive by version, and what is refused") {
  HttpRequest req;
  REQUIRE(parse_request("GET /a?b HTTP/1.1\r\nHost: x\r\n\r\nrest", 8192, req) ==
          ParseStatus::complete);
  CHECK(req.target == "/a?b");
  CHECK(req.keep_alive);
  CHECK(req.head_size == 30);
  REQUIRE(parse_request("GET http://x:1/p HTTP/1.1\r\nHost: x:1\r\n\r\n", 8192, req) ==
          ParseStatus::complete);
  CHECK(req.target == "/p");
  CHECK(req.absolute_form == "http://x:1/p");
  REQUIRE(parse_request("GET / HTTP/1.0\r\n\r\n", 8192, req) == ParseStatus::complete);
  CHECK_FALSE(req.keep_alive);
  CHECK(parse_request("GET / HTTP/1.1\r\nHost: x\r\n", 8192, req) == ParseStatus::incomplete);
  CHECK(parse_request("GET / HTTP/1.1\r\n\r\n", 8192, req) == ParseStatus::bad_request);
  CHECK(parse_request("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 8192,
                      req) == ParseStatus::bad_request);
  CHECK(parse_request("GET / HTTP/3.0\r\n\r\n", 8192, req) == ParseStatus::version_not_supported);
  CHECK(parse_request("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), 64, req) ==
        ParseStatus::head_too_large);
}
