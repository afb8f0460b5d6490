// A keyed rush for the Galera failover tests: coupon claims and orders in one paced stream, each sent
// as a mobile client sends it (an Idempotency-Key, the same key and body again after no answer, a 503,
// a 429 or a key still in progress), a fault fired at a given share of it, and the time from a kill
// to the lanes' next decision.
import { Redis } from 'ioredis';
import { expect, inject } from 'vitest';
import type { Lane } from './lanes.js';
import { makePlan } from '../../rush/claims.js';
import { pacedPool, pool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';
import { laneDecided } from './chaos.js';
import { orderClient } from './order-client.js';
import type { Stack } from './processes.js';

export type RushItem =
  | { kind: 'claim'; key: string; couponId: number; userId: number }
  | { kind: 'order'; key: string; userId: number; items: { productId: number; quantity: number }[] };

export interface Shop {
  couponId: number;
  couponStock: number;
  productIds: number[];
  stocks: number[];
  /** What every ordering user was charged before the rush. */
  balance: number;
}

/** The answers one key got, in order; the last one is final unless the deadline came first. */
export type Attempts = { status: number | null; body?: Record<string, unknown> }[];

const RETRY = (a: Attempts[number]) =>
  a.status === null ||
  a.status === 503 ||
  a.status === 429 ||
  (a.status === 409 && a.body?.code === 'IDEMPOTENCY_KEY_IN_PROGRESS');

/** Sends one keyed POST again, with the same key and body, until an answer that is not a retry. */
export async function sendKeyed(url: string, path: string, key: string, body: unknown, deadline: number) {
  const attempts: Attempts = [];
  while (Date.now() < deadline) {
    let retryAfter = 0;
    try {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      retryAfter = Number(res.headers.get('Retry-After') ?? 0);
      attempts.push({ status: res.status, body: (await res.json()) as Record<string, unknown> });
    } catch {
      attempts.push({ status: null });
    }
    if (!RETRY(attempts.at(-1)!)) return attempts;
    await sleep(retryAfter > 0 ? Math.min(retryAfter * 1000, 1_000) : 200);
  }
  return attempts;
}

export async function openShop(url: string, couponStock: number, stocks: number[], orderUsers: number[]) {
  const shop = orderClient(url);
  const coupon = await shop.call(
    'POST',
    '/admin/coupons',
    { name: 'galera', discountType: 'FIXED', discountValue: 100, totalQuantity: couponStock, validDays: 7 },
    true,
  );
  expect(coupon.status).toBe(201);
  const productIds: number[] = [];
  for (const stock of stocks) productIds.push(await shop.product(stock, 1_000));
  const balance = 10_000;
  await pool(orderUsers, 20, async (userId) => expect((await shop.charge(userId, balance)).status).toBe(200));
  return { couponId: coupon.body.id as number, couponStock, productIds, stocks, balance };
}

/** `claims` claims by `claims / 2` users (some claim twice) and one order per user, shuffled together. */
export function rushPlan(shop: Shop, claims: number, orderUsers: number[], firstClaimUser: number): RushItem[] {
  const claimItems: RushItem[] = makePlan([shop.couponId], claims / 2, claims, firstClaimUser).map((c, i) => ({
    kind: 'claim',
    key: `claim-${i}-${crypto.randomUUID()}`,
    ...c,
  }));
  const orderItems: RushItem[] = orderUsers.map((userId, i) => ({
    kind: 'order',
    key: `order-${userId}-${crypto.randomUUID()}`,
    userId,
    items: [{ productId: shop.productIds[i % shop.productIds.length] as number, quantity: 1 + (i % 2) }],
  }));
  const all = [...claimItems, ...orderItems];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j] as RushItem, all[i] as RushItem];
  }
  return all;
}

/** Runs the rush at `perSecond`, calling `fault` once when the share `faultAt` of it has been sent. */
export async function runRush(
  url: string,
  plan: RushItem[],
  perSecond: number,
  faultAt: number,
  fault: () => void,
): Promise<Attempts[]> {
  const deadline = Date.now() + 150_000;
  const faultIndex = Math.floor(plan.length * faultAt);
  return pacedPool(plan, { concurrency: 150, perSecond }, (item, i) => {
    if (i === faultIndex) fault();
    const { kind, key, ...body } = item;
    const path = kind === 'claim' ? `/coupons/${item.kind === 'claim' ? item.couponId : 0}/claims` : '/orders';
    return sendKeyed(url, path, key, kind === 'claim' ? { userId: body.userId } : body, deadline);
  });
}

/**
 * Milliseconds from `killedAt` to the first batch either lane commits after it. A batch that
 * committed just before the kill is announced within milliseconds of it, so the watch starts from
 * the lanes' decided sequences 300 ms after the kill.
 */
export async function firstDecisionAfter(stack: Stack, lanes: Lane[], killedAt: number): Promise<number> {
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  try {
    const decided = () => Promise.all(lanes.map((l) => laneDecided(redis, stack.queuePrefix, l)));
    await sleep(Math.max(0, killedAt + 300 - Date.now()));
    const before = await decided();
    while (Date.now() - killedAt < 60_000) {
      const now = await decided();
      if (now.some((d, i) => d > (before[i] ?? 0))) return Date.now() - killedAt;
      await sleep(20);
    }
    return Infinity;
  } finally {
    redis.disconnect();
  }
}
