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
local function count(field, by) redis.call('HINCRBY', p .. 'counts', field, by) end

-- Puts host h among the due hosts at its next allowed start, if it has a queue and is neither
-- waiting for robots.txt rules nor at its cap of requests in flight.
local function schedule(h)
  local hk = hostkey(h)
  if redis.call('LLEN', p .. 'q:' .. h) == 0 or redis.call('HEXISTS', hk, 'blocked') == 1
     or redis.call('HEXISTS', hk, 'capped') == 1 then
    redis.call('ZREM', p .. 'hosts', h)
    return
  end
  local at = math.max(num(redis.call('HGET', hk, 'next')), num(redis.call('HGET', hk, 'paused')))
  redis.call('ZADD', p .. 'hosts', at, h)
end

-- A URL offered: queued unless seen already (or over max_pages, seeds excepted).
local function admit(max_pages, is_seed, fp, bucket, h, item)
  if is_seed ~= '1' and max_pages > 0 and num(redis.call('HGET', p .. 'counts', 'accepted')) >= max_pages then
    return 0
  end
  if redis.call('SADD', p .. 'seen:' .. bucket, fp) == 0 then return 0 end
  redis.call('RPUSH', p .. 'q:' .. h, item)
  count('queued', 1)
  count('accepted', 1)
  if redis.call('ZSCORE', p .. 'hosts', h) == false then schedule(h) end
  return 1
end

-- The transfer of a lease ended: its host may take another request.
local function release(lk, now, retry_after)
  if redis.call('HGET', lk, 'released') == '1' then return end
  redis.call('HSET', lk, 'released', '1')
  local h = redis.call('HGET', lk, 'host')
  local hk = hostkey(h)
  redis.call('HINCRBY', hk, 'inflight', -1)
  if retry_after > 0 then
    redis.call('HSET', hk, 'paused', math.max(num(redis.call('HGET', hk, 'paused')), now + retry_after))
  end
  redis.call('HDEL', hk, 'capped')
  schedule(h)
end

local function end_lease(lid, lk)
  redis.call('DEL', lk)
  redis.call('ZREM', p .. 'leases', lid)
  count('leased', -1)
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
    local kind = redis.call('HGET', lk, 'kind')
    if kind then
      local h = redis.call('HGET', lk, 'host')
      if redis.call('HGET', lk, 'released') ~= '1' then
        redis.call('HINCRBY', hostkey(h), 'inflight', -1)
        redis.call('HDEL', hostkey(h), 'capped')
      end
      if kind == 'R' then
        local origin = redis.call('HGET', lk, 'origin')
        redis.call('HDEL', p .. 'robots', origin)
        unblock(origin)
      else
        redis.call('LPUSH', p .. 'q:' .. h, redis.call('HGET', lk, 'item'))
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
    count('delayed', -1)
    count('queued', 1)
    schedule(h)
    moved = moved + 1
  end
  return moved
end
)lua";

