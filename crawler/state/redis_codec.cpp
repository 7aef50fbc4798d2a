#include "crawler/state/redis_codec.hpp"

#include <charconv>
#include <string_view>

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

// A record is one stream field, "r": its values in a fixed order, each as "<length>:<bytes>"
// (one field instead of fifteen: the completion script and the stream do less per page).
namespace {

constexpr int kRecordFields = 16;

void put(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
}

}  // namespace

RedisFields encode_record(const PageRecord& r, bool links) {
  std::string out;
  out.reserve(r.url.size() + r.final_url.size() + (r.title ? r.title->size() : 0) + 128);
  put(out, r.url);
  put(out, r.final_url);
  put(out, std::to_string(r.status));
  put(out, r.error);
  put(out, r.title ? "1" : "0");
  put(out, r.title ? *r.title : std::string());
  put(out, r.content_type);
  put(out, std::to_string(r.bytes));
  put(out, std::to_string(r.elapsed_ms));
  put(out, std::to_string(r.redirects));
  put(out, r.encoding);
  put(out, r.encoding_source);
  put(out, r.location);
  put(out, std::to_string(r.depth));
  put(out, std::to_string(r.attempts));
  put(out, links && r.links ? "1" + joined_lines(*r.links) : std::string("0"));
  return {{"r", std::move(out)}};
}

PageRecord decode_record(const RedisFields& fields) {
  PageRecord r;
  std::string_view text;
  for (const auto& [k, v] : fields) {
    if (k == "r") text = v;
  }
  std::vector<std::string> f;
  while (!text.empty() && f.size() < kRecordFields) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) break;
    const auto n = number<std::size_t>(std::string(text.substr(0, colon)));
    if (n > text.size() - colon - 1) break;
    f.emplace_back(text.substr(colon + 1, n));
    text.remove_prefix(colon + 1 + n);
  }
  f.resize(kRecordFields);
  r.url = f[0];
  r.final_url = f[1];
  r.status = number<long>(f[2]);
  r.error = f[3];
  if (f[4] == "1") r.title = f[5];
  r.content_type = f[6];
  r.bytes = number<std::uint64_t>(f[7]);
  r.elapsed_ms = std::strtod(f[8].c_str(), nullptr);
  r.redirects = number<long>(f[9]);
  r.encoding = f[10];
  r.encoding_source = f[11];
  r.location = f[12];
  r.depth = number<int>(f[13]);
  r.attempts = number<int>(f[14]);
  if (!f[15].empty() && f[15][0] == '1') {
    r.links.emplace();
    std::string_view v = std::string_view(f[15]).substr(1);
    while (!v.empty()) {
      const std::size_t nl = std::min(v.find('\n'), v.size());
      r.links->emplace_back(v.substr(0, nl));
      v.remove_prefix(std::min(nl + 1, v.size()));
    }
  }
  return r;
}

}  // namespace acrawl::crawler
