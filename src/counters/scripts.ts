/**
 * The counters' Lua scripts. Redis runs a script alone, start to end, so each read-and-add is
 * atomic across every process that shares the server: the "50 at once, limit 10" case gets
 * exactly 10. A counter's key is a sorted set (member: Okta's eventId or a random id; score:
 * time in ms); `count: allowed` adds a second one of reservations (score: expiry time).
 * Times come from the caller (ARGV), so every store and test uses one clock.
 */

/** KEYS: log. ARGV: now, windowMs, member. Returns the count, this request included. */
export const HIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], 'NX', now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return redis.call('ZCARD', KEYS[1])
`;

/** KEYS: log, pending. ARGV: now, windowMs, member, holdMs. Returns { count with reservations, 1 if reserved }. */
export const RESERVE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local hold = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local reserved = 0
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and not redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  redis.call('ZADD', KEYS[2], now + hold, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], hold)
  reserved = 1
end
return { redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]), reserved }
`;

/** KEYS: log, pending. ARGV: at, windowMs, member. The reservation becomes an entry. */
export const CONFIRM = `
local at = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[1], 'NX', at, ARGV[3])
if redis.call('PTTL', KEYS[1]) < window then redis.call('PEXPIRE', KEYS[1], window) end
return 1
`;

/** KEYS: log, pending. ARGV: now, windowMs, member, includeThis (1/0). The count, recording nothing. */
export const PEEK = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf') + redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
local seen = redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZSCORE', KEYS[2], ARGV[3])
if seen or ARGV[4] ~= '1' then return count end
return count + 1
`;
