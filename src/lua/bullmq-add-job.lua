-- A lane's job written as BullMQ's addStandardJob writes one added with Queue.add (FIFO, no delay,
-- no priority, no parent, no repeat): the next id from the queue's counter, the job hash with
-- BullMQ's fields, the wait list, the marker for workers and the `added` and `waiting` events.
-- test/component/lane-append.test.ts holds the jobs written here to those Queue.add writes.
-- KEYS 1 to 6 are the queue's (src/bullmq/job-writes.ts): wait, meta, id counter, active, events, marker.

-- The queue's state for a batch of adds: BullMQ's events cap, and whether workers are to be woken.
local function bullmqQueueState()
  local maxEvents = redis.call('HGET', KEYS[2], 'opts.maxLenEvents')
  if not maxEvents then
    maxEvents = 10000
    redis.call('HSET', KEYS[2], 'opts.maxLenEvents', maxEvents)
  end
  local meta = redis.call('HMGET', KEYS[2], 'paused', 'concurrency')
  local pausedOrMaxed = false
  if meta[1] then pausedOrMaxed = true
  elseif meta[2] then pausedOrMaxed = redis.call('LLEN', KEYS[4]) >= tonumber(meta[2]) end
  return { maxEvents = maxEvents, pausedOrMaxed = pausedOrMaxed }
end

-- Adds one job; answers its id (the lane's sequence). `queue`: the batch's jobPrefix, opts (the
-- jobs' stored options as JSON without the closing brace) and timestamp, and bullmqQueueState()'s
-- fields. `dedupeId`, `dedupeTtl`: nil, or the deduplication BullMQ stores in the job's options.
local function bullmqAddJob(queue, name, data, dedupeId, dedupeTtl)
  local jobId = redis.call('INCR', KEYS[3])
  local opts = queue.opts .. '}'
  local fields = { 'timestamp', queue.timestamp, 'delay', 0, 'priority', 0, 'name', name, 'data', data }
  if dedupeId then
    local ttl = dedupeTtl and (',"ttl":' .. dedupeTtl) or ''
    local sep = #queue.opts > 1 and ',' or ''
    opts = queue.opts .. sep .. '"de":{"id":' .. cjson.encode(dedupeId) .. ttl .. '}}'
  end
  fields[#fields + 1], fields[#fields + 2] = 'opts', opts
  if dedupeId then fields[#fields + 1], fields[#fields + 2] = 'deid', dedupeId end
  redis.call('HMSET', queue.jobPrefix .. jobId, unpack(fields))
  redis.call('XADD', KEYS[5], '*', 'event', 'added', 'jobId', jobId, 'name', name)
  redis.call('LPUSH', KEYS[1], jobId)
  if not queue.pausedOrMaxed then redis.call('ZADD', KEYS[6], 0, '0') end
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', queue.maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
  return jobId
end
