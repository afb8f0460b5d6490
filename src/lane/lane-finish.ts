// Taking and completing a lane's jobs a batch at a time, in one script call instead of one per job.
// Each job still goes through BullMQ's own script (moveToActive to take it, moveToFinished to
// complete it), with the keys and arguments BullMQ passes: the script's text is wrapped in a Lua
// function that the batch script calls once per job, in order. Only the per-job round trips, socket
// writes and promises are gone (each side was a fifth of a worker's CPU in an order rush).
// test/component/lane-finish.test.ts holds the results to Worker.getNextJob's and Job.moveToCompleted's.
import { createRequire } from 'node:module';
import { Job, type JobJson, type KeepJobs, type Worker } from 'bullmq';
import { Packr } from 'msgpackr';

// From the CommonJS build that `import 'bullmq'` loads, so these are the same modules BullMQ runs.
const require = createRequire(import.meta.url);
type Script = { content: string; keys: number };
const { moveToActive } = require('bullmq/dist/cjs/scripts/moveToActive-11.js') as { moveToActive: Script };
const { moveToFinished } = require('bullmq/dist/cjs/scripts/moveToFinished-14.js') as { moveToFinished: Script };
const { raw2NextJobData } = require('bullmq/dist/cjs/classes/redis-queue-backend.js') as {
  raw2NextJobData: (raw: unknown) => [JobJson | null, string];
};
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

/** Options packed as BullMQ packs them for its scripts. */
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

// KEYS and ARGV: moveToActive's (the same for every job); then the number of jobs to take. Stops at
// the first call that takes none. Answers each call's moveToActive result.
const TAKE_BATCH = `
local function takeOne(KEYS, ARGV)
${moveToActive.content}
end
local out = {}
local args = { ARGV[1], ARGV[2], ARGV[3] }
for i = 1, tonumber(ARGV[4]) do
  local r = takeOne(KEYS, args)
  out[i] = r
  if type(r) ~= 'table' or not r[1] or r[1] == 0 then break end
end
return out`;

type BatchCommand = (numberOfKeys: number, ...keysAndArgs: (string | number | Buffer)[]) => Promise<unknown>;
type WithBatches = { ceFinishBatch: BatchCommand; ceTakeBatch: BatchCommand };
const withCommand = new WeakSet<object>();

function define(redis: RedisClient): WithBatches {
  if (!withCommand.has(redis)) {
    redis.defineCommand('ceFinishBatch', { lua: FINISH_BATCH });
    redis.defineCommand('ceTakeBatch', { lua: TAKE_BATCH });
    withCommand.add(redis);
  }
  return redis as unknown as WithBatches;
}

/**
 * Takes up to `count` waiting jobs into active for `token`, as that many Worker.getNextJob(token)
 * calls without blocking would, in one script call. Fewer when the lane has fewer waiting.
 */
export async function takeJobs(redis: RedisClient, worker: Worker, token: string, count: number): Promise<Job[]> {
  if (count <= 0) return [];
  const keys = worker.keys;
  const fixed = [
    keys.wait,
    keys.active,
    keys.prioritized,
    keys.events,
    keys.stalled,
    keys.limiter,
    keys.delayed,
    keys.paused,
    keys.meta,
    keys.pc,
    keys.marker,
  ];
  const opts = packer.pack({
    token,
    lockDuration: worker.opts.lockDuration,
    limiter: worker.opts.limiter,
    name: worker.opts.name,
  });
  const raw = await define(redis).ceTakeBatch(
    fixed.length,
    ...fixed.map((k) => k ?? ''),
    keys[''] ?? '',
    Date.now(),
    opts,
    count,
  );
  if (!Array.isArray(raw)) throw new Error('the batch take gave no answer');
  const jobs: Job[] = [];
  for (const one of raw) {
    const [json, id] = raw2NextJobData(one);
    if (!json) break;
    const job = Job.fromJSON(worker, json, id);
    job.token = token;
    jobs.push(job);
  }
  return jobs;
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
  const raw = await define(redis).ceFinishBatch(keys.length, ...keys, ...args);
  if (!Array.isArray(raw) || raw.length !== jobs.length) throw new Error('the batch completion gave no answer per job');
  return raw.map(Number);
}
