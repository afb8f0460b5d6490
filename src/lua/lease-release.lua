-- Gives a lane's lease up, only if its holder still holds it.
-- KEYS: 1 lease. ARGV: 1 the holder's lease value. Answers the number of keys deleted.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
