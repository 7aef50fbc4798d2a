#include "crawler/fetch/errors.hpp"

namespace acrawl::crawler {

std::string_view error_word(CURLcode code, bool too_large) noexcept {
  if (too_large) return error_words::too_large;
  switch (code) {
    case CURLE_OK:
      return {};
    case CURLE_OPERATION_TIMEDOUT:
      return error_words::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
      return error_words::dns;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_PROXY:
      return error_words::proxy;
    case CURLE_COULDNT_CONNECT:
      return error_words::refused;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return error_words::reset;
    case CURLE_GOT_NOTHING:
      return error_words::empty_reply;
    case CURLE_PARTIAL_FILE:
      return error_words::truncated;
    case CURLE_FILESIZE_EXCEEDED:
      return error_words::too_large;
    case CURLE_TOO_MANY_REDIRECTS:
      return error_words::too_many_redirects;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return error_words::unsupported_scheme;
    case CURLE_URL_MALFORMAT:
      return error_words::invalid_url;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return error_words::tls;
    case CURLE_BAD_CONTENT_ENCODING:
      return error_words::bad_encoding;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
      return error_words::protocol;
    case CURLE_ABORTED_BY_CALLBACK:
      return error_words::cancelled;
    default:
      return error_words::error;
  }
}

}  // namespace acrawl::crawler
