#include "crawler/state/redis_codec.hpp"

#include <charconv>

#include "crawler/config.hpp"

namespace acrawl::crawler {

namespace {

template <class T>
T number(const std::string& s) {
  T v{};
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string joined_lines(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += '\n';
    out += v;
  }
  return out;
}

}  // namespace

std::string encode_item(const CrawlItem& item, std::int64_t id) {
  std::string out;
  out.reserve(item.url.size() + item.record.size() + item.origin.size() + item.host.size() + 32);
  out += item.robots_txt ? 'R' : (item.input ? 'S' : 'P');
  for (const std::string& field :
       {std::to_string(id), std::to_string(item.depth), std::to_string(item.attempt), item.origin,
        item.url, item.record, item.host}) {
    out += '\t';
    out += field;
  }
  return out;
}

CrawlItem decode_item(const std::string& text) {
  // Six fields, then the record and the host: the host, last, never holds a tab.
  std::vector<std::string> f;
  std::size_t at = 0;
  for (int i = 0; i < 6; ++i) {
    const std::size_t tab = text.find('\t', at);
    if (tab == std::string::npos) throw StateError("redis: a damaged item in the crawl");
    f.push_back(text.substr(at, tab - at));
    at = tab + 1;
  }
  std::string rest = text.substr(at);
  CrawlItem item;
  const std::size_t last = rest.rfind('\t');
  if (last == std::string::npos) {
    item.record = rest;  // an item without its host (the scripts' robots.txt item before it)
  } else {
    item.record = rest.substr(0, last);
    item.host = rest.substr(last + 1);
  }
  item.robots_txt = f[0] == "R";
  item.input = f[0] == "S";
  item.id = number<std::int64_t>(f[1]);
  item.depth = number<int>(f[2]);
  item.attempt = std::max(1, number<int>(f[3]));
  item.origin = f[4];
  item.url = f[5];
  return item;
}

RedisFields encode_record(const PageRecord& r, bool links) {
  RedisFields out = {{"url", r.url},
                     {"final_url", r.final_url},
                     {"status", std::to_string(r.status)},
                     {"error", r.error},
                     {"content_type", r.content_type},
                     {"bytes", std::to_string(r.bytes)},
                     {"elapsed_ms", std::to_string(r.elapsed_ms)},
                     {"redirects", std::to_string(r.redirects)},
                     {"encoding", r.encoding},
                     {"encoding_source", r.encoding_source},
                     {"location", r.location},
                     {"depth", std::to_string(r.depth)},
                     {"attempts", std::to_string(r.attempts)}};
  if (r.title) out.emplace_back("title", *r.title);
  if (links && r.links) out.emplace_back("links", joined_lines(*r.links));
  return out;
}

PageRecord decode_record(const RedisFields& fields) {
  PageRecord r;
  for (const auto& [k, v] : fields) {
    if (k == "url")
      r.url = v;
    else if (k == "final_url")
      r.final_url = v;
    else if (k == "status")
      r.status = number<long>(v);
    else if (k == "error")
      r.error = v;
    else if (k == "title")
      r.title = v;
    else if (k == "content_type")
      r.content_type = v;
    else if (k == "bytes")
      r.bytes = number<std::uint64_t>(v);
    else if (k == "elapsed_ms")
      r.elapsed_ms = std::strtod(v.c_str(), nullptr);
    else if (k == "redirects")
      r.redirects = number<long>(v);
    else if (k == "encoding")
      r.encoding = v;
    else if (k == "encoding_source")
      r.encoding_source = v;
    else if (k == "location")
      r.location = v;
    else if (k == "depth")
      r.depth = number<int>(v);
    else if (k == "attempts")
      r.attempts = number<int>(v);
    else if (k == "links") {
      r.links.emplace();
      std::size_t at = 0;
      while (at < v.size()) {
        std::size_t nl = v.find('\n', at);
        if (nl == std::string::npos) nl = v.size();
        r.links->push_back(v.substr(at, nl - at));
        at = nl + 1;
      }
    }
  }
  return r;
}

}  // namespace acrawl::crawler
