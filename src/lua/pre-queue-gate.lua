-- After a coupon's start: whether its pre-queue is drawn, and the user's pre-queued claim. A coupon
-- not drawn yet is put on its lane's list of pre-queues to draw, in case no claim was ever pre-queued.
-- KEYS: 1 state, 2 pre-queues index, 3 users. ARGV: 1 couponId, 2 claimStartsAt, 3 userId.
-- Answers { drawn (1/0), the user's pre-queued request id or false }.
local drawn = redis.call('GET', KEYS[1]) == 'drawn' and 1 or 0
if drawn == 0 then redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1]) end
return { drawn, redis.call('HGET', KEYS[3], ARGV[3]) }
