// A lane's decide rate with nothing else running, engine against the plain BullMQ worker: the lane
// is pre-filled with claims, then the worker process starts and drains it.
// Rate = claims / (last decision - first decision).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { insertCoupon } from '../../src/coupon/coupon.repository.js';
import { createLaneQueue, laneForCoupon } from '../../rush/lanes.js';
import { newNonce } from '../../src/request/request.ids.js';
import { ManagedProcess } from '../../rush/processes.js';
import { ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../../toolkit/engine.js';
import { countRows, decideSpan, isolated, waitForRows, type Isolated } from '../lib/stack.js';
import { PLAIN_QUEUE } from '../plain-worker/queue.js';
import type { BenchContext } from './designs.js';

type QueuedDesign = 'engine' | 'plain';

export async function laneRate(
  ctx: BenchContext,
  design: QueuedDesign,
  userIds: number[],
  stock: number,
): Promise<number> {
  const { config, progress } = ctx;
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, `${design}l`);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  let worker: ManagedProcess | undefined;
  try {
    await prefillLane(ctx, design, iso, redis, userIds, stock);
    const env = {
      DATABASE_URL: iso.databaseUrl,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: iso.queuePrefix,
      LOG_LEVEL: 'warn',
      METRICS_PORT: '0',
    };
    worker =
      design === 'engine'
        ? new ManagedProcess(ENGINE_WORKER, { ...env, ...WORKER_NODE_OPTIONS }, { label: 'engine worker' })
        : new ManagedProcess('bench/plain-worker/worker.ts', env, { label: 'plain worker' });
    const total = userIds.length;
    const done = await waitForRows(iso.db, 'request_outcomes', total, Math.max(120_000, total * 10), (n) =>
      progress.update('deciding', n, total, `${design} lane`),
    );
    progress.finish('decided', await countRows(iso.db, 'request_outcomes'), total, `${design} lane`);
    if (!done) console.log(`  ${design} lane did not finish in time`);
    return (await decideSpan(iso.db)).rate;
  } finally {
    await worker?.stop();
    redis.disconnect();
    await iso.close();
  }
}

/** A coupon of `stock` and one claim per user id in its lane, added in chunks of 1,000, in order. */
async function prefillLane(
  { config, progress }: BenchContext,
  design: QueuedDesign,
  iso: Isolated,
  redis: Redis,
  userIds: number[],
  stock: number,
): Promise<void> {
  const couponId = await insertCoupon(iso.db, {
    name: 'lane',
    discountType: 'FIXED',
    discountValue: 1000,
    maxDiscountAmount: null,
    minOrderAmount: 0,
    totalQuantity: stock,
    claimStartsAt: null,
    claimEndsAt: null,
    validDays: 7,
  });
  const queue =
    design === 'engine'
      ? createLaneQueue(iso.queuePrefix, laneForCoupon(couponId, config.COUPON_LANES), redis)
      : new Queue(PLAIN_QUEUE, { connection: redis, prefix: iso.queuePrefix });
  try {
    for (let i = 0; i < userIds.length; i += 1000) {
      await queue.addBulk(
        userIds.slice(i, i + 1000).map((userId) => ({
          name: `claim coupon ${couponId} by user ${userId}`,
          data: { couponId, userId, acceptedAt: Date.now(), ...(design === 'engine' ? { nonce: newNonce() } : {}) },
          opts: { removeOnComplete: { count: 1000 } },
        })),
      );
      progress.update('pre-fill', Math.min(i + 1000, userIds.length), userIds.length, `${design} lane`);
    }
    progress.finish('pre-filled', userIds.length, userIds.length, `${design} lane`);
  } finally {
    await queue.close();
  }
}
