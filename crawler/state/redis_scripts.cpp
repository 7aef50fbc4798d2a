#include "crawler/state/redis_scripts.hpp"

#include <deque>
#include <string>

namespace acrawl::crawler::redis_lua {

namespace {

// Shared by every script (EVAL has no includes: each script is this prelude and its body).
constexpr const char* kPrelude = R"lua(
local p = KEYS[1]
local function num(v) return tonumber(v) or 0 end
local function hostkey(h) return p .. 'host:' .. h end
-- Counter changes are summed here and applied once, when the script ends (every redis.call
-- costs about a microsecond of Lua bridging: a page must cost few of them).
local deltas = {}
local function count(field, by) deltas[field] = (deltas[field] or 0) + by end
local function flush_counts()
  for field, by in pairs(deltas) do
    if by ~= 0 then redis.call('HINCRBY', p .. 'counts', field, by) end
  end
end

-- Puts host h among the due hosts at its next allowed start, if it has a queue and is neither
-- waiting for robots.txt rules nor at its cap of requests in flight.
local function schedule(h)
  local f = redis.call('HMGET', hostkey(h), 'blocked', 'capped', 'next', 'paused')
  if f[1] or f[2] or redis.call('LLEN', p .. 'q:' .. h) == 0 then
    redis.call('ZREM', p .. 'hosts', h)
    return
  end
  redis.call('ZADD', p .. 'hosts', math.max(num(f[3]), num(f[4])), h)
end

-- A URL offered: queued unless seen already (or over max_pages, seeds excepted). `accepted`
-- is kept only for max_pages, which every worker of a crawl shares.
local accepted = nil
local touched = {}  -- hosts scheduled by this script already
local function admit(max_pages, is_seed, fp, bucket, h, item)
  if max_pages > 0 and is_seed ~= '1' then
    if accepted == nil then accepted = num(redis.call('HGET', p .. 'counts', 'accepted')) end
    if accepted + (deltas['accepted'] or 0) >= max_pages then return 0 end
  end
  if redis.call('SADD', p .. 'seen:' .. bucket, fp) == 0 then return 0 end
  redis.call('RPUSH', p .. 'q:' .. h, item)
  count('queued', 1)
  if max_pages > 0 then count('accepted', 1) end
  if not touched[h] then
    touched[h] = true
    if redis.call('ZSCORE', p .. 'hosts', h) == false then schedule(h) end
  end
  return 1
end

-- The transfer of lease lk ended (l: its host, `released` and `slotless` fields): its host may
-- take another request. keep: the lease lives on, so it is marked released (else its end
-- follows). A slotless lease (leased ahead past the host's cap) never held a slot.
local function release(lk, l, now, retry_after, keep)
  if l[2] == '1' then return end
  if keep then redis.call('HSET', lk, 'released', '1') end
  if l[3] == '1' then return end
  local h = l[1]
  local hk = hostkey(h)
  redis.call('HINCRBY', hk, 'inflight', -1)
  if retry_after > 0 then
    redis.call('HSET', hk, 'paused', math.max(num(redis.call('HGET', hk, 'paused')), now + retry_after))
  end
  redis.call('HDEL', hk, 'capped')
  schedule(h)
end

-- A lease's host and flags, as release() takes them (l[1] is false: no such lease).
local function lease_of(lk)
  return redis.call('HMGET', lk, 'host', 'released', 'slotless')
end

-- The transfer of lease lk ended and its worker starts its leased-ahead item `to` (same host)
-- in its place: the host's slot passes from one to the other, its in-flight count unchanged.
local function hand_over(lk, now, to, per_host)
  local l = lease_of(lk)
  local tk = p .. 'lease:' .. to
  local t = lease_of(tk)
  if not t[1] then  -- `to` expired meanwhile: a plain release
    if l[1] then release(lk, l, now, 0, true) end
    return
  end
  if t[3] ~= '1' then return end  -- handed a slot already (sent again after a reconnect)
  redis.call('HDEL', tk, 'slotless')
  if l[1] and l[2] ~= '1' and l[3] ~= '1' then
    redis.call('HSET', lk, 'released', '1')
  else  -- lk had no slot to give (its lease expired): `to` takes one
    local hk = hostkey(t[1])
    local inflight = redis.call('HINCRBY', hk, 'inflight', 1)
    if per_host > 0 and inflight >= per_host then
      redis.call('HSET', hk, 'capped', '1')
      redis.call('ZREM', p .. 'hosts', t[1])
    end
  end
end

local function end_lease(lid, lk)
  redis.call('DEL', lk)
  redis.call('ZREM', p .. 'leases', lid)
end

-- Hosts waiting for origin's robots.txt rules go on (the rules are known, or must be asked for
-- again).
local function unblock(origin)
  local bk = p .. 'blocked:' .. origin
  for _, h in ipairs(redis.call('SMEMBERS', bk)) do
    redis.call('HDEL', hostkey(h), 'blocked')
    schedule(h)
  end
  redis.call('DEL', bk)
end

-- Expired leases back to their queues (a dead worker's items), due retries back to theirs.
local function reap(now, limit)
  local moved = 0
  for _, lid in ipairs(redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', now, 'LIMIT', 0, limit)) do
    local lk = p .. 'lease:' .. lid
    local l = redis.call('HMGET', lk, 'kind', 'host', 'released', 'origin', 'item', 'slotless')
    local kind, h = l[1], l[2]
    if kind then
      if l[3] ~= '1' and l[6] ~= '1' then
        redis.call('HINCRBY', hostkey(h), 'inflight', -1)
        redis.call('HDEL', hostkey(h), 'capped')
      end
      if kind == 'R' then
        redis.call('HDEL', p .. 'robots', l[4])
        unblock(l[4])
      else
        redis.call('LPUSH', p .. 'q:' .. h, l[5])
        count('queued', 1)
        schedule(h)
      end
    end
    end_lease(lid, lk)
    moved = moved + 1
  end
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', p .. 'delayed', entry)
    local nl = string.find(entry, '\n', 1, true)
    local h = string.sub(entry, 1, nl - 1)
    redis.call('LPUSH', p .. 'q:' .. h, string.sub(entry, nl + 1))
    count('queued', 1)
    schedule(h)
    moved = moved + 1
  end
  return moved
end

-- Redis caps a Lua call's arguments (unpack): long lists go in slices.
local function zadd_all(key, pairs_list)
  for i = 1, #pairs_list, 1000 do
    redis.call('ZADD', key, unpack(pairs_list, i, math.min(i + 999, #pairs_list)))
  end
end
)lua";

// The prelude and a body, kept for the life of the process. The body is a function, so that
// the counters are applied however it returns.
const char* script(const char* body) {
  static std::deque<std::string> scripts;  // filled during static initialization only
  scripts.push_back(std::string(kPrelude) + "local function main()\n" + body +
                    "\nend\nlocal result = main()\nflush_counts()\nreturn result\n");
  return scripts.back().c_str();
}

}  // namespace

const char* const kSeed = script(R"lua(
local max_pages, is_seed = num(ARGV[2]), ARGV[3]
local added = 0
for i = 4, #ARGV, 4 do
  added = added + admit(max_pages, is_seed, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
end
return added
)lua");

const char* const kClaim = script(R"lua(
local now, n, per_host, lease_ms = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local worker, prefix, robots, min_delay = ARGV[5], ARGV[6], ARGV[7], num(ARGV[8])
-- Past n, up to `ahead` more items from hosts without a delay (leased ahead: a delayed host's
-- spacing is kept from the moment of its claim, so its items are never held back).
local total = n + num(ARGV[9])
-- Transfers that ended since this worker's last claim give their hosts' slots back first, or
-- hand them to the worker's leased-ahead items of the same host.
local at = 11
for _ = 1, num(ARGV[10]) do
  local lk = p .. 'lease:' .. ARGV[at]
  if ARGV[at + 2] ~= '' then
    hand_over(lk, now, ARGV[at + 2], per_host)
  else
    local l = lease_of(lk)
    if l[1] then release(lk, l, now, num(ARGV[at + 1]), true) end
  end
  at = at + 3
end
local refills_at = at
reap(now, 100)
local out = {}
local expiries = {}
local taken = 0
local function lease(kind, h, item, origin, rules, slotless)
  taken = taken + 1
  local lid = prefix .. taken
  if slotless then
    redis.call('HSET', p .. 'lease:' .. lid, 'kind', kind, 'host', h, 'item', item, 'origin',
               origin, 'worker', worker, 'slotless', '1')
  else
    redis.call('HSET', p .. 'lease:' .. lid, 'kind', kind, 'host', h, 'item', item, 'origin',
               origin, 'worker', worker)
  end
  expiries[#expiries + 1] = now + lease_ms
  expiries[#expiries + 1] = lid
  out[#out + 1] = lid
  out[#out + 1] = item
  out[#out + 1] = rules
  out[#out + 1] = slotless and '0' or '1'
end
local rules_of = {}  -- by origin, as this script saw them
local function rules_for(origin)
  local r = rules_of[origin]
  if r == nil then
    r = redis.call('HGET', p .. 'robots', origin)
    rules_of[origin] = r
  end
  return r
end
-- Leases up to `want` items from the head of h's queue, up to the first whose origin's
-- robots.txt rules are not known yet. Returns how many; when none because the head waits for
-- its rules, also its origin and rules (false: nobody asked yet; '\1': being fetched).
local function take(h, qk, want, slotless)
  local got = 0
  for _, item in ipairs(redis.call('LRANGE', qk, 0, want - 1)) do
    local origin = string.match(item, '^[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t([^\t]*)\t') or ''
    local rules = ''
    if robots == '1' then
      rules = rules_for(origin)
      if rules == false or rules == '\1' then
        if got == 0 then return 0, origin, rules end
        break  -- the host's next claim blocks on it
      end
    end
    got = got + 1
    lease('P', h, item, origin, rules, slotless)
  end
  if got > 0 then
    redis.call('LTRIM', qk, got, -1)
    count('queued', -got)
  end
  return got
end
local progress = true
while taken < total and progress do
  progress = false
  for _, h in ipairs(redis.call('ZRANGEBYSCORE', p .. 'hosts', '-inf', now, 'LIMIT', 0, total - taken)) do
    local hk = hostkey(h)
    local hf = redis.call('HMGET', hk, 'delay', 'inflight')
    local delay = math.max(min_delay, num(hf[1]))
    -- A host with a delay gives one item (its next start moves past now); one without gives
    -- what its cap allows. Items past n hold a slot only where there is no cap (else they
    -- would keep the slots from other workers while waiting here; slotless ones come through
    -- the refills below).
    if not (taken >= n and (delay > 0 or per_host > 0)) then
      local want = total - taken
      if delay > 0 then want = 1 end
      if per_host > 0 then want = math.max(1, math.min(n - taken, want, per_host - num(hf[2]))) end
      local got, origin, rules = take(h, p .. 'q:' .. h, want, false)
      if got > 0 then
        local inflight = redis.call('HINCRBY', hk, 'inflight', got)
        if delay > 0 then redis.call('HSET', hk, 'next', now + delay) end
        if per_host > 0 and inflight >= per_host then redis.call('HSET', hk, 'capped', '1') end
        schedule(h)
        progress = true
      elseif origin then  -- the head waits for its origin's rules: so does the host
        redis.call('HSET', hk, 'blocked', origin)
        redis.call('SADD', p .. 'blocked:' .. origin, h)
        redis.call('ZREM', p .. 'hosts', h)
        if rules == false then  -- nobody asked yet: this worker fetches it, for everyone
          redis.call('HSET', p .. 'robots', origin, '\1')
          rules_of[origin] = '\1'
          local url = origin .. '/robots.txt'
          redis.call('HINCRBY', hk, 'inflight', 1)
          lease('R', h, 'R\t0\t0\t1\t' .. origin .. '\t' .. url .. '\t' .. url .. '\t' .. h,
                origin, '', false)
          progress = true
        end
      else  -- an empty queue
        redis.call('ZREM', p .. 'hosts', h)
      end
    end
    if taken >= total then break end
  end
end
-- Slotless items for the hosts this worker has transfers under way to (host, count pairs): when
-- one of them ends, the next starts at once in its slot, without a round trip to Redis. A host
-- with a delay gives none (its spacing counts from each claim), nor do items whose origin's
-- robots.txt rules are not known yet.
at = refills_at + 1
for _ = 1, num(ARGV[refills_at]) do
  local h, want = ARGV[at], math.min(num(ARGV[at + 1]), total)
  at = at + 2
  local hf = redis.call('HMGET', hostkey(h), 'delay', 'blocked')
  if want > 0 and not hf[2] and math.max(min_delay, num(hf[1])) == 0 then
    if take(h, p .. 'q:' .. h, want, true) > 0 then schedule(h) end
  end
end
zadd_all(p .. 'leases', expiries)
local first = redis.call('ZRANGE', p .. 'hosts', 0, 0, 'WITHSCORES')
local next_due = first[2] or ''
local retry = redis.call('ZRANGE', p .. 'delayed', 0, 0, 'WITHSCORES')
if retry[2] and (next_due == '' or num(retry[2]) < num(next_due)) then next_due = retry[2] end
local queued = num(redis.call('HGET', p .. 'counts', 'queued')) + (deltas['queued'] or 0)
local leased = redis.call('ZCARD', p .. 'leases')
local delayed = redis.call('ZCARD', p .. 'delayed')
local readers = redis.call('ZCOUNT', p .. 'reading', now, '+inf')
local head = {queued, leased, delayed, readers, next_due}
for _, v in ipairs(out) do head[#head + 1] = v end
return head
)lua");

const char* const kRelease = script(R"lua(
local lk = p .. 'lease:' .. ARGV[1]
if ARGV[4] ~= '' then
  hand_over(lk, num(ARGV[2]), ARGV[4], num(ARGV[5]))
  return 1
end
local l = lease_of(lk)
if not l[1] then return 0 end
release(lk, l, num(ARGV[2]), num(ARGV[3]), true)
return 1
)lua");

const char* const kRetry = script(R"lua(
local lid = ARGV[1]
local lk = p .. 'lease:' .. lid
local l = lease_of(lk)
if not l[1] then return 0 end
release(lk, l, num(ARGV[2]), 0, false)
redis.call('ZADD', p .. 'delayed', num(ARGV[3]), l[1] .. '\n' .. ARGV[4])
end_lease(lid, lk)
return 1
)lua");

const char* const kComplete = script(R"lua(
local lid, now, max_pages, k = ARGV[1], num(ARGV[2]), num(ARGV[3]), num(ARGV[6])
local lk = p .. 'lease:' .. lid
if ARGV[4] ~= '' then hand_over(lk, now, ARGV[4], num(ARGV[5])) end
local l = lease_of(lk)
if not l[1] then return 0 end
release(lk, l, now, 0, false)
-- A sitemap's completion has no record.
if k > 0 then redis.call('XADD', p .. 'records', '*', unpack(ARGV, 7, 6 + 2 * k)) end
end_lease(lid, lk)
for i = 7 + 2 * k, #ARGV, 4 do
  admit(max_pages, '0', ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
end
return 1
)lua");

const char* const kRobots = script(R"lua(
local lid = ARGV[1]
local lk = p .. 'lease:' .. lid
local l = lease_of(lk)
if not l[1] then return 0 end
local h, origin = l[1], redis.call('HGET', lk, 'origin')
local delay = num(ARGV[4])
if delay > num(redis.call('HGET', hostkey(h), 'delay')) then
  redis.call('HSET', hostkey(h), 'delay', delay)
  -- The robots.txt request counts as the first: the first page waits the delay after it.
  redis.call('HSET', hostkey(h), 'next', num(ARGV[2]) + delay)
end
redis.call('HSET', p .. 'robots', origin, ARGV[3])
release(lk, l, num(ARGV[2]), 0, false)
end_lease(lid, lk)
unblock(origin)
return 1
)lua");

const char* const kRenew = script(R"lua(
local expiry = ARGV[2]
local renewed = 0
for i = 3, #ARGV do
  if redis.call('ZSCORE', p .. 'leases', ARGV[i]) then
    redis.call('ZADD', p .. 'leases', 'XX', expiry, ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
)lua");

const char* const kNote = script(R"lua(
local k = num(ARGV[4])
if redis.call('SADD', p .. 'seen:' .. ARGV[3], ARGV[2]) == 0 then return 0 end
redis.call('XADD', p .. 'records', '*', unpack(ARGV, 5, 4 + 2 * k))
return 1
)lua");

const char* const kReap = script(R"lua(
return reap(num(ARGV[1]), num(ARGV[2]))
)lua");

}  // namespace acrawl::crawler::redis_lua
