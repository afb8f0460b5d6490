-- Takes a user's claim into a coupon's pre-queue while it is open (one entry per user), or finds the
-- one the user has there; with an Idempotency-Key, records it under the key.
-- KEYS: 1 state, 2 entries, 3 requests, 4 users, 5 pre-queues index, 6 the key's record (optional).
-- ARGV: 1 userId, 2 request id, 3 acceptedAt, 4 couponId, 5 claimStartsAt, 6 body hash, 7 record TTL ms.
-- Answers `<request id>|<acceptedAt>` of the user's pre-queued claim, or false when it is closed.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local id = redis.call('HGET', KEYS[4], ARGV[1])
local at = ARGV[3]
if id then
  at = string.match(redis.call('HGET', KEYS[3], id) or '', '|(%d+)$') or at
else
  id = ARGV[2]
  redis.call('ZADD', KEYS[2], at, id)
  redis.call('HSET', KEYS[3], id, ARGV[1] .. '|' .. at)
  redis.call('HSET', KEYS[4], ARGV[1], id)
  redis.call('ZADD', KEYS[5], 'NX', ARGV[5], ARGV[4])
end
if KEYS[6] then
  local nonce = string.match(id, '([a-z0-9]+)$')
  redis.call('SET', KEYS[6], 'p' .. ARGV[4] .. '|' .. nonce .. '|' .. ARGV[6] .. '|' .. at, 'PX', ARGV[7])
end
return id .. '|' .. at
