import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BALANCE } from '../../src/balance/balance.repository.js';
import { createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

interface HistoryPage {
  items: { kind: string; amount: number; balanceAfter: number; createdAt: string; orderId?: number }[];
  nextCursor: string | null;
}

async function balanceOf(userId: number) {
  const res = await ctx.app.request(`/users/${userId}/balance`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { balance: number }).balance;
}

async function history(userId: number, query = ''): Promise<HistoryPage> {
  const res = await ctx.app.request(`/users/${userId}/balance/history${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as HistoryPage;
}

describe('balance', () => {
  it('when a user was never seen, then the balance is 0', async () => {
    const userId = newUserId();
    const res = await ctx.app.request(`/users/${userId}/balance`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId, balance: 0 });
  });

  it('when a never-seen user is charged, then the account is created with that balance', async () => {
    const userId = newUserId();
    const res = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 1500 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId, balance: 1500, chargedAmount: 1500 });
    expect(await balanceOf(userId)).toBe(1500);
  });

  it('when the amount is 1 or 10,000,000 (the bounds), then the charge is accepted', async () => {
    const userId = newUserId();
    expect((await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 1 })).status).toBe(200);
    expect((await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 10_000_000 })).status).toBe(200);
    expect(await balanceOf(userId)).toBe(10_000_001);
  });

  it('when the largest user id in the safe range is charged, then it works like any other', async () => {
    const userId = Number.MAX_SAFE_INTEGER;
    const before = await balanceOf(userId);
    const res = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 3 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId, balance: before + 3, chargedAmount: 3 });
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

describe('balance limit', () => {
  it('when charges reach exactly 1,000,000,000, then they are accepted, and one more won is 409 BALANCE_LIMIT_EXCEEDED', async () => {
    const userId = newUserId();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => postJson(ctx, `/users/${userId}/balance/charge`, { amount: 10_000_000 })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(await balanceOf(userId)).toBe(MAX_BALANCE);

    const over = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 1 });
    const problem = await expectProblem(over, 409, 'BALANCE_LIMIT_EXCEEDED');
    expect(problem.detail).toContain('1000000000');
    expect(await balanceOf(userId)).toBe(MAX_BALANCE);
    const page = await history(userId, '?limit=100');
    expect(page.items).toHaveLength(100);
    expect(page.items[0]).toMatchObject({ kind: 'CHARGE', amount: 10_000_000, balanceAfter: MAX_BALANCE });
  });

  it('when a charge would pass the limit, then nothing changes: not the balance, not the history', async () => {
    const userId = newUserId();
    await ctx.db
      .insertInto('balances')
      .values({ user_id: userId, balance: MAX_BALANCE - 9_999_999 })
      .execute();
    const before = await ctx.db
      .selectFrom('balances')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();

    await expectProblem(
      await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 10_000_000 }),
      409,
      'BALANCE_LIMIT_EXCEEDED',
    );
    const after = await ctx.db.selectFrom('balances').selectAll().where('user_id', '=', userId).executeTakeFirst();
    expect(after).toEqual(before);
    expect((await history(userId)).items).toEqual([]);

    const fits = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 9_999_999 });
    expect(await fits.json()).toEqual({ userId, balance: MAX_BALANCE, chargedAmount: 9_999_999 });
  });

  it('when parallel charges together would pass the limit, then exactly those that fit succeed', async () => {
    const userId = newUserId();
    await ctx.db
      .insertInto('balances')
      .values({ user_id: userId, balance: MAX_BALANCE - 50 })
      .execute();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postJson(ctx, `/users/${userId}/balance/charge`, { amount: 10 })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(15).fill(409)]);
    expect(await balanceOf(userId)).toBe(MAX_BALANCE);
    expect((await history(userId)).items).toHaveLength(5);
  });
});

describe('balance history', () => {
  it('when a user was never seen, then the history is empty with no next cursor', async () => {
    expect(await history(newUserId())).toEqual({ items: [], nextCursor: null });
  });

  it('when a user has charged several times, then the history lists them newest first across cursor pages', async () => {
    const userId = newUserId();
    for (const amount of [100, 200, 300, 400, 500]) {
      expect((await postJson(ctx, `/users/${userId}/balance/charge`, { amount })).status).toBe(200);
    }
    const first = await history(userId, '?limit=2');
    expect(first.items.map((i) => [i.amount, i.balanceAfter])).toEqual([
      [500, 1500],
      [400, 1000],
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = await history(userId, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => [i.amount, i.balanceAfter])).toEqual([
      [300, 600],
      [200, 300],
    ]);

    const last = await history(userId, `?limit=2&cursor=${second.nextCursor}`);
    expect(last.items.map((i) => [i.amount, i.balanceAfter])).toEqual([[100, 100]]);
    expect(last.nextCursor).toBeNull();

    const all = [...first.items, ...second.items, ...last.items];
    for (const item of all) {
      expect(item.kind).toBe('CHARGE');
      expect(item).not.toHaveProperty('orderId');
      expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
    }
    const times = all.map((i) => Date.parse(i.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('when the page size equals the number of entries, then there is no next cursor', async () => {
    const userId = newUserId();
    for (const amount of [1, 2]) await postJson(ctx, `/users/${userId}/balance/charge`, { amount });
    const page = await history(userId, '?limit=2');
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it('when no limit is given, then a page holds 20 entries', async () => {
    const userId = newUserId();
    for (let i = 0; i < 21; i++) await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 1 });
    const page = await history(userId);
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await history(userId, `?cursor=${page.nextCursor}`)).items).toHaveLength(1);
  });

  it('when the history holds payments and refunds, then each shows its kind and the order it belongs to', async () => {
    const userId = newUserId();
    await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 10_000 });
    await ctx.db
      .insertInto('balance_history')
      .values([
        { user_id: userId, kind: 'PAYMENT', amount: 4_000, balance_after: 6_000, order_id: 9001 },
        { user_id: userId, kind: 'REFUND', amount: 4_000, balance_after: 10_000, order_id: 9001 },
      ])
      .execute();
    const page = await history(userId);
    expect(page.items.map(({ createdAt: _createdAt, ...rest }) => rest)).toEqual([
      { kind: 'REFUND', amount: 4_000, balanceAfter: 10_000, orderId: 9001 },
      { kind: 'PAYMENT', amount: 4_000, balanceAfter: 6_000, orderId: 9001 },
      { kind: 'CHARGE', amount: 10_000, balanceAfter: 10_000 },
    ]);
  });

  it('when one user charges, then another user’s history does not show it', async () => {
    const [a, b] = [newUserId(), newUserId()];
    await postJson(ctx, `/users/${a}/balance/charge`, { amount: 77 });
    await postJson(ctx, `/users/${b}/balance/charge`, { amount: 88 });
    expect((await history(a)).items.map((i) => i.amount)).toEqual([77]);
    expect((await history(b)).items.map((i) => i.amount)).toEqual([88]);
  });
});
