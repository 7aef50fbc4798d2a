// Url: the WHATWG URL parser against the web-platform-tests data, plus targeted tests.

#include "crawler/url/url.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crawler/text/utf8.hpp"

using acrawl::crawler::dedup_key;
using acrawl::crawler::Encoding;
using acrawl::crawler::Url;

namespace {

// ---------------------------------------------------------------------------------------------
// A small JSON reader: enough for urltestdata.json (no numbers there, but they are skipped).

struct Json {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool boolean = false;
  std::string string;
  std::vector<Json> items;
  // An object's members, as two parallel vectors: a vector of pairs would need Json complete
  // here (clang rejects it; only a vector of an incomplete type itself is allowed).
  std::vector<std::string> keys;
  std::vector<Json> values;

  const Json* get(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &values[i];
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}

  Json read_document() {
    Json v = value();
    skip_ws();
    if (i_ != s_.size()) fail("trailing data");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at " + std::to_string(i_));
  }
  void skip_ws() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }
  bool consume(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  Json value() {
    skip_ws();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '"') {
      v.kind = Json::Kind::string;
      v.string = string();
    } else if (c == '[') {
      v.kind = Json::Kind::array;
      ++i_;
      skip_ws();
      if (consume("]")) return v;
      do v.items.push_back(value());
      while (skip_ws(), consume(","));
      if (!consume("]")) fail("expected ]");
    } else if (c == '{') {
      v.kind = Json::Kind::object;
      ++i_;
      skip_ws();
      if (consume("}")) return v;
      do {
        skip_ws();
        std::string key = string();
        skip_ws();
        if (!consume(":")) fail("expected :");
        v.keys.push_back(std::move(key));
        v.values.push_back(value());
      } while (skip_ws(), consume(","));
      if (!consume("}")) fail("expected }");
    } else if (consume("true")) {
      v.kind = Json::Kind::boolean;
      v.boolean = true;
    } else if (consume("false")) {
      v.kind = Json::Kind::boolean;
    } else if (consume("null")) {
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = Json::Kind::number;
      while (i_ < s_.size() &&
             std::string_view("+-.eE0123456789").find(s_[i_]) != std::string_view::npos)
        ++i_;
    } else {
      fail("unexpected character");
    }
    return v;
  }
  unsigned hex4() {
    if (i_ + 4 > s_.size()) fail("short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  }
  // Lone surrogates become U+FFFD, as converting a JS string to a USVString does.
  std::string string() {
    if (!consume("\"")) fail("expected string");
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = s_[i_++];
      switch (e) {
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          char32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
            const std::size_t save = i_;
            i_ += 2;
            const unsigned low = hex4();
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              i_ = save;
            }
          }
          acrawl::crawler::append_utf8(out, cp);  // a lone surrogate is appended as U+FFFD
          break;
        }
        default:
          out.push_back(e);
          break;  // \" \\ \/
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

Json load_wpt() {
  std::ifstream in(ACRAWL_FIXTURES_DIR "/wpt/urltestdata.json", std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  return JsonReader(text).read_document();
}

std::string field(const Json& test, std::string_view key) {
  const Json* v = test.get(key);
  return v ? v->string : std::string();
}

// The URL API's getters, derived from our components.
struct Getters {
  std::string href, protocol, username, password, host, hostname, port, pathname, search, hash,
      origin;
};

Getters getters(const Url& u) {
  const std::string port = u.port() ? std::to_string(*u.port()) : std::string();
  return {u.href(),
          std::string(u.scheme()) + ":",
          std::string(u.username()),
          std::string(u.password()),
          std::string(u.host()) + (port.empty() ? "" : ":" + port),
          std::string(u.host()),
          port,
          std::string(u.pathname()),
          std::string(u.search()),
          std::string(u.hash()),
          u.origin()};
}

// As `new URL(input, base)`: a base that fails to parse makes the whole thing fail.
std::optional<Url> parse_like_api(const Json& test) {
  const Json* base = test.get("base");
  if (!base || base->kind != Json::Kind::string) return Url::parse(field(test, "input"));
  return Url::parse(field(test, "input"), std::string_view(base->string));
}

// True when the parse outcome matches the entry; CHECKs each getter when `check` is set.
bool matches(const Json& test, bool check) {
  const std::optional<Url> url = parse_like_api(test);
  const Json* failure = test.get("failure");
  if (failure && failure->boolean) {
    if (check) CHECK_FALSE(url.has_value());
    return !url;
  }
  if (check) REQUIRE(url.has_value());
  if (!url) return false;
  const Getters g = getters(*url);
  const std::pair<const char*, const std::string*> expected[] = {
      {"href", &g.href},         {"protocol", &g.protocol}, {"username", &g.username},
      {"password", &g.password}, {"host", &g.host},         {"hostname", &g.hostname},
      {"port", &g.port},         {"pathname", &g.pathname}, {"search", &g.search},
      {"hash", &g.hash},         {"origin", &g.origin}};
  bool ok = true;
  for (const auto& getter : expected) {
    const char* key = getter.first;  // not a structured binding: INFO captures it (clang 14)
    const std::string* actual = getter.second;
    if (!test.get(key)) continue;  // origin is absent from some entries
    if (check) {
      INFO("getter: " << key);
      CHECK(*actual == field(test, key));
    }
    ok = ok && *actual == field(test, key);
  }
  return ok;
}

bool has_http_base(const Json& test) {
  const Json* base = test.get("base");
  if (!base || base->kind != Json::Kind::string) return false;
  return base->string.starts_with("http:") || base->string.starts_with("https:");
}

std::string resolve(std::string_view input, std::string_view base) {
  std::optional<Url> u = Url::parse(input, base);
  return u ? u->href() : "FAIL";
}

std::string host_of(std::string_view input) {
  std::optional<Url> u = Url::parse(input);
  return u ? std::string(u->host()) : "FAIL";
}

}  // namespace

TEST_CASE("Url: every web-platform-tests entry with an http(s) base") {
  const Json data = load_wpt();
  int checked = 0, successes = 0, failures = 0;
  for (const Json& test : data.items) {
    if (test.kind != Json::Kind::object || !has_http_base(test)) continue;
    INFO("input: " << field(test, "input") << "  base: " << field(test, "base"));
    const Json* failure = test.get("failure");
    (failure && failure->boolean ? failures : successes) += 1;
    ++checked;
    matches(test, true);
  }
  MESSAGE("checked " << checked << " http(s)-base entries (" << successes << " successes, "
                     << failures << " failures)");
  CHECK(checked == 177);
  CHECK(successes == 132);
  CHECK(failures == 45);
}

TEST_CASE("Url: every other web-platform-tests entry (no base, or a base of another scheme)") {
  const Json data = load_wpt();
  int checked = 0;
  for (const Json& test : data.items) {
    if (test.kind != Json::Kind::object || has_http_base(test)) continue;
    INFO("input: " << field(test, "input") << "  base: " << field(test, "base"));
    ++checked;
    matches(test, true);
  }
  CHECK(checked == 601 - 177);
}

TEST_CASE("Url: RFC 3986 reference resolution examples") {
  const char* base = "http://a/b/c/d;p?q";
  CHECK(resolve("g:h", base) == "g:h");
  CHECK(resolve("g", base) == "http://a/b/c/g");
  CHECK(resolve("./g", base) == "http://a/b/c/g");
  CHECK(resolve("g/", base) == "http://a/b/c/g/");
  CHECK(resolve("/g", base) == "http://a/g");
  CHECK(resolve("//g", base) == "http://g/");
  CHECK(resolve("?y", base) == "http://a/b/c/d;p?y");
  CHECK(resolve("g?y", base) == "http://a/b/c/g?y");
  CHECK(resolve("#s", base) == "http://a/b/c/d;p?q#s");
  CHECK(resolve("g;x?y#s", base) == "http://a/b/c/g;x?y#s");
  CHECK(resolve("", base) == "http://a/b/c/d;p?q");
  CHECK(resolve(".", base) == "http://a/b/c/");
  CHECK(resolve("..", base) == "http://a/b/");
  CHECK(resolve("../g", base) == "http://a/b/g");
  CHECK(resolve("../..", base) == "http://a/");
  CHECK(resolve("../../../g", base) == "http://a/g");
  CHECK(resolve("/./g", base) == "http://a/g");
  CHECK(resolve("g/%2E%2e/h", base) == "http://a/b/c/h");
  CHECK(resolve("\\\\other\\x", base) == "http://other/x");
  CHECK(resolve(" \t/x\ny ", base) == "http://a/xy");
}

TEST_CASE("Url: other schemes parse and serialize exactly") {
  CHECK(Url::parse("mailto:Someone@Example.com?subject=Hi there")->href() ==
        "mailto:Someone@Example.com?subject=Hi%20there");
  CHECK(Url::parse("javascript:alert(1)")->pathname() == "alert(1)");
  CHECK(Url::parse("data:text/html,<p>hi</p>")->href() == "data:text/html,<p>hi</p>");
  CHECK(Url::parse("git://Host.Example/repo.git")->host() == "Host.Example");
  CHECK(Url::parse("web+demo:/.//not-a-host/")->href() == "web+demo:/.//not-a-host/");
  CHECK(Url::parse("file:///C|/demo")->href() == "file:///C:/demo");
  CHECK(resolve("..", "file:///C:/demo") == "file:///C:/");
  CHECK(resolve("#x", "mailto:a@b") == "mailto:a@b#x");
  CHECK(resolve("x", "mailto:a@b") == "FAIL");
  CHECK_FALSE(Url::parse("relative/only").has_value());
  CHECK_FALSE(Url::parse("http://").has_value());
  CHECK_FALSE(Url::parse("http://host:65536/").has_value());
}

TEST_CASE("Url: getters, origin and href_without_fragment") {
  const std::optional<Url> u = Url::parse("HTTPS://user:pw@Example.COM:8443/a/./b/../c?q=1#frag");
  REQUIRE(u);
  CHECK(u->href() == "https://user:pw@example.com:8443/a/c?q=1#frag");
  CHECK(u->scheme() == "https");
  CHECK(u->username() == "user");
  CHECK(u->password() == "pw");
  CHECK(u->host() == "example.com");
  CHECK(u->port() == 8443);
  CHECK(u->pathname() == "/a/c");
  CHECK(u->search() == "?q=1");
  CHECK(u->hash() == "#frag");
  CHECK(u->origin() == "https://example.com:8443");
  CHECK(u->is_http());
  CHECK(u->href_without_fragment() == "https://user:pw@example.com:8443/a/c?q=1");
  CHECK(Url::parse("http://x/p?#")->href_without_fragment() == "http://x/p?");
  CHECK(Url::parse("http://x/p?#")->search().empty());
  CHECK(Url::parse("http://x/p?#")->hash().empty());
  CHECK(Url::parse("http://x:80/")->port() == std::nullopt);
  CHECK(Url::parse("http://x/")->origin() == "http://x");
  CHECK(Url::parse("ws://x:81/")->origin() == "ws://x:81");
  CHECK(Url::parse("blob:https://a.example:443/uuid")->origin() == "https://a.example");
  CHECK(Url::parse("file:///tmp/x")->origin() == "null");
  CHECK(Url::parse("mailto:a@b")->origin() == "null");
  CHECK_FALSE(Url::parse("ftp://x/")->is_http());
}

TEST_CASE("dedup_key: escapes uppercased, fragment dropped, nothing else merged") {
  auto key = [](std::string_view s) { return dedup_key(*Url::parse(s)); };
  CHECK(key("http://Example.COM:80/a%2fb%c3%a9?x=%7e#frag") ==
        "http://example.com/a%2Fb%C3%A9?x=%7E");
  CHECK(key("http://example.com/a%2Fb") == key("http://example.com/a%2fb"));
  CHECK(key("http://example.com/a") != key("http://example.com/a/"));
  CHECK(key("http://example.com/a%2Fb") != key("http://example.com/a/b"));  // not decoded
  CHECK(key("http://example.com/a#x") == key("http://example.com/a#y"));
  CHECK(key("https://h:443/") == "https://h/");
  CHECK(key("https://h:8443/") == "https://h:8443/");
  CHECK(key("http://h/%zz%4") == "http://h/%zz%4");
  CHECK(key("http://h/?a=%2") == "http://h/?a=%2");
}

TEST_CASE("Url: IPv4 hosts in all number forms") {
  CHECK(host_of("http://127.0.0.1/") == "127.0.0.1");
  CHECK(host_of("http://0x7f.1/") == "127.0.0.1");
  CHECK(host_of("http://0177.0.0.1/") == "127.0.0.1");
  CHECK(host_of("http://2130706433/") == "127.0.0.1");
  CHECK(host_of("http://127.1/") == "127.0.0.1");
  CHECK(host_of("http://192.168.257/") == "192.168.1.1");
  CHECK(host_of("http://0X7F.0.0.1./") == "127.0.0.1");
  CHECK(host_of("http://0x/") == "0.0.0.0");
  CHECK(host_of("http://4294967295/") == "255.255.255.255");
  CHECK(host_of("http://4294967296/") == "FAIL");
  CHECK(host_of("http://256.0.0.1/") == "FAIL");
  CHECK(host_of("http://1.2.3.4.5/") == "FAIL");
  CHECK(host_of("http://1.2.3.09/") == "FAIL");
  CHECK(host_of("http://foo.09/") == "FAIL");  // ends in a number, so must be IPv4
  CHECK(host_of("http://foo.0x/") == "FAIL");
  CHECK(host_of("http://1..2/") == "FAIL");
  CHECK(host_of("http://example.0x1g/") == "example.0x1g");  // not a number: a domain
  CHECK(host_of("http://1.2.3.4.example/") == "1.2.3.4.example");
  CHECK(host_of("foo://1.2.3/") == "1.2.3");  // opaque host: no IPv4 parsing
}

TEST_CASE("Url: IPv6 hosts parse and serialize with the longest zero run compressed") {
  CHECK(host_of("http://[::1]/") == "[::1]");
  CHECK(host_of("http://[0:0:0:0:0:0:0:1]/") == "[::1]");
  CHECK(host_of("http://[1:0:0:2:0:0:0:3]/") == "[1:0:0:2::3]");
  CHECK(host_of("http://[1:0:0:0:2:0:0:3]/") == "[1::2:0:0:3]");
  CHECK(host_of("http://[1:0:2:3:4:5:6:7]/") == "[1:0:2:3:4:5:6:7]");  // one zero: no "::"
  CHECK(host_of("http://[ABCD::]/") == "[abcd::]");
  CHECK(host_of("http://[::ffff:192.168.0.1]/") == "[::ffff:c0a8:1]");
  CHECK(host_of("http://[::]/") == "[::]");
  CHECK(host_of("http://[1:2:3:4:5:6:7:8:9]/") == "FAIL");
  CHECK(host_of("http://[1::2::3]/") == "FAIL");
  CHECK(host_of("http://[1:2:3]/") == "FAIL");
  CHECK(host_of("http://[::1.2.3]/") == "FAIL");
  CHECK(host_of("http://[::01.2.3.4]/") == "FAIL");
  CHECK(host_of("http://[::1/") == "FAIL");
  CHECK(host_of("http://[www.example.com]/") == "FAIL");
}

TEST_CASE("Url: internationalized and percent-encoded hosts") {
  CHECK(Url::parse("http://bücher.example/")->href() == "http://xn--bcher-kva.example/");
  CHECK(host_of("http://Bücher.EXAMPLE/") == "xn--bcher-kva.example");
  CHECK(host_of("http://b%C3%BCcher.example/") == "xn--bcher-kva.example");
  CHECK(host_of("http://xn--bcher-KVA.example/") == "xn--bcher-kva.example");
  CHECK(host_of("http://faß.example/") == "xn--fa-hia.example");      // nontransitional
  CHECK(host_of("http://☕.example/") == "xn--53h.example");           // UTS 46, not IDNA2008
  CHECK(host_of("http://ＥＸＡＭＰＬＥ．ｃｏｍ/") == "example.com");  // full-width
  CHECK(host_of("http://a\u00ADb.example/") == "ab.example");         // soft hyphen is ignored
  CHECK(host_of("http://ü.com./") == "xn--tda.com.");
  CHECK(host_of("http://a\u200Db.example/") == "FAIL");  // ZWJ without a virama (CheckJoiners)
  CHECK(host_of("http://a\u200Cb.example/") == "FAIL");  // ZWNJ likewise
  CHECK(host_of("http://\u0915\u094D\u200D\u0937.example/") == "xn--11b2ezcw70k.example");
  CHECK(host_of("http://\u0661.a/") == "FAIL");     // Bidi: a label may not start with AN
  CHECK(host_of("http://a\u0661.com/") == "FAIL");  // Bidi: AN in an LTR label
  CHECK(host_of("http://1a.\u05D0/") == "FAIL");    // Bidi: LTR label of a Bidi domain
  CHECK(host_of("http://\u05D0\u05D1.example/") == "xn--4dbc.example");
  CHECK(host_of("http://\u0301a.example/") == "FAIL");  // leading combining mark
  CHECK(host_of("http://\uFFFD.example/") == "FAIL");
  CHECK(host_of("http://ex%80ample/") == "FAIL");        // not UTF-8 once decoded
  CHECK(host_of("http://％４１.com/") == "FAIL");        // maps to a forbidden '%'
  CHECK(host_of("http://xn--a.example/") == "FAIL");     // invalid Punycode
  CHECK(host_of("http://xn--abc-.example/") == "FAIL");  // decodes to ASCII only
  CHECK(host_of("http://xn--.example/") == "FAIL");
  CHECK(host_of("http://xn--zca.xn--tda/") == "xn--zca.xn--tda");
  CHECK(host_of("http://xn--ss-gsx.example/") == "xn--ss-gsx.example");  // "ss☃": valid in UTS 46
  CHECK(host_of("sc://bücher.example/") == "b%C3%BCcher.example");       // opaque: no IDNA
}

// Speed is measured in bench/ (micro_url), not asserted here: these are correctness checks over
// the link shapes a crawl resolves most.
TEST_CASE("Url: 100k links of the common shapes all resolve") {
  const std::optional<Url> base = Url::parse("https://www.example.com/docs/guide/intro.html?x=1");
  REQUIRE(base);
  const char* forms[] = {"/assets/page-%d.html",
                         "../chapter-%d/index.html?lang=en#top",
                         "section-%d.html",
                         "https://other.example.org/a/%d/b",
                         "#anchor-%d",
                         "?page=%d",
                         "//cdn.example.net/img/%d.png",
                         "./sub dir/%d/../file%%20name.html"};
  std::size_t ok = 0, bytes = 0;
  char link[128];
  for (int i = 0; i < 100000; ++i) {
    std::snprintf(link, sizeof link, forms[i % 8], i);
    const std::optional<Url> u = Url::parse(link, &*base);
    if (u) ++ok, bytes += dedup_key(*u).size();
  }
  CHECK(ok == 100000);
  CHECK(bytes > 100000 * 20);
  CHECK(resolve("./sub dir/7/../file%20name.html", base->href()) ==
        "https://www.example.com/docs/guide/sub%20dir/file%20name.html");
}

TEST_CASE("Url: a document's encoding encodes the query of its http(s) links, nothing else") {
  auto in = [](std::string_view input, Encoding enc) {
    std::optional<Url> base = Url::parse("http://h/dir/page.html");
    std::optional<Url> u = Url::parse(input, &*base, enc);
    return u ? u->href() : std::string("FAIL");
  };
  CHECK(in("?prix=10\u20AC", Encoding::windows_1252) == "http://h/dir/page.html?prix=10%80");
  CHECK(in("s?q=\u65E5\u672C", Encoding::shift_jis) == "http://h/dir/s?q=%93%FA%96{");
  CHECK(in("?q=\u041F\u0440\u0438\u0432\u0435\u0442", Encoding::windows_1251) ==
        "http://h/dir/page.html?q=%CF%F0%E8%E2%E5%F2");
  CHECK(in("?q=\uD55C", Encoding::euc_kr) == "http://h/dir/page.html?q=%C7%D1");
  CHECK(in("?q=\u65E5", Encoding::iso_2022_jp) == "http://h/dir/page.html?q=%1B$BF|%1B(B");
  CHECK(in("?q=\u4E2D", Encoding::gbk) == "http://h/dir/page.html?q=%D6%D0");
  CHECK(in("?q=\u20AC", Encoding::gbk) == "http://h/dir/page.html?q=%80");
  CHECK(in("?q=\U0001F600", Encoding::gb18030) == "http://h/dir/page.html?q=%949%FC6");
  // What the encoding cannot represent becomes an escaped "&#N;" (the URL error mode).
  CHECK(in("?q=\u65E5", Encoding::windows_1252) == "http://h/dir/page.html?q=%26%2326085%3B");
  CHECK(in("?q=\U0001F600", Encoding::gbk) == "http://h/dir/page.html?q=%26%23128512%3B");
  // Path and fragment are always UTF-8; so is all of a UTF-16 document's URL.
  CHECK(in("/\u00E9?\u00E9#\u00E9", Encoding::windows_1252) == "http://h/%C3%A9?%E9#%C3%A9");
  CHECK(in("?\u00E9", Encoding::utf16le) == "http://h/dir/page.html?%C3%A9");
  CHECK(in("?a=1&b='x'", Encoding::windows_1252) == "http://h/dir/page.html?a=1&b=%27x%27");
  // Non-special schemes and ws/wss keep UTF-8.
  CHECK(in("ws://h/?\u00E9", Encoding::windows_1252) == "ws://h/?%C3%A9");
  CHECK(in("sc://h/?\u00E9", Encoding::windows_1252) == "sc://h/?%C3%A9");
}
