# `cpack -G DEB` in the build directory (or `make package` at the top): a Debian package of what
# cmake/Install.cmake installs, under /usr, stripped, its Depends computed by dpkg-shlibdeps from
# the shared libraries the binary links.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME acrawl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "concurrent web crawler that prints each page's status and title")
# Lines of at most 80 columns, as the Debian control file wants them.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "acrawl fetches a list of URLs, or crawls sites by following links, at most"
  "N transfers at a time, and prints one record per page (URL, HTTP status,"
  "title decoded from any charset) as TSV, JSON lines or CSV. It obeys"
  "robots.txt, reads sitemaps, retries transient failures politely, can keep"
  "a crawl in SQLite to resume it after a kill, and can share one crawl"
  "between many processes through Redis.")
set(ACRAWL_PACKAGE_MAINTAINER
    "acrawl maintainers <maintainers@users.noreply.b-seed-e6520390.example>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT ${ACRAWL_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the build is RelWithDebInfo; the package carries no debug info
# The man page gzipped (Debian policy), by cmake/Install.cmake's install code.
set(CPACK_CUSTOM_INSTALL_VARIABLES ACRAWL_GZIP_MAN=ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # acrawl_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Set project(... HOMEPAGE_URL ...) to fill the Homepage field.
if(CMAKE_PROJECT_HOMEPAGE_URL)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${CMAKE_PROJECT_HOMEPAGE_URL})
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # needs dpkg-shlibdeps (dpkg-dev)
# HTTPS verification reads /etc/ssl/certs/ca-certificates.crt.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS ca-certificates)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3, redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The architecture is dpkg's (CPack asks dpkg --print-architecture).

include(CPack)
