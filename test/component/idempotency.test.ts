import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BALANCE } from '../../src/balance/balance.repository.js';
import { ADMIN_TOKEN, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { eventually } from '../support/order-client.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

const newKey = () => `test-${crypto.randomUUID()}`;
const chargePath = (userId: number) => `/users/${userId}/balance/charge`;

async function balanceOf(userId: number): Promise<number> {
  const res = await ctx.app.request(`/users/${userId}/balance`);
  return ((await res.json()) as { balance: number }).balance;
}

async function historyRows(userId: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('balance_history')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('Idempotency-Key on POST', () => {
  it('when a keyed POST matches no route (or a route of another method), then it is 404 and no record is stored', async () => {
    const keys = [newKey(), newKey(), newKey()];
    const answers = await Promise.all(
      ['/no-such-route', '/products', `/users/${newUserId()}/balance`].map((path, i) =>
        postJson(ctx, path, { amount: 1 }, { 'Idempotency-Key': keys[i] as string }),
      ),
    );
    for (const res of answers) await expectProblem(res, 404, 'NOT_FOUND');
    const rows = await ctx.db.selectFrom('idempotency_keys').select('idem_key').where('idem_key', 'in', keys).execute();
    expect(rows).toEqual([]);
    const key = newKey();
    expect((await postJson(ctx, chargePath(newUserId()), { amount: 1 }, { 'Idempotency-Key': key })).status).toBe(200);
    const stored = await ctx.db.selectFrom('idempotency_keys').select('state').where('idem_key', '=', key).execute();
    expect(stored).toEqual([{ state: 'DONE' }]);
  });

  it('when the same key and body are sent twice, then the second call replays the first answer and charges once', async () => {
    const userId = newUserId();
    const key = newKey();
    const first = await postJson(ctx, chargePath(userId), { amount: 700 }, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toEqual({ userId, balance: 700, chargedAmount: 700 });

    const replay = await postJson(ctx, chargePath(userId), { amount: 700 }, { 'Idempotency-Key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(replay.headers.get('X-Request-Id')).toBeTruthy();
    expect(await replay.text()).toBe(firstBody);

    expect(await balanceOf(userId)).toBe(700);
    expect(await historyRows(userId)).toBe(1);
  });

  it('when a charge is sent again without a key, then it charges again', async () => {
    const userId = newUserId();
    for (let i = 0; i < 2; i++) expect((await postJson(ctx, chargePath(userId), { amount: 10 })).status).toBe(200);
    expect(await balanceOf(userId)).toBe(20);
  });

  it('when the same key comes with a different body, then the answer is 422 IDEMPOTENCY_KEY_REUSED and nothing changes', async () => {
    const userId = newUserId();
    const key = newKey();
    expect((await postJson(ctx, chargePath(userId), { amount: 100 }, { 'Idempotency-Key': key })).status).toBe(200);

    const reused = await postJson(ctx, chargePath(userId), { amount: 200 }, { 'Idempotency-Key': key });
    await expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(userId)).toBe(100);
    expect(await historyRows(userId)).toBe(1);

    const replay = await postJson(ctx, chargePath(userId), { amount: 100 }, { 'Idempotency-Key': key });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await balanceOf(userId)).toBe(100);
  });

  it('when the same key is used on two different users, then each charge is its own request', async () => {
    const [a, b] = [newUserId(), newUserId()];
    const key = newKey();
    const first = await postJson(ctx, chargePath(a), { amount: 30 }, { 'Idempotency-Key': key });
    const second = await postJson(ctx, chargePath(b), { amount: 30 }, { 'Idempotency-Key': key });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('Idempotent-Replayed')).toBeNull();
    expect([await balanceOf(a), await balanceOf(b)]).toEqual([30, 30]);
  });

  it('when the key has 255 printable ASCII characters, then it is accepted', async () => {
    const userId = newUserId();
    const key = `${newKey()}~ !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}`.padEnd(255, 'x');
    expect(key).toHaveLength(255);
    const first = await postJson(ctx, chargePath(userId), { amount: 5 }, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    const replay = await postJson(ctx, chargePath(userId), { amount: 5 }, { 'Idempotency-Key': key });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await balanceOf(userId)).toBe(5);
  });

  it.each([
    ['256 characters long', 'k'.repeat(256)],
    ['not ASCII', 'cl\u00e9-\u00fc'],
    ['empty', ''],
  ])('when the key is %s, then the answer is 400 VALIDATION_FAILED and nothing is charged', async (_label, key) => {
    const userId = newUserId();
    const res = await postJson(ctx, chargePath(userId), { amount: 100 }, { 'Idempotency-Key': key });
    const problem = await expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.detail).toContain('Idempotency-Key');
    expect(await balanceOf(userId)).toBe(0);
    expect(await historyRows(userId)).toBe(0);
  });

  it('when the first answer to a key was 409 BALANCE_LIMIT_EXCEEDED, then the same call replays that 409', async () => {
    const userId = newUserId();
    await ctx.db
      .insertInto('balances')
      .values({ user_id: userId, balance: MAX_BALANCE - 1 })
      .execute();
    const key = newKey();
    const first = await postJson(ctx, chargePath(userId), { amount: 2 }, { 'Idempotency-Key': key });
    const firstBody = await expectProblem(first, 409, 'BALANCE_LIMIT_EXCEEDED');

    const replay = await postJson(ctx, chargePath(userId), { amount: 2 }, { 'Idempotency-Key': key });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await expectProblem(replay, 409, 'BALANCE_LIMIT_EXCEEDED')).toEqual(firstBody);
    expect(await balanceOf(userId)).toBe(MAX_BALANCE - 1);
    expect(await historyRows(userId)).toBe(0);
  });

  it('when the first call with a key was refused as invalid, then the same key with a corrected body is served', async () => {
    const userId = newUserId();
    const key = newKey();
    const invalid = await postJson(ctx, chargePath(userId), { amount: -5 }, { 'Idempotency-Key': key });
    await expectProblem(invalid, 400, 'VALIDATION_FAILED');

    const corrected = await postJson(ctx, chargePath(userId), { amount: 5 }, { 'Idempotency-Key': key });
    expect(corrected.status).toBe(200);
    expect(corrected.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await balanceOf(userId)).toBe(5);
  });

  it('when an admin call with a key was refused for a missing token, then the same key with the token is served', async () => {
    const key = newKey();
    const body = { name: `idempotent product ${key}`, price: 500, stock: 3 };
    const refused = await postJson(ctx, '/admin/products', body, { 'Idempotency-Key': key });
    await expectProblem(refused, 401, 'UNAUTHORIZED');

    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Idempotency-Key': key };
    const created = await postJson(ctx, '/admin/products', body, auth);
    expect(created.status).toBe(201);
    const product = (await created.json()) as { id: number };
    const replay = await postJson(ctx, '/admin/products', body, auth);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await replay.json()).toEqual(product);

    const rows = await ctx.db.selectFrom('products').select('id').where('name', '=', body.name).execute();
    expect(rows).toEqual([{ id: product.id }]);
  });

  it('when 20 calls with the same key arrive at once, then the balance is charged exactly once', async () => {
    const userId = newUserId();
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const r = await postJson(ctx, chargePath(userId), { amount: 1234 }, { 'Idempotency-Key': key });
        return { status: r.status, body: (await r.json()) as { code?: string } };
      }),
    );
    const served = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status !== 200);
    expect(served.length).toBeGreaterThanOrEqual(1);
    for (const a of served) expect(a.body).toEqual({ userId, balance: 1234, chargedAmount: 1234 });
    for (const a of busy) expect(a).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_IN_PROGRESS' } });

    const after = await postJson(ctx, chargePath(userId), { amount: 1234 }, { 'Idempotency-Key': key });
    expect(after.status).toBe(200);
    expect(after.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await balanceOf(userId)).toBe(1234);
    expect(await historyRows(userId)).toBe(1);
  });

  it('when a charge is held up past the stale window and a retry takes its key over, then only one of the two charges commits', async () => {
    const userId = newUserId();
    await ctx.db.insertInto('balances').values({ user_id: userId, balance: 0 }).execute();
    const key = newKey();
    const record = () =>
      ctx.db
        .selectFrom('idempotency_keys')
        .select(['state', 'created_at'])
        .where('idem_key', '=', key)
        .executeTakeFirst();
    // The test holds the balance row, so both charges wait at their effect until it lets go.
    let letGo = () => {};
    let locked = () => {};
    const held = new Promise<void>((r) => (locked = r));
    const holder = ctx.db.transaction().execute(async (trx) => {
      await sql`SELECT balance FROM balances WHERE user_id = ${userId} FOR UPDATE`.execute(trx);
      locked();
      await new Promise<void>((r) => (letGo = r));
    });
    await held;
    const first = postJson(ctx, chargePath(userId), { amount: 300 }, { 'Idempotency-Key': key });
    expect(await eventually(async () => (await record())?.state === 'PENDING', 10_000)).toBe(true);
    // As if the first charge had run for two minutes: a retry may now take its key over.
    const stale = new Date(Date.now() - 120_000);
    await ctx.db.updateTable('idempotency_keys').set({ created_at: stale }).where('idem_key', '=', key).execute();
    const second = postJson(ctx, chargePath(userId), { amount: 300 }, { 'Idempotency-Key': key });
    const takenOver = async () => (await record())?.created_at.getTime() !== stale.getTime();
    expect(await eventually(takenOver, 10_000)).toBe(true);
    letGo();
    await holder;

    await expectProblem(await first, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
    const served = await second;
    expect(served.status).toBe(200);
    const body = await served.text();
    expect(JSON.parse(body)).toEqual({ userId, balance: 300, chargedAmount: 300 });
    const replay = await postJson(ctx, chargePath(userId), { amount: 300 }, { 'Idempotency-Key': key });
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await replay.text()).toBe(body);
    expect(await historyRows(userId)).toBe(1);
  });
});
