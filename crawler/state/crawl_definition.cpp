#include "crawler/state/crawl_definition.hpp"

#include "crawler/state/fingerprint.hpp"

#include <cstdio>
#include <filesystem>
#include <map>

namespace acrawl::crawler {

namespace {

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += '\n';
    out += v;
  }
  return out;
}

const char* scope_name(ScopeKind s) {
  switch (s) {
    case ScopeKind::host:
      return "host";
    case ScopeKind::domain:
      return "domain";
    case ScopeKind::prefix:
      return "prefix";
    case ScopeKind::any:
      return "any";
  }
  return "?";
}

const char* format_name(OutputFormat f) {
  switch (f) {
    case OutputFormat::tsv:
      return "tsv";
    case OutputFormat::jsonl:
      return "jsonl";
    case OutputFormat::csv:
      return "csv";
  }
  return "?";
}

std::string shown(const std::string& v) {
  return v.empty() ? "(none)" : "'" + v + "'";
}

}  // namespace

CrawlDefinition crawl_definition(const CrawlConfig& config) {
  const FollowOptions& f = config.follow;
  std::string output;
  if (!config.output_path.empty()) {
    std::error_code ec;
    std::filesystem::path p =
        std::filesystem::weakly_canonical(std::filesystem::absolute(config.output_path, ec), ec);
    output = ec ? config.output_path : p.string();
  }
  CrawlDefinition d{
      {"--depth", std::to_string(f.depth)},
      {"--max-pages", std::to_string(f.max_pages)},
      {"--scope", scope_name(f.scope)},
      {"--include", joined(f.include)},
      {"--exclude", joined(f.exclude)},
      {"--ignore-robots", f.robots ? "no" : "yes"},
      {"--respect-nofollow", f.respect_nofollow ? "yes" : "no"},
      {"--user-agent", config.fetch.user_agent},
      {"--links", f.links ? "yes" : "no"},
      {"--format", format_name(config.format)},
      {"--output", output},
  };
  // Only when on: states made before the option existed resume as they were.
  if (f.sitemaps) d.emplace_back("--sitemaps", "yes");
  return d;
}

CrawlDefinition redis_definition(const CrawlConfig& config) {
  CrawlDefinition out;
  for (auto& [name, value] : crawl_definition(config)) {
    if (name != "--output" && name != "--format") out.emplace_back(name, value);
  }
  out.emplace_back("--delay", std::to_string(config.follow.delay_ms));
  out.emplace_back("--per-host", std::to_string(config.follow.per_host));
  return out;
}

std::string default_crawl_id(const CrawlConfig& config, const CrawlDefinition& definition) {
  std::string text;
  for (const auto& [name, value] : definition) text += name + '\t' + value + '\n';
  for (const std::string& input : config.inputs) text += "input\t" + input + '\n';
  char id[24];
  std::snprintf(id, sizeof id, "c%016llx", static_cast<unsigned long long>(fingerprint(text)));
  return id;
}

std::vector<std::string> definition_differences(const CrawlDefinition& stored,
                                                const CrawlDefinition& current) {
  std::map<std::string, std::string> before(stored.begin(), stored.end());
  std::vector<std::string> out;
  for (const auto& [name, value] : current) {
    auto it = before.find(name);
    const std::string then = it == before.end() ? std::string() : it->second;
    if (then != value)
      out.push_back(name + ": " + shown(then) + " in the state, " + shown(value) + " now");
  }
  return out;
}

}  // namespace acrawl::crawler
