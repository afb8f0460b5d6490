// The submit side of a lane through the app against the real Redis: batched adds keep one place in
// line per submit in the order they were taken, and a full lane refuses with 503 OVERLOADED.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { claimLane, laneKeys } from '../support/lanes.js';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack, type Stack } from '../support/processes.js';

const opened: { stack: Stack; ctx: TestContext }[] = [];
afterEach(async () => {
  for (const { stack, ctx } of opened.splice(0)) {
    await ctx.close();
    await stack.close();
  }
});

/** An app on a database and prefix of its own, so the lanes start empty. */
async function app(overrides: Record<string, string> = {}) {
  const stack = await isolatedStack();
  const ctx = createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix, ...overrides });
  opened.push({ stack, ctx });
  return ctx;
}

interface Resource {
  requestId: string;
  status: string;
  sequence: number;
  position: number;
}

/** Creates coupons until one has this id (a fresh database numbers them 1, 2, …). */
async function couponWithId(ctx: TestContext, id: number): Promise<number> {
  const coupon = { name: 'intake', discountType: 'FIXED', discountValue: 1, totalQuantity: 1_000, validDays: 1 };
  for (;;) {
    const created = (await postJson(ctx, '/admin/coupons', coupon, adminHeaders).then((r) => r.json())) as {
      id: number;
    };
    if (created.id >= id) return created.id;
  }
}

const waitingIn = (ctx: TestContext, couponId: number) =>
  (ctx.redis as Redis).llen(laneKeys(ctx.config.QUEUE_PREFIX, claimLane(couponId % ctx.config.COUPON_LANES)).wait);

describe('submitting to a lane', () => {
  it('when 60 claims arrive at the same moment, then they take 60 consecutive sequences and each finds its own place', async () => {
    const ctx = await app();
    const couponId = await couponWithId(ctx, 4);
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(60).fill(202));
    const resources = (await Promise.all(answers.map((r) => r.json()))) as Resource[];
    const sequences = resources.map((r) => r.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const r of resources) expect(r.position).toBe(r.sequence - 1);
    // Every id names the job that holds it: a poll finds it queued at its sequence.
    for (const r of resources) {
      const poll = (await (await ctx.app.request(`/requests/${r.requestId}`)).json()) as Resource;
      expect(poll).toMatchObject({ status: 'QUEUED', sequence: r.sequence, position: r.sequence - 1 });
    }
    expect(await waitingIn(ctx, couponId)).toBe(60);
  });

  it('when a lane holds MAX_LANE_DEPTH undecided requests, then the next submit is 503 OVERLOADED and nothing is queued', async () => {
    const ctx = await app({ MAX_LANE_DEPTH: '3' });
    const couponId = await couponWithId(ctx, 1);
    await couponWithId(ctx, couponId + 1);
    for (let i = 0; i < 3; i++) {
      expect((await postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() })).status).toBe(202);
    }
    const refused = await postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() });
    expect(refused.headers.get('Retry-After')).toBe('1');
    await expectProblem(refused, 503, 'OVERLOADED');
    expect(await waitingIn(ctx, couponId)).toBe(3);
    // Another lane is not full.
    expect((await postJson(ctx, `/coupons/${couponId + 1}/claims`, { userId: newUserId() })).status).toBe(202);
  });
});
