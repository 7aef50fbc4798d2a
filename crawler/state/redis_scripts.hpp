#pragma once
// The Lua scripts of a crawl kept in Redis (docs/DISTRIBUTED.md). Each runs atomically on the
// server, so politeness (a host's requests in flight and next allowed start), leases and
// exactly-once completion hold across every worker. KEYS[1] is the crawl's key prefix
// ("acrawl:{ID}:"); every key a script touches starts with it (one hash slot in a Cluster).
//
// Items are stored as "kind\tid\tdepth\tattempt\torigin\turl\trecord" (kind: P a page, R a
// robots.txt); hosts' state in "host:<host>" hashes (inflight, delay, next, paused, capped,
// blocked).

namespace acrawl::crawler::redis_lua {

// ARGV: now_ms, max_pages (0: none), is_seed (1/0), then (fp, bucket, host, item) per URL.
// Admits each URL not seen yet (seeds bypass max_pages). Returns how many were queued.
extern const char* const kSeed;

// ARGV: now_ms, n, per_host (0: none), lease_ms, worker, lease id prefix, robots (1/0),
// delay_ms (--delay; robots.txt's Crawl-delay when larger), ahead (more items past n, from
// hosts with neither a delay nor a cap only), r, then r (lease id, retry_after_ms, hand-over
// lease id or "") triples released first, f, then f (host, count) pairs to lease slotless
// items of.
// Leases up to n items of due hosts (and the robots.txt of an origin whose rules are unknown,
// once for all workers), each holding one of its host's per_host slots, then slotless items of
// the hosts named: a worker starts one in the slot of a transfer of its own that ended, and
// says so with the hand-over lease id. Returns {queued, leased, delayed, readers, next_due_ms,
// then (lease id, item, rules or "", "1" holding a slot or "0") per item}.
extern const char* const kClaim;

// ARGV: lease id, now_ms, retry_after_ms, hand-over lease id or "", per_host. The transfer
// ended: the host may take another request (not before now + retry_after), or the slotless
// lease named takes its slot. The lease stays until complete or retry.
extern const char* const kRelease;

// ARGV: lease id, now_ms, not_before_ms, item (its attempt advanced). Back to its host's queue
// (at its head) once not_before has passed. Returns 1, or 0 when the lease was lost.
extern const char* const kRetry;

// ARGV: lease id, now_ms, max_pages, hand-over lease id or "" (as for kRelease), per_host,
// record field count k, k field/value pairs, then (fp, bucket, host, item) per link. The
// hand-over is made first (even when the lease was lost). Only while the lease is this
// worker's: the record goes to
// the records stream, the links are admitted, the lease ends. Returns 1, or 0 when the lease
// was lost (another worker has the item now: this completion is dropped).
extern const char* const kComplete;

// ARGV: lease id, now_ms, rules, delay_ms. A robots.txt lease ends with its origin's rules
// ("" while unavailable: asked again later); hosts waiting on them go on.
extern const char* const kRobots;

// ARGV: now_ms, expiry_ms, lease ids... Extends the worker's leases still held.
extern const char* const kRenew;

// ARGV: now_ms, fp, bucket, record field count k, k field/value pairs. A record that needs no
// fetch (an input line that is not a URL), kept once however many workers read the line (fp
// names the line). Returns 1, or 0 when it was kept already.
extern const char* const kNote;

// ARGV: now_ms, limit. Expired leases back to their queues; due retries back to theirs.
// Returns how many items moved.
extern const char* const kReap;

}  // namespace acrawl::crawler::redis_lua
