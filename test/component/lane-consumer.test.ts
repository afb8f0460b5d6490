// The lane consumer in-process against the real MariaDB and Redis: replay after a crash between
// commit and completion, fencing of an owner that lost its lease, poison payloads and a request
// whose decision throws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { Queue } from 'bullmq';
import { createDb, type Db } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { claimProcessor } from '../../src/coupon/claim.processor.js';
import { LaneConsumer } from '../../src/lane/lane-consumer.js';
import type { LaneProcessor } from '../../src/lane/lane-processor.js';
import { claimLane, createLaneQueue, laneKeys } from '../support/lanes.js';
import { claimKeys } from '../../src/coupon/claim.keys.js';
import type { ClaimPayload } from '../../src/coupon/claim.payload.js';
import { newNonce } from '../../src/request/request.ids.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
let db: Db;
let redis: Redis;
const logger = createLogger({ LOG_LEVEL: 'silent', LOG_PRETTY: false }, 'test');

beforeAll(async () => {
  stack = await isolatedStack();
  db = createDb(stack.databaseUrl);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await db.destroy();
  await stack.close();
});

async function newCoupon(total: number): Promise<number> {
  const r = await db
    .insertInto('coupons')
    .values({
      name: 'lane test',
      discount_type: 'FIXED',
      discount_value: 100,
      max_discount_amount: null,
      min_order_amount: 0,
      total_quantity: total,
      claim_starts_at: null,
      claim_ends_at: null,
      valid_days: 1,
      created_at: new Date(),
    })
    .executeTakeFirstOrThrow();
  return Number(r.insertId);
}

function consumer(
  laneIndex: number,
  queue: Queue,
  processor: LaneProcessor<ClaimPayload>,
  ownerId: string,
  onOwnership?: (owned: boolean) => void,
) {
  const lane = claimLane(laneIndex);
  return new LaneConsumer({
    ...(onOwnership ? { hooks: { onOwnership: (_lane: string, owned: boolean) => onOwnership(owned) } } : {}),
    lane,
    queuePrefix: stack.queuePrefix,
    queue,
    redis,
    db,
    logger,
    processor,
    batchSize: 100,
    leaseMs: 1_000,
    ownerId,
  });
}

const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
};

