-- Takes a lane's lease if nobody holds it, with the next fencing token (never below the floor).
-- KEYS: 1 lease, 2 fence. ARGV: 1 owner id, 2 lease ms, 3 the lowest token the database has seen.
-- Answers the token, or 0 when the lease is held.
local current = redis.call('GET', KEYS[1])
if current then return 0 end
local fence = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if fence <= floor then
  fence = floor + 1
  redis.call('SET', KEYS[2], fence)
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence
