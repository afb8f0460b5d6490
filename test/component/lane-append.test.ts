// The lane append writes the jobs BullMQ writes: each job it adds is compared field by field with one
// that BullMQ's own Queue.add made with the same options, and BullMQ's worker side takes it, completes
// it and releases its place in line. A BullMQ upgrade that changes how jobs are stored fails here.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { createLaneQueue, lanePrefix } from '../support/lanes.js';
import { appendToLane, laneRateKey, type AppendEntry } from '../../src/request/lane-append.js';
import { dedupeKey, parseRecord, type SubmitRecord } from '../../src/request/submit-dedupe.js';
import { claimEntry, laneRedis } from '../support/lane-redis.js';

const t = laneRedis('append');

let lanes = 0;
/** A lane queue of its own: its counter starts at 0. */
function lane(): Queue {
  return createLaneQueue(t.prefix, { name: `append-${++lanes}` }, t.redis);
}

async function stored(queue: Queue, id: string) {
  const hash = await (t.redis as Redis).hgetall(`${queue.keys['']}${id}`);
  const { timestamp, opts, ...rest } = hash;
  expect(Number(timestamp)).toBeGreaterThan(Date.now() - 60_000);
  return { ...rest, opts: JSON.parse(opts ?? 'null') as unknown };
}