// The prelude and a body, kept for the life of the process.
const char* script(const char* body) {
  static std::deque<std::string> scripts;  // filled during static initialization only
  scripts.push_back(std::string(kPrelude) + body);
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
-- Transfers that ended since this worker's last claim give their hosts' slots back first.
for i = 11, 10 + 2 * num(ARGV[10]), 2 do
  local lk = p .. 'lease:' .. ARGV[i]
  if redis.call('EXISTS', lk) == 1 then release(lk, now, num(ARGV[i + 1])) end
end
reap(now, 100)
local out = {}
local taken = 0
local function lease(kind, h, item, origin)
  taken = taken + 1
  local lid = prefix .. taken
  redis.call('HSET', p .. 'lease:' .. lid, 'kind', kind, 'host', h, 'item', item, 'origin', origin,
             'worker', worker, 'released', '0')
  redis.call('ZADD', p .. 'leases', now + lease_ms, lid)
  count('leased', 1)
  return lid
end
local progress = true
while taken < total and progress do
  progress = false
  for _, h in ipairs(redis.call('ZRANGEBYSCORE', p .. 'hosts', '-inf', now, 'LIMIT', 0, total - taken)) do
    local hk = hostkey(h)
    local ahead_only = taken >= n and math.max(min_delay, num(redis.call('HGET', hk, 'delay'))) > 0
    local qk = p .. 'q:' .. h
    local head = redis.call('LINDEX', qk, 0)
    local origin = head and string.match(head, '^[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t([^\t]*)\t') or ''
    local rules = ''
    local blocked = false
    if ahead_only then
      head = nil  -- skipped: not taken, not dropped
    elseif head and robots == '1' then
      rules = redis.call('HGET', p .. 'robots', origin)
      if rules == false or rules == '\1' then
        blocked = true
        redis.call('HSET', hk, 'blocked', origin)
        redis.call('SADD', p .. 'blocked:' .. origin, h)
        redis.call('ZREM', p .. 'hosts', h)
        if rules == false then  -- nobody asked yet: this worker fetches it, for everyone
          redis.call('HSET', p .. 'robots', origin, '\1')
          local url = origin .. '/robots.txt'
          local item = 'R\t0\t0\t1\t' .. origin .. '\t' .. url .. '\t' .. url .. '\t' .. h
          redis.call('HINCRBY', hk, 'inflight', 1)
          local lid = lease('R', h, item, origin)
          out[#out + 1] = lid
          out[#out + 1] = item
          out[#out + 1] = ''
          progress = true
        end
      end
    end
    if head and not blocked then
      local item = redis.call('LPOP', qk)
      count('queued', -1)
      local inflight = redis.call('HINCRBY', hk, 'inflight', 1)
      redis.call('HSET', hk, 'next', now + math.max(min_delay, num(redis.call('HGET', hk, 'delay'))))
      if per_host > 0 and inflight >= per_host then redis.call('HSET', hk, 'capped', '1') end
      schedule(h)
      local lid = lease('P', h, item, origin)
      out[#out + 1] = lid
      out[#out + 1] = item
      out[#out + 1] = rules
      progress = true
    elseif not head and not ahead_only then
      redis.call('ZREM', p .. 'hosts', h)
    end
    if taken >= total then break end
  end
end
local first = redis.call('ZRANGE', p .. 'hosts', 0, 0, 'WITHSCORES')
local next_due = first[2] or ''
local retry = redis.call('ZRANGE', p .. 'delayed', 0, 0, 'WITHSCORES')
if retry[2] and (next_due == '' or num(retry[2]) < num(next_due)) then next_due = retry[2] end
local c = redis.call('HMGET', p .. 'counts', 'queued', 'leased', 'delayed')
local readers = redis.call('ZCOUNT', p .. 'reading', now, '+inf')
local head = {num(c[1]), num(c[2]), num(c[3]), readers, next_due}
for _, v in ipairs(out) do head[#head + 1] = v end
return head
)lua");

const char* const kRelease = script(R"lua(
local lk = p .. 'lease:' .. ARGV[1]
if redis.call('EXISTS', lk) == 0 then return 0 end
release(lk, num(ARGV[2]), num(ARGV[3]))
return 1
)lua");

const char* const kRetry = script(R"lua(
local lid = ARGV[1]
local lk = p .. 'lease:' .. lid
if redis.call('EXISTS', lk) == 0 then return 0 end
release(lk, num(ARGV[2]), 0)
local h = redis.call('HGET', lk, 'host')
redis.call('ZADD', p .. 'delayed', num(ARGV[3]), h .. '\n' .. ARGV[4])
count('delayed', 1)
end_lease(lid, lk)
return 1
)lua");

const char* const kComplete = script(R"lua(
local lid, now, max_pages, k = ARGV[1], num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
local lk = p .. 'lease:' .. lid
if redis.call('EXISTS', lk) == 0 then return 0 end
release(lk, now, 0)
local fields = {}
for i = 5, 4 + 2 * k do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', p .. 'records', '*', unpack(fields))
count('done', 1)
end_lease(lid, lk)
for i = 5 + 2 * k, #ARGV, 4 do
  admit(max_pages, '0', ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3])
end
return 1
)lua");

const char* const kRobots = script(R"lua(
local lid = ARGV[1]
local lk = p .. 'lease:' .. lid
if redis.call('EXISTS', lk) == 0 then return 0 end
local origin = redis.call('HGET', lk, 'origin')
local h = redis.call('HGET', lk, 'host')
local delay = num(ARGV[4])
if delay > num(redis.call('HGET', hostkey(h), 'delay')) then
  redis.call('HSET', hostkey(h), 'delay', delay)
  -- The robots.txt request counts as the first: the first page waits the delay after it.
  redis.call('HSET', hostkey(h), 'next', num(ARGV[2]) + delay)
end
redis.call('HSET', p .. 'robots', origin, ARGV[3])
release(lk, num(ARGV[2]), 0)
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
local fields = {}
for i = 5, 4 + 2 * k do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', p .. 'records', '*', unpack(fields))
count('done', 1)
return 1
)lua");

const char* const kReap = script(R"lua(
return reap(num(ARGV[1]), num(ARGV[2]))
)lua");

}  // namespace acrawl::crawler::redis_lua