const outcomeCount = async (lane: string) =>
  Number(
    (
      await db
        .selectFrom('request_outcomes')
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('lane', '=', lane)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Every outcome of a lane in sequence order: sequence, status and error code. */
const laneOutcomes = (lane: string) =>
  db
    .selectFrom('request_outcomes')
    .select(['sequence', 'status', 'error_code'])
    .where('lane', '=', lane)
    .orderBy('sequence')
    .execute();

const ok = (sequence: number) => ({ sequence, status: 'SUCCEEDED', error_code: null });

describe('lane consumer', () => {
  it('when an owner dies after its commit and before completing the jobs, then the next owner replays the stored outcomes and changes nothing, and the old owner stands down', async () => {
    const couponId = await newCoupon(3);
    const index = 0;
    const lane = claimLane(index);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    const real = claimProcessor({ redis, soldOutKey: claimKeys(laneKeys(stack.queuePrefix, lane)).soldOut });
    let release: () => void = () => undefined;
    const frozen = new Promise<void>((resolve) => (release = resolve));
    const stuck: LaneProcessor<ClaimPayload> = {
      ...real,
      decide: async (trx, items, now) => ({ ...(await real.decide(trx, items, now)), afterCommit: () => frozen }),
    };

    const add = (userId: number) => queue.add('claim', { couponId, userId, acceptedAt: Date.now(), nonce: newNonce() });
    for (const userId of [1, 2, 2, 3, 4]) await add(userId);
    const a = consumer(index, queue, stuck, 'owner-a');
    a.start();
    await until(async () => (await outcomeCount(lane.name)) === 5);
    const before = await db
      .selectFrom('user_coupons')
      .selectAll()
      .where('coupon_id', '=', couponId)
      .orderBy('id')
      .execute();
    expect(before.map((r) => r.user_id)).toEqual([1, 2, 3]);
    expect(await redis.llen(laneKeys(stack.queuePrefix, lane).active)).toBe(5);

    // Owner A is stuck after its commit: its jobs are still active. Its lease runs out.
    await redis.del(laneKeys(stack.queuePrefix, lane).lease);
    const b = consumer(index, queue, real, 'owner-b');
    b.start();
    await until(async () => (await redis.llen(laneKeys(stack.queuePrefix, lane).active)) === 0);
    expect(await outcomeCount(lane.name)).toBe(5);
    const after = await db
      .selectFrom('user_coupons')
      .selectAll()
      .where('coupon_id', '=', couponId)
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
    expect(
      (await db.selectFrom('coupons').select('issued_quantity').where('id', '=', couponId).executeTakeFirstOrThrow())
        .issued_quantity,
    ).toBe(3);

    // A wakes up: its lease is gone, so it stands down and B decides the next job.
    await add(5);
    release();
    await until(async () => (await outcomeCount(lane.name)) === 6);
    const last = await db
      .selectFrom('request_outcomes')
      .select(['sequence', 'error_code'])
      .where('lane', '=', lane.name)
      .orderBy('sequence', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ sequence: 6, error_code: 'SOLD_OUT' });
    const fences = await db.selectFrom('lanes').select('fence').where('name', '=', lane.name).executeTakeFirstOrThrow();
    expect(fences.fence).toBeGreaterThanOrEqual(2);
    await Promise.all([a.stop(), b.stop()]);
    await queue.close();
  });

  it('when the database knows a newer token than the owner holds, then the owner’s commit is refused and nothing is written by it', async () => {
    const couponId = await newCoupon(10);
    const index = 2;
    const lane = claimLane(index);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    const ownership: boolean[] = [];
    const c = consumer(
      index,
      queue,
      claimProcessor({ redis, soldOutKey: claimKeys(laneKeys(stack.queuePrefix, lane)).soldOut }),
      'owner-d',
      (owned) => ownership.push(owned),
    );
    c.start();
    await until(() => Promise.resolve(ownership[0] === true));
    // Another owner claimed the lane in the database while this one still holds its Redis lease.
    await db
      .updateTable('lanes')
      .set({ fence: sql`fence + 10` })
      .where('name', '=', lane.name)
      .execute();
    await queue.add('claim', { couponId, userId: 1, acceptedAt: Date.now(), nonce: newNonce() });

    await until(async () => (await outcomeCount(lane.name)) === 1);
    expect(ownership.slice(0, 3)).toEqual([true, false, true]);
    const fence = (await db.selectFrom('lanes').select('fence').where('name', '=', lane.name).executeTakeFirstOrThrow())
      .fence;
    expect(fence).toBeGreaterThanOrEqual(12);
    await c.stop();
    await queue.close();
  });

  it('when a queued payload is invalid, then that request is FAILED, not retried, and the lane goes on in order', async () => {
    const couponId = await newCoupon(10);
    const index = 1;
    const lane = claimLane(index);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    await queue.add('claim', { couponId, userId: 1, acceptedAt: Date.now(), nonce: newNonce() });
    await queue.add('claim', { couponId, userId: -5, acceptedAt: Date.now(), nonce: newNonce() });
    await queue.add('claim', { couponId, userId: 2, acceptedAt: Date.now(), nonce: newNonce() });
    const c = consumer(
      index,
      queue,
      claimProcessor({ redis, soldOutKey: claimKeys(laneKeys(stack.queuePrefix, lane)).soldOut }),
      'owner-c',
    );
    c.start();
    await until(async () => (await outcomeCount(lane.name)) === 3);
    const rows = await laneOutcomes(lane.name);
    expect(rows).toEqual([ok(1), { sequence: 2, status: 'FAILED', error_code: 'INVALID_PAYLOAD' }, ok(3)]);
    await c.stop();
    await queue.close();
  });

  it('when deciding one request throws, then the lane isolates it, records it FAILED with PROCESSING_ERROR and decides the others in order', async () => {
    const couponId = await newCoupon(10);
    const index = 3;
    const lane = claimLane(index);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    const real = claimProcessor({ redis, soldOutKey: claimKeys(laneKeys(stack.queuePrefix, lane)).soldOut });
    const poisonUser = 13;
    const fragile: LaneProcessor<ClaimPayload> = {
      ...real,
      decide: async (trx, items, now) => {
        if (items.some((i) => i.payload.userId === poisonUser)) throw new Error('cannot decide this one');
        return real.decide(trx, items, now);
      },
    };
    for (const userId of [11, 12, poisonUser, 14, 15])
      await queue.add('claim', { couponId, userId, acceptedAt: Date.now(), nonce: newNonce() });
    const c = consumer(index, queue, fragile, 'owner-e');
    c.start();
    await until(async () => (await outcomeCount(lane.name)) === 5);
    const rows = await laneOutcomes(lane.name);
    expect(rows).toEqual([
      ok(1),
      ok(2),
      { sequence: 3, status: 'FAILED', error_code: 'PROCESSING_ERROR' },
      ok(4),
      ok(5),
    ]);
    const holders = await db
      .selectFrom('user_coupons')
      .select('user_id')
      .where('coupon_id', '=', couponId)
      .orderBy('id')
      .execute();
    expect(holders.map((h) => h.user_id)).toEqual([11, 12, 14, 15]);
    await c.stop();
    await queue.close();
  });

  it('when a job is deleted by hand from the middle of a lane, then the owner waits for it, then skips it and decides the rest in order', async () => {
    const couponId = await newCoupon(10);
    const index = 4;
    const lane = claimLane(index);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    const jobs = [];
    for (const userId of [21, 22, 23, 24])
      jobs.push(await queue.add('claim', { couponId, userId, acceptedAt: Date.now(), nonce: newNonce() }));
    await jobs[1]?.remove();
    const started = Date.now();
    const c = consumer(
      index,
      queue,
      claimProcessor({ redis, soldOutKey: claimKeys(laneKeys(stack.queuePrefix, lane)).soldOut }),
      'owner-f',
    );
    c.start();
    await until(async () => (await outcomeCount(lane.name)) === 3);
    const rows = await laneOutcomes(lane.name);
    expect(rows).toEqual([ok(1), ok(3), ok(4)]);
    // The gap is skipped only after two lease periods (leaseMs 1000 here), never at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    await c.stop();
    await queue.close();
  });
});
