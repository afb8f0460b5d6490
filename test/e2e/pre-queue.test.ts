// A coupon's pre-queue through a real API and worker: claims before the start wait, are drawn in a
// uniformly random order at the start, all ahead of every later claim, and the first of them win.
import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateCoupon, submitClaim, type Submitted } from '../../rush/claims.js';
import { pool } from '../../rush/pool.js';
import { readDraw } from '../../rush/pre-queue.js';
import { spearmanRho } from '../../src/verify/rank-correlation.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { expectFairDraw } from '../support/pre-queue.js';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const base = { discountType: 'FIXED' as const, discountValue: 1000, validDays: 7 };

describe('pre-queue with a fair draw', () => {
  it('when 300 users pre-queue and 300 arrive after the start of a coupon of 50, then the 50 winners are all pre-queued and the draw is random', async () => {
    const stack = await isolatedStack();
    stacks.push(stack);
    const { url } = await stack.api();
    const worker = stack.worker();
    await worker.waitForLog(/lane acquired/);
    const startsAt = Date.now() + 15_000;
    const coupon = await adminCreateCoupon(url, ADMIN_TOKEN, {
      ...base,
      name: 'pre-queued 50',
      totalQuantity: 50,
      preQueueOpensAt: new Date(Date.now() - 1_000).toISOString(),
      claimStartsAt: new Date(startsAt).toISOString(),
    });
    expect(coupon.preQueueOpensAt).not.toBeNull();
    const early = Array.from({ length: 300 }, (_, i) => ({ couponId: coupon.id, userId: 1_000 + i }));
    const late = Array.from({ length: 300 }, (_, i) => ({ couponId: coupon.id, userId: 2_000 + i }));

    const pre = await pool(early, 8, (item) => submitClaim(url, item));
    expect(pre.map((s) => [s.httpStatus, s.resource?.preQueued, s.resource?.sequence])).toEqual(
      early.map(() => [202, true, null]),
    );
    // One per user: a repeat returns the same request; a poll before the draw shows no sequence.
    const again = await submitClaim(url, early[0] as (typeof early)[number]);
    expect(again.requestId).toBe(pre[0]?.requestId);
    const polled = (await (await fetch(`${url}/requests/${pre[0]?.requestId}`)).json()) as Submitted['resource'];
    expect(polled).toMatchObject({ status: 'QUEUED', preQueued: true, sequence: null });
    expect((await readDraw(url, ADMIN_TOKEN, coupon.id)).status).toBe('PENDING');
    expect(Date.now()).toBeLessThan(startsAt);

    await sleep(startsAt - Date.now());
    const post = await pool(late, 8, (item) => submitClaim(url, item));
    const verdict = await expectFairDraw(url, coupon.id, { pre, post, stock: 50 });

    // Submit order against sequence: unrelated for the pre-queue; the same order for plain first come
    // (a coupon without a pre-queue, large enough that no claim is answered sold out at once).
    const drawnRho = verdict.rho;
    const plain = await adminCreateCoupon(url, ADMIN_TOKEN, { ...base, name: 'first come', totalQuantity: 1_000 });
    const firstCome = await pool(early, 8, (item) => submitClaim(url, { ...item, couponId: plain.id }));
    const firstComeRho = spearmanRho(
      firstCome.map((_, i) => i),
      firstCome.map((s) => s.resource?.sequence ?? 0),
    );
    console.log(
      `pre-queue draw: Spearman rho ${drawnRho.toFixed(3)}; first come after the start: ${firstComeRho.toFixed(3)}`,
    );
    expect(Math.abs(drawnRho)).toBeLessThan(0.3);
    expect(firstComeRho).toBeGreaterThan(0.9);
  });
});
