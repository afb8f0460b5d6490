-- Runs after the drawn claims' adds in their transaction: notes each request's sequence (the job
-- holding its deduplication id) and marks the pre-queue drawn.
-- KEYS: 1 state, 2 drawn. ARGV: 1 the deduplication key prefix, then the drawn request ids.
-- Answers the number of request ids.
for i = 2, #ARGV do
  local id = redis.call('GET', ARGV[1] .. ARGV[i])
  if id then redis.call('HSET', KEYS[2], ARGV[i], id) end
end
redis.call('SET', KEYS[1], 'drawn')
return #ARGV - 1
