// Completing a batch of decided jobs in one script call instead of one per job. Each job still goes
// through BullMQ's own moveToFinished script, with the keys and arguments that Job.moveToCompleted
// passes: its text is wrapped in a Lua function that the batch script calls once per job, in order.
// Only the per-job round trips, socket writes and promises are gone (they were a fifth of a worker's
// CPU in an order rush). test/component/lane-finish.test.ts holds the result to Job.moveToCompleted's.
import type { Job, KeepJobs, Worker } from 'bullmq';
import { moveToFinished } from 'bullmq/dist/esm/scripts/moveToFinished-14.js';
import type { RedisClient } from '../redis.js';

const KEYS_PER_JOB = moveToFinished.keys;
const ARGS_PER_JOB = 9;

// KEYS: each job's moveToFinished keys in turn; ARGV: each job's moveToFinished arguments in turn.
// Answers each job's moveToFinished result (0, or BullMQ's negative error code).
const FINISH_BATCH = `
local function finishOne(KEYS, ARGV)
${moveToFinished.content}
end
local out = {}
for i = 1, #ARGV / ${ARGS_PER_JOB} do
  local k, a = {}, {}
  for j = 1, ${KEYS_PER_JOB} do k[j] = KEYS[(i - 1) * ${KEYS_PER_JOB} + j] end
  for j = 1, ${ARGS_PER_JOB} do a[j] = ARGV[(i - 1) * ${ARGS_PER_JOB} + j] end
  out[i] = finishOne(k, a)
end
return out`;

type FinishCommand = (numberOfKeys: number, ...keysAndArgs: (string | number | Buffer)[]) => Promise<unknown>;
const withCommand = new WeakSet<object>();

export interface Finished {
  job: Job;
  returnValue: unknown;
}

/**
 * Moves the jobs (taken by `worker`, token-less) to completed, as Job.moveToCompleted(returnValue,
 * '0', false) would one by one. Answers BullMQ's result per job: 0, or its negative error code.
 */
export async function completeJobs(redis: RedisClient, worker: Worker, jobs: readonly Finished[]): Promise<number[]> {
  if (jobs.length === 0) return [];
  if (!withCommand.has(redis)) {
    redis.defineCommand('ceFinishBatch', { lua: FINISH_BATCH });
    withCommand.add(redis);
  }
  const backend = worker.getBackend();
  const keys: (string | number | Buffer)[] = [];
  const args: (string | number | Buffer)[] = [];
  for (const { job, returnValue } of jobs) {
    const all = backend.moveToCompletedArgs(
      job,
      JSON.stringify(returnValue),
      job.opts.removeOnComplete as boolean | number | KeepJobs,
      '0',
      false,
    );
    if (all.length !== KEYS_PER_JOB + ARGS_PER_JOB)
      throw new Error(
        `BullMQ's moveToFinished now takes ${all.length} keys and arguments, not ${KEYS_PER_JOB + ARGS_PER_JOB}`,
      );
    for (let i = 0; i < all.length; i++) {
      const value = all[i];
      const v = value === undefined ? '' : typeof value === 'boolean' ? (value ? 1 : 0) : value;
      (i < KEYS_PER_JOB ? keys : args).push(v);
    }
  }
  const raw = await (redis as unknown as { ceFinishBatch: FinishCommand }).ceFinishBatch(keys.length, ...keys, ...args);
  if (!Array.isArray(raw) || raw.length !== jobs.length) throw new Error('the batch completion gave no answer per job');
  return raw.map(Number);
}
