// Orders of a product the order lane left without stock are answered at once (200, INSUFFICIENT_STOCK,
// no sequence), through a real API and worker; whatever gives stock back (cancel, restock, expiry)
// lets the very next order into the lane, and a product with a per-user limit is never answered at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StockGate } from '../../src/order/stock-gate.js';
import { createRedis, type RedisClient } from '../../src/redis.js';
import { eventually, orderClient } from '../support/order-client.js';
import { isolatedStack } from '../support/processes.js';
import { testConfig } from '../support/context.js';

async function setUp(env: Record<string, string> = {}) {
  const stack = await isolatedStack();
  const { url } = await stack.api(env);
  await stack.worker(env).waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'orders');
  const api = orderClient(url);
  let user = 50_000;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as {
      requestId: string;
      status: string;
      sequence: number | null;
      error?: { code: string };
    };
    return { status: res.status, replayed: res.headers.get('Idempotent-Replayed') === 'true', body: answer };
  };
  /** One order of one unit by a new user. */
  const submit = (productId: number) => post({ userId: user++, items: [{ productId, quantity: 1 }] });
  /** Orders until one is answered at once (the lane flagged the product and the API's view saw it). */
  const untilAnsweredAtOnce = async (productId: number) => {
    let answer: Awaited<ReturnType<typeof submit>> | undefined;
    const seen = await eventually(async () => {
      answer = await submit(productId);
      if (answer.status === 202) await api.final(answer.body.requestId);
      return answer.status === 200;
    }, 10_000);
    expect(seen).toBe(true);
    return answer as Awaited<ReturnType<typeof submit>>;
  };
  return { stack, api, post, submit, untilAnsweredAtOnce };
}

describe('out of stock answered at once', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp();
  });
  afterAll(() => s.stack.close());

  it('when the product sold out, then a later order is 200 INSUFFICIENT_STOCK with no sequence, and polls the same', async () => {
    const productId = await s.api.product(1);
    expect((await s.api.placed({ userId: 1, items: [{ productId, quantity: 1 }] })).status).toBe('SUCCEEDED');
    const atOnce = await s.untilAnsweredAtOnce(productId);
    expect(atOnce.body).toMatchObject({ status: 'REJECTED', sequence: null, error: { code: 'INSUFFICIENT_STOCK' } });
    expect(atOnce.body.requestId).toMatch(/^x-os-/);
    expect(await s.api.final(atOnce.body.requestId)).toMatchObject({ status: 'REJECTED', sequence: null });
    expect(await s.api.stock(productId)).toBe(0);
  });

  it('when an order answered at once is retried with its Idempotency-Key, then the same answer comes back', async () => {
    const productId = await s.api.product(1);
    await s.api.placed({ userId: 2, items: [{ productId, quantity: 1 }] });
    await s.untilAnsweredAtOnce(productId);
    const headers = { 'Idempotency-Key': `oos-${Date.now()}` };
    const body = { userId: 90_001, items: [{ productId, quantity: 1 }] };
    const first = await s.post(body, headers);
    expect([first.status, first.replayed, first.body.sequence, first.body.error?.code]).toEqual([
      200,
      false,
      null,
      'INSUFFICIENT_STOCK',
    ]);
    const again = await s.post(body, headers);
    expect([again.status, again.replayed, again.body.requestId]).toEqual([200, true, first.body.requestId]);
  });

  it('when an order is cancelled, then the next order is queued and placed at once, without waiting for a refresh', async () => {
    const productId = await s.api.product(1);
    const placed = await s.api.placed({ userId: 3, items: [{ productId, quantity: 1 }] });
    await s.untilAnsweredAtOnce(productId);
    const cancelled = await s.api.call('POST', `/orders/${placed.result?.orderId}/cancel`, { userId: 3 });
    expect(cancelled.status).toBe(200);
    const next = await s.submit(productId);
    expect(next.status).toBe(202);
    expect((await s.api.final(next.body.requestId)).status).toBe('SUCCEEDED');
  });

  it('when the product is restocked, then the next order is queued and placed', async () => {
    const productId = await s.api.product(1);
    await s.api.placed({ userId: 4, items: [{ productId, quantity: 1 }] });
    await s.untilAnsweredAtOnce(productId);
    const restocked = await s.api.call('PATCH', `/admin/products/${productId}/stock`, { delta: 1 }, true);
    expect(restocked.status).toBe(200);
    const next = await s.submit(productId);
    expect(next.status).toBe(202);
    expect((await s.api.final(next.body.requestId)).status).toBe('SUCCEEDED');
  });

  it('when a sold-out product gets a per-user limit, then its orders go through the lane again', async () => {
    const productId = await s.api.product(1);
    await s.api.placed({ userId: 5, items: [{ productId, quantity: 1 }] });
    await s.untilAnsweredAtOnce(productId);
    expect((await s.api.call('PATCH', `/admin/products/${productId}`, { maxPerUser: 1 }, true)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const next = await s.submit(productId);
      expect(next.status).toBe(202);
      expect(await s.api.final(next.body.requestId)).toMatchObject({ error: { code: 'INSUFFICIENT_STOCK' } });
      await new Promise((r) => setTimeout(r, 150));
    }
  });
});

describe('out of stock and expiry (payment window 1.5 s)', () => {
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp({ ORDER_PAYMENT_WINDOW_MS: '1500', EXPIRY_SWEEP_INTERVAL_MS: '60000' });
  });
  afterAll(() => s.stack.close());

  it('when the only order expires, then the product is no longer answered at once and the next order is placed', async () => {
    const productId = await s.api.product(1);
    const placed = await s.api.placed({ userId: 6, items: [{ productId, quantity: 1 }] });
    await s.untilAnsweredAtOnce(productId);
    expect(
      await eventually(
        async () => (await s.api.call('GET', `/orders/${placed.result?.orderId}`)).body.status === 'EXPIRED',
        8_000,
      ),
    ).toBe(true);
    const next = await s.submit(productId);
    expect(next.status).toBe(202);
    expect((await s.api.final(next.body.requestId)).status).toBe('SUCCEEDED');
  });
});

describe('the stock gate against Redis', () => {
  let redis: RedisClient;
  let gate: StockGate;
  const prefix = `${testConfig().QUEUE_PREFIX}-gate-${Date.now().toString(36)}`;
  beforeAll(() => {
    redis = createRedis(testConfig(), { maxRetriesPerRequest: 1 });
    gate = new StockGate(redis, prefix, 5_000);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('when stock came back between the lane reading the generation and its close, then no flag is set', async () => {
    const read = await gate.generations([11, 12]);
    await gate.open([11]);
    await gate.close(read);
    expect(await redis.exists(gate.flagKey(11))).toBe(0);
    expect(await redis.exists(gate.flagKey(12))).toBe(1);
    expect(await redis.pttl(gate.flagKey(12))).toBeGreaterThan(4_000);
    await gate.open([12]);
    expect(await redis.exists(gate.flagKey(12))).toBe(0);
    await gate.close(await gate.generations([11]));
    expect(await redis.exists(gate.flagKey(11))).toBe(1);
  });
});
