import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

describe('balance', () => {
  it('when a user was never seen, then the balance is 0', async () => {
    const userId = newUserId();
    const res = await ctx.app.request(`/users/${userId}/balance`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId, balance: 0 });
  });

  it('when 100 charges of 1 run in parallel, then the balance rises by exactly 100', async () => {
    const userId = newUserId();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => postJson(ctx, `/users/${userId}/balance/charge`, { amount: 1 })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    const res = await ctx.app.request(`/users/${userId}/balance`);
    expect(await res.json()).toEqual({ userId, balance: 100 });
  });
});