describe('the lane append', () => {
  it('when it adds a plain job, a line-holding claim and a keyed order, then each job is stored as BullMQ stores it', async () => {
    const queue = lane();
    const order = { productId: 3, quantity: 1, userId: 9, acceptedAt: 1_700_000_000_456, nonce: 'n-order' };
    const byBullmq = [
      await queue.add('plain', { a: 1 }),
      await queue.add('claim', claimEntry('n-1', 41).data, {
        ...queue.defaultJobOptions,
        deduplication: { id: 'u:7:41' },
      }),
      await queue.add('order', order, { ...queue.defaultJobOptions, deduplication: { id: 'k:abc', ttl: 60_000 } }),
    ];
    const ours = await appendToLane(queue, [
      { name: 'plain', data: { a: 1 } },
      claimEntry('n-1', 42),
      {
        name: 'order',
        data: order,
        once: {
          rule: { dedupeId: 'k:abd', dedupeTtlMs: 60_000, key: { recordKey: '', hash: 'h1', ttlMs: 60_000 } },
          nonce: 'n-order',
          acceptedAt: order.acceptedAt,
        },
      },
    ]);
    expect(byBullmq.map((j) => j.id)).toEqual(['1', '2', '3']);
    expect(ours[0]).toBe(4);
    expect(ours[1]).toEqual({ sequence: 5, nonce: 'n-1', hash: '', acceptedAt: 1_700_000_000_123 });
    expect(ours[2]).toEqual({ sequence: 6, nonce: 'n-order', hash: 'h1', acceptedAt: order.acceptedAt });

    expect(await stored(queue, '4')).toEqual(await stored(queue, '1'));
    const claimBullmq = await stored(queue, '2');
    expect(await stored(queue, '5')).toEqual({
      ...claimBullmq,
      data: JSON.stringify(claimEntry('n-1', 42).data),
      deid: 'u:7:42',
      opts: { ...(claimBullmq.opts as object), de: { id: 'u:7:42' } },
    });
    const orderBullmq = await stored(queue, '3');
    expect(await stored(queue, '6')).toEqual({
      ...orderBullmq,
      deid: 'k:abd',
      opts: { ...(orderBullmq.opts as object), de: { id: 'k:abd', ttl: 60_000 } },
    });
    // The wait list in order, BullMQ's place-in-line key holding the job id, and an order key's record with its TTL.
    expect(await (t.redis as Redis).lrange(queue.keys.wait ?? '', 0, -1)).toEqual(['6', '5', '4', '3', '2', '1']);
    expect(await t.redis.get(dedupeKey(queue, 'u:7:42'))).toBe('5');
    expect(await t.redis.get(dedupeKey(queue, 'k:abd'))).toBe('6|n-order|h1|1700000000456');
    expect(await t.redis.pttl(dedupeKey(queue, 'k:abd'))).toBeGreaterThan(50_000);
    // BullMQ reads it back as its own job.
    const job = (await queue.getJob('5')) as Job;
    expect(job.data).toEqual(claimEntry('n-1', 42).data);
    expect(job.opts.deduplication).toEqual({ id: 'u:7:42' });
    await queue.close();
  });

  it('when an intent already holds a request, then the append adds nothing, takes no sequence and answers that request', async () => {
    const queue = lane();
    const recordKey = `${queue.keys['']}idem:test-key`;
    const keyed = (nonce: string): AppendEntry => ({
      ...claimEntry(nonce, 51),
      once: { rule: { dedupeId: 'u:7:51', key: { recordKey, hash: 'body-1', ttlMs: 60_000 } }, nonce, acceptedAt: 5 },
    });
    const first = await appendToLane(queue, [claimEntry('n-a', 50), keyed('n-b')]);
    // In one batch and in a later one: the same user's claim, and the same key.
    const again = await appendToLane(queue, [claimEntry('n-c', 50), keyed('n-d'), claimEntry('n-e', 52)]);
    expect(first).toEqual([
      { sequence: 1, nonce: 'n-a', hash: '', acceptedAt: 1_700_000_000_123 },
      { sequence: 2, nonce: 'n-b', hash: 'body-1', acceptedAt: 5 },
    ]);
    expect(again).toEqual([
      { sequence: 1, nonce: 'n-a', hash: '', acceptedAt: 1_700_000_000_123 },
      { sequence: 2, nonce: 'n-b', hash: 'body-1', acceptedAt: 5 },
      { sequence: 3, nonce: 'n-e', hash: '', acceptedAt: 1_700_000_000_123 },
    ]);
    expect(await t.redis.get(queue.keys.id ?? '')).toBe('3');
    expect(parseRecord(await t.redis.get(recordKey))).toEqual<SubmitRecord>({
      sequence: 2,
      nonce: 'n-b',
      hash: 'body-1',
      acceptedAt: 5,
    });
    await queue.close();
  });

  it('when BullMQ’s worker side completes an appended claim, then its place in line is free and a new claim is added', async () => {
    const queue = lane();
    const connection = createRedis(t.config);
    const worker = new Worker(queue.name, null, {
      connection,
      prefix: lanePrefix(t.prefix, { name: queue.name }),
      autorun: false,
    });
    try {
      await appendToLane(queue, [claimEntry('n-1', 61)]);
      const job = await worker.getNextJob('token-1');
      if (!job) throw new Error('the worker found no job');
      expect(job.id).toBe('1');
      await job.moveToCompleted({ status: 'SUCCEEDED' }, 'token-1', false);
      expect(await t.redis.get(dedupeKey(queue, 'u:7:61'))).toBeNull();
      expect(await appendToLane(queue, [claimEntry('n-2', 61)])).toEqual([
        { sequence: 2, nonce: 'n-2', hash: '', acceptedAt: 1_700_000_000_123 },
      ]);
    } finally {
      await worker.close();
      connection.disconnect();
      await queue.close();
    }
  });

  it('when the job that held a place in line is gone, then the line is taken again (BullMQ’s stale-key recovery)', async () => {
    const queue = lane();
    await appendToLane(queue, [claimEntry('n-1', 71)]);
    await t.redis.del(`${queue.keys['']}1`);
    expect(await appendToLane(queue, [claimEntry('n-2', 71)])).toEqual([
      { sequence: 2, nonce: 'n-2', hash: '', acceptedAt: 1_700_000_000_123 },
    ]);
    expect(await t.redis.get(dedupeKey(queue, 'u:7:71'))).toBe('2');
    await queue.close();
  });
  it('when a user’s adds pass their limit, then the append refuses the rest with the time left, takes no sequence for them and never refuses a repeat', async () => {
    const queue = lane();
    const limit = { userId: 81, perSecond: 2 };
    const order = (nonce: string, key?: string): AppendEntry => ({
      name: 'order',
      data: { userId: 81, nonce, acceptedAt: 9 },
      ...(key
        ? {
            once: {
              rule: { dedupeId: key, dedupeTtlMs: 60_000, key: { recordKey: '', hash: 'h', ttlMs: 60_000 } },
              nonce,
              acceptedAt: 9,
            },
          }
        : {}),
      limit,
    });
    const other: AppendEntry = { name: 'order', data: { userId: 82 }, limit: { userId: 82, perSecond: 2 } };
    const answers = await appendToLane(queue, [
      order('n-1', 'k:one'),
      order('n-2'),
      order('n-3'),
      other,
      order('n-4', 'k:four'),
    ]);
    expect(answers.slice(0, 2)).toEqual([{ sequence: 1, nonce: 'n-1', hash: 'h', acceptedAt: 9 }, 2]);
    for (const refused of [answers[2], answers[4]]) {
      expect(refused).toMatchObject({ refused: true });
      const { retryInMs } = refused as { retryInMs: number };
      expect(retryInMs).toBeGreaterThan(0);
      expect(retryInMs).toBeLessThanOrEqual(1000);
    }
    // Another user's add takes the next sequence: the refused ones took none, and wrote no record.
    expect(answers[3]).toBe(3);
    expect(await t.redis.get(queue.keys.id ?? '')).toBe('3');
    expect(await t.redis.get(dedupeKey(queue, 'k:four'))).toBeNull();
    expect(await (t.redis as Redis).llen(queue.keys.wait ?? '')).toBe(3);
    // Over the limit, the first key's repeat still answers its request; the counter is in the lane's slot.
    expect(await appendToLane(queue, [order('n-5', 'k:one')])).toEqual([
      { sequence: 1, nonce: 'n-1', hash: 'h', acceptedAt: 9 },
    ]);
    expect(laneRateKey(queue, 81).startsWith(queue.keys[''] ?? '-')).toBe(true);
    expect(await t.redis.get(laneRateKey(queue, 81))).toBe('4');
    await queue.close();
  });
});
