#!/usr/bin/python3
"""The scraper of the --metrics tests, with Debian's python3-prometheus-client as the parser.

scrape BASE DONE RELEASE OUT: polls BASE/metrics every 100 ms until DONE pages are counted
  and two scrapes in a row agree, then saves that scrape and BASE/status to OUT (JSON) and requests RELEASE (the fixture
  server's barrier that holds the crawl's last page) so that the crawl can end.
check OUT RECORDS: compares the saved scrape with the crawl's JSONL records, all but the
  released page's; prints every mismatch and exits 1 if there is one.
"""
import json
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.headers.get("Content-Type", ""), r.read().decode("utf-8")


def parse(text):
    """{family name: {"type": ..., "samples": [[name, labels, value], ...]}}"""
    families = {}
    for f in text_string_to_metric_families(text):
        families[f.name] = {"type": f.type,
                            "samples": [[s.name, s.labels, s.value] for s in f.samples]}
    return families


def pages_counted(families):
    return sum(s[2] for s in families["acrawl_pages"]["samples"])


def scrape(base, done, release, out):
    deadline = time.monotonic() + 60
    scrapes = 0
    previous = None
    while True:
        content_type, text = get(base + "/metrics")
        scrapes += 1
        families = parse(text)
        # Settled: every page but the held one counted, and nothing changed since the last
        # scrape (a record is counted a moment before the next transfer starts).
        crawl = {k: v for k, v in families.items() if k.startswith("acrawl_")}
        if (pages_counted(families) >= done and crawl == previous) or time.monotonic() > deadline:
            break
        previous = crawl
        time.sleep(0.1)  # the polling period of a scraper, not a synchronisation
    status_type, status = get(base + "/status")
    with open(out, "w") as f:
        json.dump({"content_type": content_type, "families": families, "scrapes": scrapes,
                   "status_type": status_type, "status": json.loads(status)}, f)
    get(release)


def value(families, family, sample=None, **labels):
    for name, l, v in families[family]["samples"]:
        if name == (sample or family) and all(l.get(k) == x for k, x in labels.items()):
            return v
    return None


def check(out, records_path):
    saved = json.load(open(out))
    fam, status = saved["families"], saved["status"]
    records = [json.loads(line) for line in open(records_path) if line.strip()]
    held = [r for r in records if "/barrier/" in r["url"]]
    done = [r for r in records if "/barrier/" not in r["url"]]
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: scraped {got}, records say {want}")

    def outcome(r):
        return r["error"] if r["error"] else f"{r['status'] // 100}xx"

    expect("released page", len(held), 1)
    expect("content type", saved["content_type"], "text/plain; version=0.0.4; charset=utf-8")
    expect("status content type", saved["status_type"], "application/json")
    outcomes = {}
    for r in done:
        outcomes[outcome(r)] = outcomes.get(outcome(r), 0) + 1
    for o in set(outcomes) | {"2xx", "3xx", "4xx", "5xx"}:
        expect(f"pages_total{{outcome={o}}}",
               value(fam, "acrawl_pages", "acrawl_pages_total", outcome=o), outcomes.get(o, 0))
    expect("pages in all", pages_counted(fam), len(done))
    expect("bytes_total", value(fam, "acrawl_bytes", "acrawl_bytes_total"),
           sum(r["bytes"] for r in done))
    expect("retries_total", value(fam, "acrawl_retries", "acrawl_retries_total"),
           sum(r["attempts"] - 1 for r in done))
    expect("robots_refused_total", value(fam, "acrawl_robots_refused", "acrawl_robots_refused_total"),
           sum(1 for r in done if r["error"] == "robots_disallowed"))
    fetched = [r for r in done if r["final_url"]]
    expect("latency count", value(fam, "acrawl_page_latency_seconds",
                                  "acrawl_page_latency_seconds_count"), len(fetched))
    expect("latency +Inf bucket", value(fam, "acrawl_page_latency_seconds",
                                        "acrawl_page_latency_seconds_bucket", le="+Inf"),
           len(fetched))
    buckets = [(float(l["le"]), v) for n, l, v in fam["acrawl_page_latency_seconds"]["samples"]
               if n.endswith("_bucket")]
    for (le, v) in buckets:
        want = sum(1 for r in fetched if r["elapsed_ms"] / 1000 <= le)
        # A record's elapsed_ms is rounded in the JSONL: allow a page on the bucket's edge.
        edge = sum(1 for r in fetched if abs(r["elapsed_ms"] / 1000 - le) < 0.001)
        if abs(v - want) > edge:
            problems.append(f"latency bucket le={le}: scraped {v}, records say {want}")
    # Each record's elapsed_ms is rounded to 0.1 ms in the JSONL.
    latency_sum = value(fam, "acrawl_page_latency_seconds", "acrawl_page_latency_seconds_sum")
    if abs(latency_sum * 1000 - sum(r["elapsed_ms"] for r in fetched)) > 0.05 * len(fetched) + 0.01:
        problems.append(f"latency sum: scraped {latency_sum * 1000} ms, records say "
                        f"{sum(r['elapsed_ms'] for r in fetched)} ms")
    expect("transfers_in_flight", value(fam, "acrawl_transfers_in_flight"), 1)
    expect("hosts_active", value(fam, "acrawl_hosts_active"), 1)
    expect("urls_queued", value(fam, "acrawl_urls_queued"), 0)
    expect("pages_awaiting_parse", value(fam, "acrawl_pages_awaiting_parse"), 0)
    for family, kind in [("acrawl_pages", "counter"), ("acrawl_transfers_in_flight", "gauge"),
                         ("acrawl_page_latency_seconds", "histogram"),
                         ("process_cpu_seconds", "counter")]:
        expect(f"type of {family}", fam.get(family, {}).get("type"), kind)
    expect("status pages", status["pages"], len(done))
    expect("status running", status["running"], True)
    expect("status in_flight", status["in_flight"], 1)
    expect("status failures", status["failures"],
           {(r["error"] or f"http_{r['status']}"): sum(
               1 for x in done if (x["error"] or f"http_{x['status']}") ==
               (r["error"] or f"http_{r['status']}")) for r in done if outcome(r) != "2xx"})
    expect("status outcomes", status["outcomes"], outcomes)
    for p in problems:
        print(p)
    print(f"{len(done)} records checked against a scrape ({saved['scrapes']} scrapes made)")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "scrape":
        scrape(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        sys.exit(0)
    sys.exit(check(sys.argv[2], sys.argv[3]))
