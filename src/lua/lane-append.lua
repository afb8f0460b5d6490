-- Appends a batch of requests to a lane, in order; a script runs atomically, so the order of
-- sequences is the order of the entries. For each entry:
--   1. one request per intent: an entry whose intent already holds a request (its Idempotency-Key's
--      record, its user's place in line, its order key) adds nothing and takes no sequence, so
--      sequences stay gapless and positions exact;
--   2. its gate: while the entry's flag is set it is answered with its instant answer, adding nothing
--      (an order of a product the lane flagged out of stock); an order key records that answer;
--   3. the user's rate limit, counted per user and lane: an entry over it adds nothing and is told
--      how long until the window ends (a repeat is answered first and never counted, nor is a gated
--      entry);
--   4. the job, written as BullMQ's Queue.add writes it (bullmq-add-job.lua), and the intent's record
--      in the same step, so a submit whose answer was lost is found again by its retry.
-- Records are `<sequence>|<nonce>|<body hash>|<acceptedAt>` (`x|<instant id>|<hash>|` for an
-- instant answer), as src/request/submit-dedupe.ts reads them.
-- KEYS: 1 to 6 the queue's (bullmq-add-job.lua), then the keys the entries name by their index.
-- ARGV: 1 the jobs' key prefix, 2 their stored options (bullmq-add-job.lua), 3 the timestamp; then
-- one JSON object per entry, its fields flat (fewer tables for the script to build); a `…Key` field
-- is an index into KEYS:
--   name, data                     the job's name and its data as JSON
--   nonce, hash, acceptedAt        an entry made at most once: what its record holds
--   dedupeKey, dedupeId, dedupeTtl its deduplication key and id; with a TTL (an order's
--                                  Idempotency-Key) the key holds the record that long
--   recordKey, recordTtl           its Idempotency-Key's record
--   limitKey, perSecond            its user's rate counter in the lane's slot, and the limit
--   gateKey, instant               the flag, and the instant answer's id without its `x-`
-- Answers one { kind, value } per entry: { 'added', sequence } for an entry without dedupeKey,
-- { 'record', record } of the request that holds the intent (its own when added now),
-- { 'refused', ms until the window ends }, { 'gated', '' }.
--- @include "bullmq-add-job"

local function record(sequence, nonce, hash, acceptedAt)
  return sequence .. '|' .. nonce .. '|' .. (hash or '') .. '|' .. string.format('%d', acceptedAt)
end

-- Step 1, a place in line: the record of the request that holds the entry's deduplication key, or false.
local function lineHolder(queue, e)
  local deKey = KEYS[e.dedupeKey]
  local held = redis.call('GET', deKey)
  if not held then return false end
  -- An order key's record.
  if string.find(held, '|', 1, true) then return held end
  local raw = redis.call('HGET', queue.jobPrefix .. held, 'data')
  if raw then
    local d = cjson.decode(raw)
    return record(held, tostring(d.nonce), e.hash, d.acceptedAt)
  end
  -- As BullMQ recovers a stale deduplication key: the job that held it is gone.
  redis.call('DEL', deKey)
  return false
end

-- Step 3: false, or the ms until the user's window ends when this add would pass the limit. A fixed
-- window of one second from the first counted submit, as rate-limiter-flexible counts.
local function overLimit(e)
  local key = KEYS[e.limitKey]
  local used = redis.call('INCR', key)
  local left = redis.call('PTTL', key)
  if left < 0 then
    redis.call('PEXPIRE', key, 1000)
    left = 1000
  end
  return used > e.perSecond and left
end

-- The entry's answer, and what its Idempotency-Key's record is to hold when it has none yet.
local function append(queue, e)
  local recorded = e.recordKey and redis.call('GET', KEYS[e.recordKey])
  if recorded then return { 'record', recorded } end
  local held = e.dedupeKey and lineHolder(queue, e)
  if held then return { 'record', held }, held end
  if e.gateKey and redis.call('EXISTS', KEYS[e.gateKey]) == 1 then
    local answer = 'x|' .. e.instant .. '|' .. (e.hash or '') .. '|'
    if e.dedupeKey and e.dedupeTtl then redis.call('SET', KEYS[e.dedupeKey], answer, 'PX', e.dedupeTtl) end
    return { 'gated', '' }, answer
  end
  local left = e.limitKey and overLimit(e)
  if left then return { 'refused', left } end
  local jobId = bullmqAddJob(queue, e.name, e.data, e.dedupeId, e.dedupeTtl)
  if not e.dedupeKey then return { 'added', jobId } end
  local own = record(jobId, e.nonce, e.hash, e.acceptedAt)
  if e.dedupeTtl then
    redis.call('SET', KEYS[e.dedupeKey], own, 'PX', e.dedupeTtl)
  else
    redis.call('SET', KEYS[e.dedupeKey], jobId)
  end
  return { 'record', own }, own
end

local queue = bullmqQueueState()
queue.jobPrefix, queue.opts, queue.timestamp = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV do
  local e = cjson.decode(ARGV[i])
  local answer, toRecord = append(queue, e)
  -- A key's first submit records the request it made, found holding the line, or was answered with.
  if e.recordKey and toRecord then redis.call('SET', KEYS[e.recordKey], toRecord, 'PX', e.recordTtl) end
  out[i - 3] = answer
end
return out
