// Assertions over a rush on a coupon with a pre-queue: every claim final, the fairness oracle (the
// first `stock` distinct users by sequence won, every one of them pre-queued), the recorded draw
// holding every pre-queued claim, and the pre-queue oracle over all of it.
import { expect } from 'vitest';
import { awaitAllFinal, verifyRush, type Submitted } from '../../rush/claims.js';
import { verifyDraw, type DrawVerdict } from '../../rush/pre-queue.js';
import { ADMIN_TOKEN } from './context.js';

export async function expectFairDraw(
  url: string,
  couponId: number,
  { pre, post, stock, timeoutMs }: { pre: Submitted[]; post: Submitted[]; stock: number; timeoutMs?: number },
): Promise<DrawVerdict> {
  expect(post.filter((s) => s.httpStatus !== 202 && s.httpStatus !== 200)).toEqual([]);
  const all = [...pre, ...post];
  const finals = await awaitAllFinal(url, all, timeoutMs ? { timeoutMs } : {});
  const report = await verifyRush(url, [couponId], all, finals);
  expect(report.violations).toEqual([]);
  expect(report.perCoupon[0]?.succeeded).toBe(stock);
  const verdict = await verifyDraw(url, ADMIN_TOKEN, couponId, pre, all, finals);
  expect(verdict.preQueuedWinners).toBe(stock);
  expect(verdict.draw.status).toBe('DRAWN');
  expect(verdict.draw.claims).toHaveLength(pre.length);
  expect(verdict.oracle.violations).toEqual([]);
  return verdict;
}
