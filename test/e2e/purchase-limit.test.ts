// Per-user purchase limits through real HTTP against a real API process and a real worker: decided in
// arrival order by the orders lane, so parallel orders cannot race past the limit; cancellation and
// expiry give the allowance back; the database refuses an order line past the limit by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pool } from '../../rush/pool.js';
import { createDb } from '../../src/db/database.js';
import { verifyOrders } from '../../src/verify/orders.oracle.js';
import { eventually, orderClient, type Resource } from '../support/order-client.js';
import { isolatedStack, type Stack } from '../support/processes.js';

async function startStack(env: Record<string, string> = {}) {
  const stack = await isolatedStack();
  const { url } = await stack.api(env);
  await stack.worker(env).waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
  return { stack, api: orderClient(url) };
}

describe('purchase limit (payment window 10 minutes)', () => {
  let stack: Stack;
  let api: ReturnType<typeof orderClient>;
  // One user fires 50 orders at once below: the per-user rate limit is not what this suite tests.
  beforeAll(async () => ({ stack, api } = await startStack({ RATE_LIMIT_USER_PER_SECOND: '0' })));
  afterAll(() => stack.close());

  it('when one user orders one unit at a time against maxPerUser 2, then the third is PURCHASE_LIMIT_EXCEEDED and others still buy', async () => {
    const productId = await api.product(10, 1000, { maxPerUser: 2 });
    const one = { userId: 9101, items: [{ productId, quantity: 1 }] };
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api.placed(one);
      codes.push(r.status === 'SUCCEEDED' ? 'SUCCEEDED' : (r.error?.code ?? r.status));
    }
    expect(codes).toEqual(['SUCCEEDED', 'SUCCEEDED', 'PURCHASE_LIMIT_EXCEEDED']);
    expect((await api.placed({ ...one, userId: 9102 })).status).toBe('SUCCEEDED');
    expect((await api.placed({ userId: 9103, items: [{ productId, quantity: 3 }] })).error?.code).toBe(
      'PURCHASE_LIMIT_EXCEEDED',
    );
    expect(await api.stock(productId)).toBe(7);
  });

  it('when one user sends 50 orders at once against maxPerUser 2, then exactly the first 2 by sequence succeed and the oracle passes', async () => {
    const productId = await api.product(100, 1000, { maxPerUser: 2 });
    const userId = 9201;
    const items = [{ productId, quantity: 1 }];
    const accepted = await Promise.all(Array.from({ length: 50 }, () => api.order({ userId, items })));
    const finals = await pool(accepted, 50, (r) => api.final(r.requestId));
    const bySequence = [...finals].sort((a, b) => a.sequence - b.sequence);
    expect(bySequence.map((r) => r.status)).toEqual([
      ...Array<string>(2).fill('SUCCEEDED'),
      ...Array<string>(48).fill('REJECTED'),
    ]);
    expect(new Set(bySequence.slice(2).map((r) => r.error?.code))).toEqual(new Set(['PURCHASE_LIMIT_EXCEEDED']));
    const stock = await api.stock(productId);
    expect(stock).toBe(98);
    const report = verifyOrders(
      finals.map((r) => ({
        requestId: r.requestId,
        userId,
        items,
        status: r.status,
        sequence: r.sequence,
        errorCode: r.error?.code,
        orderId: r.result?.orderId,
      })),
      [{ productId, initialStock: 100, stock, maxPerUser: 2 }],
    );
    expect(report.violations).toEqual([]);
  });

  it('when the user cancels an order, then the allowance returns; a paid order keeps counting', async () => {
    const productId = await api.product(10, 1000, { maxPerUser: 2 });
    const userId = 9301;
    await api.charge(userId, 10_000);
    const one = { userId, items: [{ productId, quantity: 1 }] };
    const paid = (await api.placed(one)).result?.orderId as number;
    expect((await api.call('POST', `/orders/${paid}/payment`, { userId })).status).toBe(200);
    const pending = (await api.placed(one)).result?.orderId as number;
    expect((await api.placed(one)).error?.code).toBe('PURCHASE_LIMIT_EXCEEDED');
    expect((await api.call('POST', `/orders/${pending}/cancel`, { userId })).status).toBe(200);
    expect((await api.placed(one)).status).toBe('SUCCEEDED');
    expect((await api.placed(one)).error?.code).toBe('PURCHASE_LIMIT_EXCEEDED');
  });

  it('when the limit is raised or lifted, then later orders follow the new limit', async () => {
    const productId = await api.product(10, 1000, { maxPerUser: 1 });
    const one = { userId: 9401, items: [{ productId, quantity: 1 }] };
    const patch = (maxPerUser: number | null) =>
      api.call('PATCH', `/admin/products/${productId}`, { maxPerUser }, true);
    expect((await api.placed(one)).status).toBe('SUCCEEDED');
    expect((await api.placed(one)).error?.code).toBe('PURCHASE_LIMIT_EXCEEDED');
    expect((await patch(2)).body.maxPerUser).toBe(2);
    expect((await api.placed(one)).status).toBe('SUCCEEDED');
    expect((await api.placed(one)).error?.code).toBe('PURCHASE_LIMIT_EXCEEDED');
    await patch(null);
    expect((await api.placed({ ...one, items: [{ productId, quantity: 5 }] })).status).toBe('SUCCEEDED');
  });

  it('when an order line past the limit is written around the lane, then the database refuses it', async () => {
    const productId = await api.product(10, 1000, { maxPerUser: 2 });
    const userId = 9501;
    expect((await api.placed({ userId, items: [{ productId, quantity: 2 }] })).status).toBe('SUCCEEDED');
    const db = createDb(stack.databaseUrl, { connectionLimit: 1 });
    try {
      const write = db.transaction().execute(async (trx) => {
        const now = new Date();
        const r = await trx
          .insertInto('orders')
          .values({
            user_id: userId,
            status: 'PENDING_PAYMENT',
            total_amount: 1000,
            discount_amount: 0,
            payment_amount: 1000,
            user_coupon_id: null,
            request_id: `around-the-lane-${Date.now()}`,
            created_at: now,
            expires_at: now,
          })
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('order_items')
          .values({ order_id: Number(r.insertId), product_id: productId, quantity: 1, unit_price: 1000 })
          .execute();
      });
      await expect(write).rejects.toThrow(/PURCHASE_LIMIT_EXCEEDED/);
      const rows = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM orders WHERE user_id = ${userId}`.execute(db);
      expect(Number(rows.rows[0]?.n)).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});

describe('purchase limit (payment window 3 s)', () => {
  let stack: Stack;
  let api: ReturnType<typeof orderClient>;
  beforeAll(
    async () =>
      ({ stack, api } = await startStack({ ORDER_PAYMENT_WINDOW_MS: '3000', EXPIRY_SWEEP_INTERVAL_MS: '300' })),
  );
  afterAll(() => stack.close());

  it('when an order at the limit expires unpaid, then the allowance returns', async () => {
    const productId = await api.product(10, 1000, { maxPerUser: 2 });
    const two = { userId: 9601, items: [{ productId, quantity: 2 }] };
    const first: Resource = await api.placed(two);
    const orderId = first.result?.orderId as number;
    expect(first.status).toBe('SUCCEEDED');
    expect((await api.placed({ ...two, items: [{ productId, quantity: 1 }] })).error?.code).toBe(
      'PURCHASE_LIMIT_EXCEEDED',
    );
    expect(
      await eventually(async () => (await api.call('GET', `/orders/${orderId}`)).body.status === 'EXPIRED', 10_000),
    ).toBe(true);
    expect((await api.placed(two)).status).toBe('SUCCEEDED');
  });
});
