-- Takes up to ARGV[4] waiting jobs into active, as that many calls of BullMQ's moveToActive:
-- `takeOne` is BullMQ's script, put before this file by src/bullmq/worker-scripts.ts. Stops at the
-- first call that takes none.
-- KEYS: moveToActive's (the same for every job). ARGV: moveToActive's three, then the number of jobs.
-- Answers each call's moveToActive result.
local out = {}
local args = { ARGV[1], ARGV[2], ARGV[3] }
for i = 1, tonumber(ARGV[4]) do
  local r = takeOne(KEYS, args)
  out[i] = r
  if type(r) ~= 'table' or not r[1] or r[1] == 0 then break end
end
return out
