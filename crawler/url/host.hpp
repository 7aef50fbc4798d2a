#pragma once
// Host parsing for the URL parser (WHATWG URL Standard, "Hosts"). Internal to crawler/url*.cpp.

#include <optional>
#include <string>
#include <string_view>

namespace acrawl::crawler::url_detail {

// The host parser followed by the host serializer: a domain (ASCII, lowercased, IDNA applied), a
// dotted-decimal IPv4 address, a bracketed compressed IPv6 address, or, when is_opaque (URLs of
// non-special schemes), an opaque host (possibly empty). `input` is the URL's host text as UTF-8.
// nullopt on failure. Throws only std::bad_alloc; thread-safe.
std::optional<std::string> parse_host(std::string_view input, bool is_opaque);

// The standard's "domain to ASCII" with beStrict false (UTS 46 ToASCII: nontransitional,
// CheckHyphens false, CheckBidi and CheckJoiners true, UseSTD3ASCIIRules false, VerifyDnsLength
// false), followed by the empty and forbidden-domain-code-point checks. `domain` must be valid
// UTF-8. nullopt on failure. Throws only std::bad_alloc; thread-safe.
std::optional<std::string> domain_to_ascii(std::string_view domain);

}  // namespace acrawl::crawler::url_detail
