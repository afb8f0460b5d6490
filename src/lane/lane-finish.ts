// Taking and completing a lane's jobs a batch at a time, in one script call instead of one per job.
// Each job still goes through BullMQ's own script (moveToActive to take it, moveToFinished to
// complete it), with the keys and arguments BullMQ passes, called once per job by a batch script
// (src/bullmq/worker-scripts.ts). Only the per-job round trips, socket writes and promises are gone
// (each side was a fifth of a worker's CPU in an order rush).
// test/component/lane-finish.test.ts holds the results to Worker.getNextJob's and Job.moveToCompleted's.
import type { Job, Worker } from 'bullmq';
import { finishBatchCall, takeBatchCall, takenJobs, type ScriptCall } from '../bullmq/worker-scripts.js';
import { runScript } from '../lua/scripts.js';
import type { RedisClient } from '../redis.js';

const run = (redis: RedisClient, { script, keys, args }: ScriptCall) => runScript(redis, script, keys, args);

/**
 * Takes up to `count` waiting jobs into active for `token`, as that many Worker.getNextJob(token)
 * calls without blocking would, in one script call. Fewer when the lane has fewer waiting.
 */
export async function takeJobs(redis: RedisClient, worker: Worker, token: string, count: number): Promise<Job[]> {
  if (count <= 0) return [];
  return takenJobs(worker, token, await run(redis, takeBatchCall(worker, token, count)));
}

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
  const raw = await run(redis, finishBatchCall(worker, jobs));
  if (!Array.isArray(raw) || raw.length !== jobs.length) throw new Error('the batch completion gave no answer per job');
  return raw.map(Number);
}
