#pragma once
// URLs as the WHATWG URL Standard defines them: the basic URL parser (link resolution against a
// base), the serializer, the URL API's getters, and the crawler's dedup key.
// A Url is immutable after parsing: it stores its serialization plus component offsets, so the
// getters are views into href() and copying a Url copies one string.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/text/encoding_labels.hpp"

namespace acrawl::crawler {

namespace url_detail {
class Parser;
}

class Url {
 public:
  // The WHATWG "basic URL parser": input (leading/trailing C0 control or space stripped, tab
  // and newline removed) against an optional base. Input that is not valid UTF-8 is first
  // repaired (each invalid sequence becomes U+FFFD). nullopt on failure. query_encoding is the
  // encoding of the document the URL comes from: an http(s) URL's query is encoded into it
  // (HTML: "encoding-parse a URL"); everything else is UTF-8 whatever it is.
  // Never throws but std::bad_alloc; thread-safe.
  static std::optional<Url> parse(std::string_view input, const Url* base = nullptr,
                                  Encoding query_encoding = Encoding::utf8);
  // As above with the base given as a string, parsed first; nullopt when either fails.
  static std::optional<Url> parse(std::string_view input, std::string_view base);

  // The serialization. The getters below return views into it (valid while the Url lives).
  // None of them throws; thread-safe (const).
  const std::string& href() const noexcept { return href_; }
  std::string_view scheme() const noexcept { return view(0, scheme_end_); }  // "http", no ':'
  std::string_view username() const noexcept { return view(user_begin_, user_end_); }
  std::string_view password() const noexcept { return view(pass_begin_, pass_end_); }
  // The serialized host ("" when none); IPv6 in brackets; never the port.
  std::string_view host() const noexcept { return view(host_begin_, host_end_); }
  // Only a non-default port (the parser drops the scheme's default port).
  std::optional<std::uint16_t> port() const noexcept;
  std::string_view pathname() const noexcept { return view(path_begin_, path_end_); }
  // "" when the query is absent or empty, else "?query" (the URL API's search getter).
  std::string_view search() const noexcept;
  // "" when the fragment is absent or empty, else "#fragment" (the URL API's hash getter).
  std::string_view hash() const noexcept;

  // The ASCII serialization of the URL's origin: "scheme://host[:port]" for ftp, http, https,
  // ws and wss (and blob: URLs wrapping http(s) ones), "null" for all others (file included).
  // Throws only std::bad_alloc.
  std::string origin() const;
  // Scheme is http or https. Never throws.
  bool is_http() const noexcept;
  // href() without "#fragment". Throws only std::bad_alloc.
  std::string href_without_fragment() const;

 private:
  friend class url_detail::Parser;
  Url() = default;
  std::string_view view(std::uint32_t begin, std::uint32_t end) const noexcept {
    return std::string_view(href_).substr(begin, end - begin);
  }

  std::string href_;
  std::uint32_t scheme_end_ = 0;  // index of the ':' after the scheme
  std::uint32_t user_begin_ = 0, user_end_ = 0;
  std::uint32_t pass_begin_ = 0, pass_end_ = 0;
  std::uint32_t host_begin_ = 0, host_end_ = 0;
  std::uint32_t path_begin_ = 0, path_end_ = 0;  // path_begin_ skips a "/." prefix
  std::uint32_t query_begin_ = 0;                // index after '?', when has_query_
  std::uint32_t fragment_begin_ = 0;             // index after '#', when has_fragment_
  std::int32_t port_ = -1;                       // -1: none
  bool has_host_ = false;  // host is non-null (it may still be empty, as in file:///)
  bool opaque_path_ = false;
  bool has_query_ = false;
  bool has_fragment_ = false;
};

// The crawler's dedup key: the serialization without fragment, with the hex digits of every
// percent-escape uppercased (%2f -> %2F). Nothing is decoded (that could merge URLs that differ),
// and `/a` and `/a/` stay different. Scheme and host are already lowercased, default ports
// dropped and dot segments removed by the parser. Throws only std::bad_alloc; thread-safe.
std::string dedup_key(const Url& url);

}  // namespace acrawl::crawler
