#include "crawler/metrics/exposition.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>

namespace acrawl::crawler {

namespace {

// The sample value: the shortest text that reads back as exactly v ("0.005", "1", "2.5").
std::string number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 32 characters hold any double
  return std::string(buf, end);
}

std::string number(std::uint64_t v) {
  return std::to_string(v);
}

// A label value: backslash, double quote and line feed escaped, as the format wants.
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& value) {
  out += name;
  out += ' ';
  out += value;
  out += '\n';
}

long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0;
  long pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * sysconf(_SC_PAGESIZE);
}

std::uint64_t open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  std::uint64_t n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // not the descriptor reading the directory
}

void crawl_families(std::string& out, const MetricsSnapshot& s) {
  family(out, "acrawl_info", "gauge", "The crawl's program version and execution mode.");
  sample(out,
         "acrawl_info{version=\"" ACRAWL_VERSION "\",mode=\"" + label_value(s.summary.mode) + "\"}",
         "1");
  family(out, "acrawl_start_time_seconds", "gauge", "When the crawl started, in Unix seconds.");
  sample(out, "acrawl_start_time_seconds", number(s.start_time_seconds));
  family(out, "acrawl_pages_total", "counter",
         "Pages recorded, by outcome: the answer's status class, or the error word.");
  std::map<std::string, std::uint64_t> outcomes = s.counts.outcomes();
  for (const char* cls : {"2xx", "3xx", "4xx", "5xx"}) outcomes.try_emplace(cls, 0);
  for (const auto& [outcome, n] : outcomes) {
    sample(out, "acrawl_pages_total{outcome=\"" + label_value(outcome) + "\"}", number(n));
  }
  family(out, "acrawl_bytes_total", "counter", "Body bytes of the pages recorded.");
  sample(out, "acrawl_bytes_total", number(s.counts.bytes));
  family(out, "acrawl_retries_total", "counter", "Transfers queued to be tried again.");
  sample(out, "acrawl_retries_total", number(s.retries));
  family(out, "acrawl_robots_refused_total", "counter",
         "Pages and sitemaps not fetched because robots.txt disallows them.");
  sample(out, "acrawl_robots_refused_total", number(s.robots_refused));
}

void gauge_families(std::string& out, const MetricsSnapshot& s) {
  family(out, "acrawl_transfers_in_flight", "gauge", "Transfers under way.");
  sample(out, "acrawl_transfers_in_flight", number(std::uint64_t{s.in_flight}));
  family(out, "acrawl_urls_queued", "gauge", "URLs in the frontier, waiting to be fetched.");
  sample(out, "acrawl_urls_queued", number(std::uint64_t{s.urls_queued}));
  family(out, "acrawl_hosts_active", "gauge", "Hosts with a page being fetched or parsed.");
  sample(out, "acrawl_hosts_active", number(std::uint64_t{s.hosts_active}));
  family(out, "acrawl_pages_awaiting_parse", "gauge", "Pages fetched, waiting for a parser.");
  sample(out, "acrawl_pages_awaiting_parse", number(std::uint64_t{s.awaiting_parse}));
}

void latency_family(std::string& out, const MetricsSnapshot& s) {
  family(out, "acrawl_page_latency_seconds", "histogram",
         "Time from request to last byte of each fetched page's last attempt, redirects included.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < MetricCounts::kLatencyBounds.size(); ++i) {
    cumulative += s.counts.latency_buckets[i];
    sample(out,
           "acrawl_page_latency_seconds_bucket{le=\"" + number(MetricCounts::kLatencyBounds[i]) +
               "\"}",
           number(cumulative));
  }
  sample(out, "acrawl_page_latency_seconds_bucket{le=\"+Inf\"}", number(s.counts.latency_count));
  sample(out, "acrawl_page_latency_seconds_sum", number(s.counts.latency_sum));
  sample(out, "acrawl_page_latency_seconds_count", number(s.counts.latency_count));
}

void process_families(std::string& out, const MetricsSnapshot& s) {
  family(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
  sample(out, "process_cpu_seconds_total", number(s.summary.cpu_seconds));
  family(out, "process_resident_memory_bytes", "gauge", "Resident memory size.");
  sample(out, "process_resident_memory_bytes", number(static_cast<double>(resident_bytes())));
  family(out, "process_open_fds", "gauge", "Open file descriptors.");
  sample(out, "process_open_fds", number(open_fds()));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    family(out, "process_max_fds", "gauge", "The open file descriptors limit.");
    sample(out, "process_max_fds", number(static_cast<double>(limit.rlim_cur)));
  }
}

}  // namespace

std::string prometheus_text(const MetricsSnapshot& s) {
  std::string out;
  out.reserve(4096);
  crawl_families(out, s);
  gauge_families(out, s);
  latency_family(out, s);
  process_families(out, s);
  return out;
}

std::string status_json(const MetricsSnapshot& s) {
  std::string extra = ",\"running\":true";
  extra += ",\"in_flight\":" + std::to_string(s.in_flight);
  extra += ",\"urls_queued\":" + std::to_string(s.urls_queued);
  extra += ",\"hosts_active\":" + std::to_string(s.hosts_active);
  extra += ",\"awaiting_parse\":" + std::to_string(s.awaiting_parse);
  extra += ",\"retries_queued\":" + std::to_string(s.retries);
  extra += ",\"robots_refused\":" + std::to_string(s.robots_refused);
  extra += ",\"outcomes\":{";
  bool first = true;
  for (const auto& [outcome, n] : s.counts.outcomes()) {
    if (!first) extra += ',';
    first = false;
    extra += "\"" + outcome + "\":" + std::to_string(n);  // status classes and error words
  }
  extra += "}";
  return summary_json(s.summary, extra);
}

}  // namespace acrawl::crawler
