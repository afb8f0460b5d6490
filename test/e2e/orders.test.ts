// Orders and payment through real HTTP against a real API process and real worker processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { pool } from '../../rush/pool.js';
import { createExpiryQueue } from '../../src/order/order-expiry.js';
import { eventually, orderClient as client, type Resource } from '../support/order-client.js';
import { isolatedStack, type Stack } from '../support/processes.js';

describe('orders (payment window 10 minutes)', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    await stack.worker().waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
    api = client(url);
  });
  afterAll(() => stack.close());

  it('when 500 users rush a product of 50 with single-unit orders, then exactly the first 50 by sequence succeed', async () => {
    const productId = await api.product(50);
    let minStock = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        minStock = Math.min(minStock, await api.stock(productId));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answers = await pool(
      Array.from({ length: 500 }, (_, i) => 100_000 + i),
      100,
      async (userId) => {
        const res = await api.call('POST', '/orders', { userId, items: [{ productId, quantity: 1 }] });
        return { status: res.status, body: res.body as unknown as Resource & { sequence: number | null } };
      },
    );
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    const finals = await pool(
      answers.filter((a) => a.status === 202),
      50,
      (a) => api.final(a.body.requestId),
    );
    sampling = false;
    await sampler;

    // Once the lane has left the product without stock, orders are answered at once, without a sequence.
    const atOnce = answers.filter((a) => a.status === 200).map((a) => a.body);
    expect(atOnce.every((r) => r.sequence === null && r.error?.code === 'INSUFFICIENT_STOCK')).toBe(true);
    const bySequence = [...finals].sort((a, b) => a.sequence - b.sequence);
    expect(new Set(bySequence.map((r) => r.sequence)).size).toBe(finals.length);
    expect(finals.length + atOnce.length).toBe(500);
    expect(bySequence.slice(0, 50).every((r) => r.status === 'SUCCEEDED')).toBe(true);
    expect(bySequence.slice(50).map((r) => r.error?.code)).toEqual(
      Array(finals.length - 50).fill('INSUFFICIENT_STOCK'),
    );
    expect(await api.stock(productId)).toBe(0);
    expect(minStock).toBeGreaterThanOrEqual(0);
  });

  it('when one item of a multi-item order is short, then the order is rejected and nothing is reserved', async () => {
    const a = await api.product(5);
    const b = await api.product(1);
    const r = await api.placed({
      userId: 7001,
      items: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 2 },
      ],
    });
    expect(r.error?.code).toBe('INSUFFICIENT_STOCK');
    expect(await api.stock(a)).toBe(5);
    expect(await api.stock(b)).toBe(1);
    const ok = await api.placed({
      userId: 7001,
      items: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 1 },
      ],
    });
    expect(ok.status).toBe('SUCCEEDED');
    expect([await api.stock(a), await api.stock(b)]).toEqual([3, 0]);
  });

  it('when one order is paid 10 times at once, then one payment succeeds and the balance is charged once', async () => {
    const productId = await api.product(10, 2500);
    const userId = 7002;
    await api.charge(userId, 10_000);
    const r = await api.placed({ userId, items: [{ productId, quantity: 2 }] });
    const orderId = r.result?.orderId as number;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api.call('POST', `/orders/${orderId}/payment`, { userId })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(Array(9).fill('ORDER_NOT_PAYABLE'));
    expect(await api.balance(userId)).toBe(5_000);
    expect((await api.call('GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'PAID', paymentAmount: 5000 });
    const history = (await api.call('GET', `/users/${userId}/balance/history`)).body.items as { kind: string }[];
    expect(history.filter((h) => h.kind === 'PAYMENT')).toHaveLength(1);
  });

  it('when the balance is short, then 409 INSUFFICIENT_BALANCE and nothing changes; another user gets 403', async () => {
    const productId = await api.product(10, 4000);
    const userId = 7003;
    await api.charge(userId, 3_999);
    const orderId = (await api.placed({ userId, items: [{ productId, quantity: 1 }] })).result?.orderId as number;
    const short = await api.call('POST', `/orders/${orderId}/payment`, { userId });
    expect([short.status, short.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
    expect(await api.balance(userId)).toBe(3_999);
    expect((await api.call('GET', `/orders/${orderId}`)).body.status).toBe('PENDING_PAYMENT');
    const other = await api.call('POST', `/orders/${orderId}/payment`, { userId: 7999 });
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
    const missing = await api.call('POST', `/orders/999999999/payment`, { userId });
    expect([missing.status, missing.body.code]).toEqual([404, 'ORDER_NOT_FOUND']);
  });

  it('when an order with a coupon is cancelled, then stock and coupon return, and it can no longer be paid', async () => {
    const productId = await api.product(4, 10_000);
    const userId = 7004;
    const couponId = (
      await api.call(
        'POST',
        '/admin/coupons',
        {
          name: '10% up to 700',
          discountType: 'PERCENT',
          discountValue: 10,
          maxDiscountAmount: 700,
          totalQuantity: 5,
          validDays: 3,
        },
        true,
      )
    ).body.id as number;
    const claim = await api.call('POST', `/coupons/${couponId}/claims`, { userId });
    const userCouponId = (await api.final(claim.body.requestId as string)).result as unknown as {
      userCouponId: number;
    };
    const r = await api.placed({
      userId,
      items: [{ productId, quantity: 2 }],
      userCouponId: userCouponId.userCouponId,
    });
    const orderId = r.result?.orderId as number;
    expect((await api.call('GET', `/orders/${orderId}`)).body).toMatchObject({
      totalAmount: 20_000,
      discountAmount: 700,
      paymentAmount: 19_300,
    });
    expect(await api.stock(productId)).toBe(2);
    const coupons = async () =>
      ((await api.call('GET', `/users/${userId}/coupons`)).body.items as { status: string }[])[0]?.status;
    expect(await coupons()).toBe('RESERVED');

    const stranger = await api.call('POST', `/orders/${orderId}/cancel`, { userId: 7998 });
    expect(stranger.status).toBe(403);
    const cancelled = await api.call('POST', `/orders/${orderId}/cancel`, { userId });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'CANCELLED']);
    expect(await api.stock(productId)).toBe(4);
    expect(await coupons()).toBe('AVAILABLE');
    const again = await api.call('POST', `/orders/${orderId}/cancel`, { userId });
    expect([again.status, again.body.code]).toEqual([409, 'ORDER_NOT_CANCELLABLE']);
    await api.charge(userId, 100_000);
    const pay = await api.call('POST', `/orders/${orderId}/payment`, { userId });
    expect([pay.status, pay.body.code]).toEqual([409, 'ORDER_NOT_PAYABLE']);
    expect(await api.balance(userId)).toBe(100_000);
  });

  it('when orders are paid, then the top sellers count paid units only', async () => {
    const paid = await api.product(100, 10);
    const unpaid = await api.product(100, 10);
    const userId = 7005;
    await api.charge(userId, 1_000);
    const o1 = await api.placed({ userId, items: [{ productId: paid, quantity: 7 }] });
    await api.placed({ userId, items: [{ productId: unpaid, quantity: 9 }] });
    await api.call('POST', `/orders/${o1.result?.orderId}/payment`, { userId });
    const top = (await api.call('GET', '/products/top?limit=50')).body.items as {
      productId: number;
      soldQuantity: number;
      stock: number;
    }[];
    expect(top.find((t) => t.productId === paid)).toMatchObject({ soldQuantity: 7, stock: 93 });
    expect(top.find((t) => t.productId === unpaid)).toBeUndefined();
  });
});

describe('order expiry (payment window 1.5 s)', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  const window = { ORDER_PAYMENT_WINDOW_MS: '1500', EXPIRY_SWEEP_INTERVAL_MS: '60000' };
  beforeAll(async () => {
    stack = await isolatedStack();
    const { url } = await stack.api(window);
    api = client(url);
  });
  afterAll(() => stack.close());

  it('when an order is left unpaid, then it expires on time and releases its stock; a paid one never expires', async () => {
    const worker = stack.worker(window);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
    const productId = await api.product(5);
    await api.charge(8001, 10_000);
    const unpaid = (await api.placed({ userId: 8002, items: [{ productId, quantity: 2 }] })).result?.orderId as number;
    const paid = (await api.placed({ userId: 8001, items: [{ productId, quantity: 1 }] })).result?.orderId as number;
    expect((await api.call('POST', `/orders/${paid}/payment`, { userId: 8001 })).status).toBe(200);
    expect(await api.stock(productId)).toBe(2);

    expect(
      await eventually(async () => (await api.call('GET', `/orders/${unpaid}`)).body.status === 'EXPIRED', 6_000),
    ).toBe(true);
    expect(await api.stock(productId)).toBe(4);
    await new Promise((r) => setTimeout(r, 500));
    expect((await api.call('GET', `/orders/${paid}`)).body.status).toBe('PAID');
    expect((await api.call('POST', `/orders/${unpaid}/payment`, { userId: 8002 })).body.code).toBe('ORDER_NOT_PAYABLE');
    await worker.kill('SIGTERM');
  });

  it('when no worker runs at expiresAt and the delayed job is lost, then the sweep expires the order later', async () => {
    const worker = stack.worker(window);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
    const productId = await api.product(3);
    const orderId = (await api.placed({ userId: 8003, items: [{ productId, quantity: 3 }] })).result?.orderId as number;
    await worker.kill('SIGKILL');
    // Lose the delayed expiry job, as if Redis had dropped it.
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    const expiry: Queue = createExpiryQueue(stack.queuePrefix, redis);
    await expiry.drain(true);
    await expiry.close();
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 1_700));
    expect((await api.call('GET', `/orders/${orderId}`)).body.status).toBe('PENDING_PAYMENT');

    const sweeper = stack.worker({ ...window, EXPIRY_SWEEP_INTERVAL_MS: '300' });
    await sweeper.waitForLog(/orders expired/, 10_000, (l) => l.by === 'sweep');
    expect((await api.call('GET', `/orders/${orderId}`)).body.status).toBe('EXPIRED');
    expect(await api.stock(productId)).toBe(3);
  });
});
