// The estimated wait through real processes: the lane owner publishes its recent decide rate beside
// the decided sequence, and a queued request's poll and submit answer carry position ÷ rate, with
// Retry-After following it. The owner is paused (SIGSTOP) mid-drain so the answer can be compared
// with the published figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { claimJob, prefill } from '../../bench/lib/prefill.js';
import { createLaneQueue, laneForCoupon, laneKeys } from '../support/lanes.js';
import { retryAfterSeconds } from '../../src/request/eta.js';
import { formatRequestId } from '../../src/request/request.ids.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';

interface Resource {
  requestId: string;
  status: string;
  position?: number;
  estimatedWaitMs?: number;
}

describe('estimated wait', () => {
  let stack: Stack;
  let url: string;
  let redis: Redis;
  beforeAll(async () => {
    stack = await isolatedStack();
    ({ url } = await stack.api());
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis.disconnect();
    await stack.close();
  });

  const poll = async (requestId: string) => {
    const res = await fetch(`${url}/requests/${requestId}`);
    return { retryAfter: res.headers.get('Retry-After'), body: (await res.json()) as Resource };
  };

  it('when the owner has decided part of a backlog, then polls and submits carry (position + 1) / rate and Retry-After follows', async () => {
    const created = await fetch(`${url}/admin/coupons`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'eta',
        discountType: 'FIXED',
        discountValue: 100,
        totalQuantity: 100_000,
        validDays: 1,
      }),
    });
    const couponId = ((await created.json()) as { id: number }).id;
    const lane = laneForCoupon(couponId, 4);
    const keys = laneKeys(stack.queuePrefix, lane);
    const queue = createLaneQueue(stack.queuePrefix, lane, redis);
    const jobs = await prefill(queue, 10_000, (i) => claimJob(couponId, i, 10_000));
    await queue.close();
    const last = jobs.at(-1);
    const lastId = formatRequestId(lane.code, Number(last?.id), (last?.data as { nonce: string }).nonce);

    const before = await poll(lastId);
    expect(before.body).toMatchObject({ status: 'QUEUED', position: 9_999 });
    expect(before.body.estimatedWaitMs).toBeUndefined();
    expect(before.retryAfter).toBe('1');

    const worker = stack.worker({ LANE_BATCH_SIZE: '50' });
    while (Number((await redis.get(keys.decided)) ?? 0) === 0) await new Promise((r) => setTimeout(r, 5));
    process.kill(worker.pid, 'SIGSTOP');
    try {
      const rate = Number(await redis.get(keys.rate));
      expect(rate).toBeGreaterThan(0);
      const ttl = await redis.pttl(keys.rate);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);

      const during = await poll(lastId);
      const position = during.body.position as number;
      expect(during.body.status).toBe('QUEUED');
      expect(position).toBeLessThan(9_999);
      expect(during.body.estimatedWaitMs).toBe(Math.round(((position + 1) / rate) * 1000));
      expect(during.retryAfter).toBe(String(retryAfterSeconds(during.body.estimatedWaitMs)));

      const submitted = await fetch(`${url}/coupons/${couponId}/claims`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId: 20_001 }),
      });
      const queued = (await submitted.json()) as Resource;
      expect(submitted.status).toBe(202);
      expect(queued.position).toBe(position + 1);
      expect(queued.estimatedWaitMs).toBe(Math.round(((position + 2) / rate) * 1000));
    } finally {
      process.kill(worker.pid, 'SIGCONT');
    }
    for (;;) {
      const { body } = await poll(lastId);
      if (body.status !== 'QUEUED' && body.status !== 'PROCESSING') {
        expect(body.status).toBe('SUCCEEDED');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await worker.kill('SIGTERM');
  });
});
