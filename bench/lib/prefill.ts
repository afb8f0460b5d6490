// Pre-filling a lane for the decide-rate benchmarks (bench:lane, bench:scaling): a coupon written
// straight to the database, and claims added to its lane exactly as the API adds them.
import type { Job, Queue } from 'bullmq';
import type { Db } from '../../src/db/database.js';
import { newNonce } from '../../src/request/request.ids.js';

export async function insertCoupon(db: Db, name: string, stock: number): Promise<number> {
  const row = await db
    .insertInto('coupons')
    .values({
      name,
      discount_type: 'FIXED',
      discount_value: 1000,
      max_discount_amount: null,
      min_order_amount: 0,
      total_quantity: stock,
      claim_starts_at: null,
      claim_ends_at: null,
      valid_days: 7,
      created_at: new Date(),
    })
    .executeTakeFirstOrThrow();
  return Number(row.insertId);
}

/** The i-th claim of a rush by `users` distinct users (user ids 1 … users, repeating). */
export function claimJob(couponId: number, i: number, users: number) {
  const userId = 1 + (i % users);
  return {
    name: `claim coupon ${couponId} by user ${userId}`,
    data: { couponId, userId, acceptedAt: Date.now(), nonce: newNonce() },
  };
}

/** The i-th single-unit order of a rush by `users` distinct users (user ids 1 … users, repeating). */
export function orderJob(productId: number, i: number, users: number) {
  const userId = 1 + (i % users);
  return {
    name: `order by user ${userId}: 1 item(s)`,
    data: { userId, items: [{ productId, quantity: 1 }], acceptedAt: Date.now(), nonce: newNonce() },
  };
}

/**
 * Adds `count` jobs in chunks of 1,000, in order, so sequence order is the order of `makeJob`;
 * returns the jobs (their ids are the sequences).
 */
export async function prefill(
  queue: Queue,
  count: number,
  makeJob: (i: number) => { name: string; data: Record<string, unknown> },
): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let i = 0; i < count; i += 1000) {
    jobs.push(...(await queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, (_, k) => makeJob(i + k)))));
  }
  return jobs;
}
