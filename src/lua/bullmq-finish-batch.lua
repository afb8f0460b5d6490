-- Completes a batch of jobs, one call of BullMQ's moveToFinished per job: `finishOne` is BullMQ's
-- script and KEYS_PER_JOB and ARGS_PER_JOB its key and argument counts, put before this file by
-- src/bullmq/worker-scripts.ts.
-- KEYS: each job's moveToFinished keys in turn. ARGV: each job's moveToFinished arguments in turn.
-- Answers each job's moveToFinished result (0, or BullMQ's negative error code).
local out = {}
for i = 1, #ARGV / ARGS_PER_JOB do
  local k, a = {}, {}
  for j = 1, KEYS_PER_JOB do k[j] = KEYS[(i - 1) * KEYS_PER_JOB + j] end
  for j = 1, ARGS_PER_JOB do a[j] = ARGV[(i - 1) * ARGS_PER_JOB + j] end
  out[i] = finishOne(k, a)
end
return out
