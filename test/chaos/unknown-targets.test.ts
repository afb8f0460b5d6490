// Requests for things that do not exist are answered, not queued, and waiting is bounded, through a
// real API process: claims for unknown coupons and orders for unknown products are 404 at submit
// with nothing queued, no outcome row and no flag watched; a coupon or product is served the moment
// it is created; long polls past MAX_LONG_POLLS are 503 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/database.js';
import { createRedis, type RedisClient } from '../../src/redis.js';
import { allLanes, createLaneQueue } from '../support/lanes.js';
import { adminHeaders } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { pool } from '../../rush/pool.js';

const UNKNOWN_CLAIMS = 10_000;
const UNKNOWN_ORDERS = 1_000;
const MAX_LONG_POLLS = 3;

let stack: Stack;
let url: string;
let db: Db;
let redis: RedisClient;

beforeAll(async () => {
  stack = await isolatedStack();
  ({ url } = await stack.api({ RATE_LIMIT_USER_PER_SECOND: '0', MAX_LONG_POLLS: String(MAX_LONG_POLLS) }));
  db = createDb(stack.databaseUrl);
  redis = createRedis({ REDIS_URL: stack.env().REDIS_URL ?? '', REDIS_CLUSTER_NODES: undefined });
}, 60_000);
afterAll(async () => {
  await db.destroy();
  redis.disconnect();
  await stack.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** Every lane's sequence counter: a request queued anywhere raises one. */
async function laneCounters(): Promise<number[]> {
  return Promise.all(
    allLanes(4).map(async (lane) => {
      const queue = createLaneQueue(stack.queuePrefix, lane, redis);
      const id = Number((await redis.get(queue.toKey('id'))) ?? 0);
      await queue.close();
      return id;
    }),
  );
}

const outcomeRows = async () =>
  Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM request_outcomes`.execute(db)).rows[0]?.n);

async function watchedFlags(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^ce_api_watched_flags (\d+)/m.exec(text)?.[1]);
}

describe('unknown coupons and products', () => {
  it('when 10,000 claims name 10,000 unknown coupons and 1,000 orders unknown products, then each is 404 and nothing is queued, stored or watched', async () => {
    const [counters, rows, flags] = [await laneCounters(), await outcomeRows(), await watchedFlags()];
    const claims = await pool(
      Array.from({ length: UNKNOWN_CLAIMS }, (_, i) => 10_000_000 + i),
      50,
      async (couponId) => {
        const res = await post(`/coupons/${couponId}/claims`, { userId: couponId });
        return `${res.status} ${((await res.json()) as { code?: string }).code}`;
      },
    );
    expect(new Set(claims)).toEqual(new Set(['404 COUPON_NOT_FOUND']));
    const orders = await pool(
      Array.from({ length: UNKNOWN_ORDERS }, (_, i) => 20_000_000 + i),
      50,
      async (productId) => {
        const res = await post('/orders', { userId: 7, items: [{ productId, quantity: 1 }] });
        return `${res.status} ${((await res.json()) as { code?: string }).code}`;
      },
    );
    expect(new Set(orders)).toEqual(new Set(['404 PRODUCT_NOT_FOUND']));
    expect(await laneCounters()).toEqual(counters);
    expect(await outcomeRows()).toBe(rows);
    expect(await watchedFlags()).toBe(flags);
  }, 120_000);

  it('when a coupon and a product are created right after claims and orders for them were refused, then the very next ones are queued', async () => {
    const nextCoupon = Number(
      (await sql<{ n: number }>`SELECT COALESCE(MAX(id), 0) + 1 AS n FROM coupons`.execute(db)).rows[0]?.n,
    );
    expect((await post(`/coupons/${nextCoupon}/claims`, { userId: 1 })).status).toBe(404);
    const coupon = (await (
      await post(
        '/admin/coupons',
        { name: 'new', discountType: 'FIXED', discountValue: 1, totalQuantity: 5, validDays: 1 },
        adminHeaders,
      )
    ).json()) as { id: number };
    expect(coupon.id).toBe(nextCoupon);
    expect((await post(`/coupons/${coupon.id}/claims`, { userId: 1 })).status).toBe(202);

    const nextProduct = Number(
      (await sql<{ n: number }>`SELECT COALESCE(MAX(id), 0) + 1 AS n FROM products`.execute(db)).rows[0]?.n,
    );
    const order = { userId: 2, items: [{ productId: nextProduct, quantity: 1 }] };
    expect((await post('/orders', order)).status).toBe(404);
    const product = (await (
      await post('/admin/products', { name: 'new', price: 10, stock: 5 }, adminHeaders)
    ).json()) as { id: number };
    expect(product.id).toBe(nextProduct);
    expect((await post('/orders', order)).status).toBe(202);
  });
});

describe('long polls', () => {
  it('when MAX_LONG_POLLS long polls are waiting, then one more is 503 OVERLOADED with Retry-After, a plain poll is answered, and a long poll is taken again once they end', async () => {
    const coupon = (await (
      await post(
        '/admin/coupons',
        { name: 'wait', discountType: 'FIXED', discountValue: 1, totalQuantity: 5, validDays: 1 },
        adminHeaders,
      )
    ).json()) as { id: number };
    // No worker runs: the claim stays QUEUED, so every long poll of it waits out its time.
    const { requestId } = (await (await post(`/coupons/${coupon.id}/claims`, { userId: 3 })).json()) as {
      requestId: string;
    };
    const poll = (waitMs?: number) => fetch(`${url}/requests/${requestId}${waitMs ? `?waitMs=${waitMs}` : ''}`);
    const waiting = Array.from({ length: MAX_LONG_POLLS }, () => poll(3_000));
    await new Promise((r) => setTimeout(r, 500));
    const refused = await poll(3_000);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toMatch(/^[0-9]+$/);
    expect(((await refused.json()) as { code: string }).code).toBe('OVERLOADED');
    expect((await poll()).status).toBe(200);
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(waiting.map(() => 200));
    expect((await poll(100)).status).toBe(200);
  }, 30_000);
});
