#include "crawler/fetch/cookie_jar.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "crawler/config.hpp"

namespace acrawl::crawler {

namespace {

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Slist = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// A handle on the share's store, to reach it through the cookie options.
Easy store_handle(CURLSH* share) {
  Easy easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy || curl_easy_setopt(easy.get(), CURLOPT_SHARE, share) != CURLE_OK) {
    throw std::runtime_error("libcurl refuses a handle on the cookie store");
  }
  return easy;
}

// Every cookie of the store, as Netscape cookie file lines.
Slist cookie_lines(CURL* easy) {
  curl_slist* lines = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &lines) != CURLE_OK) {
    throw std::runtime_error("libcurl cannot list the cookies");
  }
  return Slist(lines, &curl_slist_free_all);
}

std::size_t count(const curl_slist* lines) {
  std::size_t n = 0;
  for (; lines != nullptr; lines = lines->next) ++n;
  return n;
}

}  // namespace

std::size_t load_cookie_file(CURLSH* share, const std::string& path) {
  // curl skips a file it cannot open without a word: check first.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw ConfigError("cannot read cookie file '" + path +
                      "': " + std::generic_category().message(errno));
  }
  Easy easy = store_handle(share);
  if (curl_easy_setopt(easy.get(), CURLOPT_COOKIEFILE, path.c_str()) != CURLE_OK ||
      curl_easy_setopt(easy.get(), CURLOPT_COOKIELIST, "RELOAD") != CURLE_OK) {
    throw std::runtime_error("libcurl cannot load the cookie file '" + path + "'");
  }
  return count(cookie_lines(easy.get()).get());
}

std::size_t write_cookie_jar(CURLSH* share, const std::string& path) {
  Easy easy = store_handle(share);
  Slist lines = cookie_lines(easy.get());
  std::string text =
      "# Netscape HTTP Cookie File\n"
      "# Written by acrawl: the cookies known at the end of a crawl.\n\n";
  for (const curl_slist* l = lines.get(); l != nullptr; l = l->next) {
    text += l->data;
    text += '\n';
  }
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const auto fail = [&](const char* what) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw std::system_error(err, std::generic_category(),
                            std::string(what) + " cookie jar '" + path + "'");
  };
  if (fd < 0) fail("cannot create");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot write");
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    throw std::system_error(errno, std::generic_category(),
                            "cannot write cookie jar '" + path + "'");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw std::system_error(err, std::generic_category(),
                            "cannot replace cookie jar '" + path + "'");
  }
  return count(lines.get());
}

}  // namespace acrawl::crawler
