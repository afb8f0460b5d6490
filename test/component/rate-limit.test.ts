import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_LANE, laneKeys } from '../support/lanes.js';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
let productId: number;
beforeAll(async () => {
  ctx = createTestContext({ TRUST_PROXY: 'X-Forwarded-For', RATE_LIMIT_ADDRESS_PER_SECOND: '20' });
  const res = await ctx.app.request('/admin/products', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ name: 'rate limited', price: 100, stock: 1_000_000 }),
  });
  productId = ((await res.json()) as { id: number }).id;
});
afterAll(() => ctx.close());

const order = (userId: number, headers: Record<string, string> = {}) =>
  postJson(ctx, '/orders', { userId, items: [{ productId, quantity: 1 }] }, headers);
const depth = () => ctx.redis.llen(laneKeys(ctx.config.QUEUE_PREFIX, ORDER_LANE).wait);
const refusedCount = async (limit: string) => {
  const text = await (await ctx.app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`ce_rate_limited_total{limit="${limit}"}`));
  return Number(line?.split(' ')[1] ?? 0);
};

describe('rate limits on queued submits', () => {
  it('when one user sends 300 orders at once, then some are 429 RATE_LIMITED with Retry-After, nothing is queued for them, and another user is still served', async () => {
    const greedy = newUserId();
    const before = await depth();
    const refusedBefore = await refusedCount('user');
    const burst = Promise.all(
      Array.from({ length: 300 }, async () => {
        const res = await order(greedy);
        return { status: res.status, retryAfter: res.headers.get('Retry-After'), body: await res.text() };
      }),
    );
    const other = await order(newUserId());
    const answers = await burst;

    expect(other.status).toBe(202);
    const accepted = answers.filter((a) => a.status === 202);
    const limited = answers.filter((a) => a.status === 429);
    expect(accepted.length + limited.length).toBe(300);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeGreaterThan(0);
    for (const a of limited) {
      expect(JSON.parse(a.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // The other user's order and the accepted ones are queued; refused ones are not.
    expect((await depth()) - before).toBe(accepted.length + 1);
    expect((await refusedCount('user')) - refusedBefore).toBe(limited.length);
  });

  it('when a user sends many invalid orders, then they are refused as invalid without using up the limit', async () => {
    const userId = newUserId();
    for (let i = 0; i < 40; i++) {
      await expectProblem(await postJson(ctx, '/orders', { userId, items: [] }), 400, 'VALIDATION_FAILED');
    }
    expect((await order(userId)).status).toBe(202);
  });

  it('when many users send from one address named by the trusted proxy header, then that address is limited and another is not', async () => {
    const address = { 'X-Forwarded-For': `203.0.113.9, 10.0.0.${Math.floor(Math.random() * 250) + 1}` };
    const answers = await Promise.all(Array.from({ length: 60 }, () => order(newUserId(), address)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    await expectProblem(limited[0] as Response, 429, 'RATE_LIMITED');
    expect((await order(newUserId(), { 'X-Forwarded-For': '198.51.100.7' })).status).toBe(202);
  });
});
