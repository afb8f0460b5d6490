// The batch take and completion run BullMQ's own moveToActive and moveToFinished for each job: a job
// they take is stored and locked as one Worker.getNextJob took, a job they complete is stored as one
// completed by Job.moveToCompleted (same fields, completed set, events, place in line released), and
// a job already completed or gone answers BullMQ's codes for that. A BullMQ upgrade that changes the
// scripts' keys or arguments fails here.
import { ErrorCode, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { createLaneQueue, lanePrefix } from '../support/lanes.js';
import { appendToLane } from '../../src/request/lane-append.js';
import { dedupeKey } from '../../src/request/submit-dedupe.js';
import { completeJobs, takeJobs } from '../../src/lane/lane-finish.js';
import { claimEntry, laneRedis } from '../support/lane-redis.js';

const t = laneRedis('finish');

/** A lane queue and a worker that takes its jobs as the lane owner does (no stalled check, no lock renewal). */
function lane(name: string): { queue: Queue; worker: Worker; close(): Promise<void> } {
  const queue = createLaneQueue(t.prefix, { name }, t.redis);
  const connection = createRedis(t.config);
  const worker = new Worker(name, null, {
    connection,
    prefix: lanePrefix(t.prefix, { name }),
    autorun: false,
    skipStalledCheck: true,
    skipLockRenewal: true,
    lockDuration: 60_000,
  });
  return {
    queue,
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
      await queue.close();
    },
  };
}

/** Runs `body` on a lane of its own that holds three claims (sequences 1, 2, 3), then closes it. */
async function withThreeClaims(name: string, body: (queue: Queue, worker: Worker) => Promise<void>): Promise<void> {
  const { queue, worker, ...l } = lane(name);
  try {
    await appendToLane(queue, [claimEntry('n-1', 1), claimEntry('n-2', 2), claimEntry('n-3', 3)]);
    await body(queue, worker);
  } finally {
    await l.close();
  }
}

async function take(worker: Worker, n: number): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < n; i++) {
    const job = await worker.getNextJob('token-1');
    if (!job) throw new Error('the worker found no job');
    jobs.push(job);
  }
  return jobs;
}

async function stored(queue: Queue, id: string) {
  const { finishedOn, processedOn, ...rest } = await (t.redis as Redis).hgetall(`${queue.keys['']}${id}`);
  expect(Number(finishedOn)).toBeGreaterThan(Date.now() - 60_000);
  expect(Number(processedOn)).toBeGreaterThan(Date.now() - 60_000);
  return rest;
}

describe('the batch completion', () => {
  it('when it takes waiting jobs, then each is active, locked and announced as Worker.getNextJob leaves it, in sequence order, and no more than wait', async () => {
    await withThreeClaims('take-a', async (queue, worker) => {
      const byBullmq = await take(worker, 1);
      const ours = await takeJobs(t.redis, worker, 'token-1', 5);
      expect([...byBullmq, ...ours].map((j) => j.id)).toEqual(['1', '2', '3']);
      expect(ours.map((j) => j.data as unknown)).toEqual([claimEntry('n-2', 2).data, claimEntry('n-3', 3).data]);
      expect(ours.every((j) => j.token === 'token-1' && j.processedOn !== undefined)).toBe(true);
      const hash = async (id: string) => {
        const { processedOn, data, deid, opts, ...rest } = await (t.redis as Redis).hgetall(queue.toKey(id));
        expect(Number(processedOn)).toBeGreaterThan(Date.now() - 60_000);
        expect([data, deid, opts].every((v) => typeof v === 'string')).toBe(true);
        return rest;
      };
      for (const id of ['2', '3']) expect(await hash(id)).toEqual(await hash('1'));
      for (const id of ['1', '2', '3']) {
        expect(await t.redis.get(`${queue.toKey(id)}:lock`)).toBe('token-1');
        expect(await t.redis.pttl(`${queue.toKey(id)}:lock`)).toBeGreaterThan(50_000);
      }
      expect(await (t.redis as Redis).lrange(queue.keys.active ?? '', 0, -1)).toEqual(['3', '2', '1']);
      expect(await (t.redis as Redis).llen(queue.keys.wait ?? '')).toBe(0);
      const events = await (t.redis as Redis).xrange(queue.keys.events ?? '', '-', '+');
      const active = events.filter(([, f]) => f[1] === 'active').map(([, f]) => f.slice(0, 4));
      expect(active).toEqual(['1', '2', '3'].map((id) => ['event', 'active', 'jobId', id]));
      expect(await takeJobs(t.redis, worker, 'token-1', 3)).toEqual([]);
    });
  });

  it('when it completes taken jobs, then each is stored, listed and announced as Job.moveToCompleted stores it, and its place in line is free', async () => {
    await withThreeClaims('finish-a', async (queue, worker) => {
      const [byBullmq, ...ours] = await take(worker, 3);
      const returnValue = { status: 'SUCCEEDED', code: undefined };
      await (byBullmq as Job).moveToCompleted(returnValue, '0', false);
      expect(
        await completeJobs(
          t.redis,
          worker,
          ours.map((job) => ({ job, returnValue })),
        ),
      ).toEqual([0, 0]);

      const reference = await stored(queue, '1');
      for (const id of ['2', '3']) {
        expect(await stored(queue, id)).toEqual({
          ...reference,
          data: JSON.stringify(claimEntry(`n-${id}`, Number(id)).data),
          deid: `u:7:${id}`,
          opts: reference.opts?.replace('u:7:1', `u:7:${id}`),
        });
      }
      expect(await (t.redis as Redis).llen(queue.keys.active ?? '')).toBe(0);
      expect(await (t.redis as Redis).zrange(queue.keys.completed ?? '', '0', '-1')).toEqual(['1', '2', '3']);
      for (const user of [1, 2, 3]) expect(await t.redis.get(dedupeKey(queue, `u:7:${user}`))).toBeNull();
      const events = await (t.redis as Redis).xrange(queue.keys.events ?? '', '-', '+');
      const completed = events.filter(([, f]) => f[1] === 'completed').map(([, f]) => f.slice(0, 6));
      expect(completed).toEqual(
        ['1', '2', '3'].map((id) => ['event', 'completed', 'jobId', id, 'returnvalue', JSON.stringify(returnValue)]),
      );
      // BullMQ reads them back as its own completed jobs.
      expect(await queue.getJobState('3')).toBe('completed');
      expect((await queue.getJob('3'))?.returnvalue).toEqual({ status: 'SUCCEEDED' });
    });
  });

  it('when a job is already completed or gone, then it answers BullMQ’s codes for that and the rest of the batch completes', async () => {
    await withThreeClaims('finish-b', async (queue, worker) => {
      const [done, gone, fresh] = (await take(worker, 3)) as [Job, Job, Job];
      await done.moveToCompleted({ status: 'SUCCEEDED' }, '0', false);
      await t.redis.del(queue.toKey(gone.id ?? ''));
      const codes = await completeJobs(
        t.redis,
        worker,
        [done, gone, fresh].map((job) => ({ job, returnValue: {} })),
      );
      expect(codes).toEqual([Number(ErrorCode.JobNotInState), Number(ErrorCode.JobNotExist), 0]);
      expect(await queue.getJobState('3')).toBe('completed');
    });
  });
});
