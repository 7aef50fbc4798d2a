#!/usr/bin/python3
"""A Prometheus-like scraper for bench/metrics_overhead.sh: one keep-alive connection, GET
/metrics and /status every INTERVAL seconds until the server goes away; prints the scrapes."""
import http.client
import re
import sys
import time


def main(err_path, interval):
    address = None
    while address is None:  # the address acrawl logs once it listens
        m = re.search(r"metrics on http://([0-9.]+):([0-9]+)/", open(err_path).read())
        if m:
            address = (m.group(1), int(m.group(2)))
        else:
            time.sleep(0.01)
    conn = http.client.HTTPConnection(*address, timeout=5)
    scrapes = 0
    try:
        while True:
            for path in ("/metrics", "/status"):
                conn.request("GET", path)
                conn.getresponse().read()
            scrapes += 1
            time.sleep(interval)
    except (OSError, http.client.HTTPException):
        pass  # the crawl ended
    print(scrapes)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
