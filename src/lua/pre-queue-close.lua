-- Closes a coupon's pre-queue unless it is closed or drawn already: the API's acceptance script
-- (pre-queue-accept.lua) refuses from then on.
-- KEYS: 1 state. Answers the state.
local s = redis.call('GET', KEYS[1])
if s then return s end
redis.call('SET', KEYS[1], 'closed')
return 'closed'
