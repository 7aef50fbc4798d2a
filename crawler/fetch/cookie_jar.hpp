#pragma once
// The crawl's cookie store (in a curl share handle, see SharedCaches) from and to Netscape
// cookie files, read and written by libcurl's own cookie code.

#include <curl/curl.h>

#include <cstddef>
#include <string>

namespace acrawl::crawler {

// Loads the cookies of a Netscape cookie file (or of "Set-Cookie:" lines, as curl reads them)
// into the store of share, which must share cookies. Returns how many cookies the store holds
// then. Throws ConfigError when the file cannot be read, std::runtime_error when curl refuses.
std::size_t load_cookie_file(CURLSH* share, const std::string& path);

// Writes every cookie of the store of share to path as a Netscape cookie file (session cookies
// included, as curl's --cookie-jar does), replacing it at once (a crash leaves the old file).
// Returns how many it wrote. Throws std::system_error when the file cannot be written.
std::size_t write_cookie_jar(CURLSH* share, const std::string& path);

}  // namespace acrawl::crawler
