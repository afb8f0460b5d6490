-- After the order lane's commit: flags each product it left at zero stock whose generation is still
-- the one read before the lane locked the rows (src/order/stock-gate.ts says why).
-- KEYS: per product its generation and its flag. ARGV: 1 the flag's TTL ms, then per product the
-- generation read ('' when it had none). Answers 0.
for i = 1, #KEYS / 2 do
  local gen = redis.call('GET', KEYS[2 * i - 1]) or ''
  if gen == ARGV[i + 1] then redis.call('SET', KEYS[2 * i], '1', 'PX', ARGV[1]) end
end
return 0
