-- Extends a lane's lease while its holder still holds it.
-- KEYS: 1 lease. ARGV: 1 the holder's lease value, 2 lease ms. Answers 1, or 0 when it was lost.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
