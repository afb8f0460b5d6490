// Polls of queued requests through the app against the real MariaDB and Redis: what a poll answers
// in each state, and how many MySQL SELECTs it costs, counted by MariaDB itself (Com_select of the
// app's only pool connection).
import { sql } from 'kysely';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimLane, lanePrefix } from '../support/lanes.js';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
const contexts: TestContext[] = [];
beforeAll(async () => {
  stack = await isolatedStack();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(() => stack?.close());

let worker: ReturnType<Stack['worker']> | undefined;
/** The one worker process of this file, started on first use; resolves once it owns the coupon's lane (a process start can take many seconds on a busy machine). */
async function workerOwning(ctx: TestContext, couponId: number): Promise<void> {
  worker ??= stack.worker();
  const lane = claimLane(couponId % ctx.config.COUPON_LANES).name;
  await worker.waitForLog(/lane acquired/, 60_000, (l) => l.lane === lane);
}

/** An app whose every MySQL query runs on one session. */
function app(overrides: Record<string, string> = {}) {
  const ctx = createTestContext(
    { DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix, ...overrides },
    { connectionLimit: 1 },
  );
  contexts.push(ctx);
  return ctx;
}

async function selects(ctx: TestContext): Promise<number> {
  const r = await sql<{ Value: string }>`SHOW SESSION STATUS LIKE 'Com_select'`.execute(ctx.db);
  return Number(r.rows[0]?.Value);
}

async function newCoupon(ctx: TestContext, totalQuantity: number): Promise<number> {
  const res = await ctx.app.request('/admin/coupons', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ name: 'poll', discountType: 'FIXED', discountValue: 100, totalQuantity, validDays: 1 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

interface Resource {
  requestId: string;
  status: string;
  sequence: number | null;
  position?: number;
  error?: { code: string };
}

async function claim(ctx: TestContext, couponId: number): Promise<Resource> {
  const res = await postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() });
  expect(res.status).toBe(202);
  return (await res.json()) as Resource;
}

async function poll(ctx: TestContext, requestId: string, query = '') {
  const res = await ctx.app.request(`/requests/${requestId}${query}`);
  expect(res.status).toBe(200);
  return { body: (await res.json()) as Resource, retryAfter: res.headers.get('Retry-After') };
}

const withNonce = (id: string, nonce: string) => id.replace(/[a-z0-9]{10}$/, nonce);

describe('polling a queued request', () => {
  it('when a request is QUEUED, then polls answer its position with Retry-After and issue no MySQL SELECT', async () => {
    const ctx = app();
    const couponId = await newCoupon(ctx, 10);
    const first = await claim(ctx, couponId);
    const second = await claim(ctx, couponId);
    const before = await selects(ctx);

    for (let i = 0; i < 3; i++) {
      const { body, retryAfter } = await poll(ctx, second.requestId);
      expect(body).toMatchObject({ requestId: second.requestId, status: 'QUEUED', sequence: second.sequence });
      expect(body.position).toBe((second.sequence ?? 0) - (first.sequence ?? 0));
      expect(retryAfter).toBe('1');
    }
    expect((await poll(ctx, first.requestId)).body).toMatchObject({ status: 'QUEUED', position: 0 });
    expect(await selects(ctx)).toBe(before);

    // The counter does move: a read that needs MySQL shows up in it.
    expect((await ctx.app.request(`/coupons/${couponId}`)).status).toBe(200);
    expect(await selects(ctx)).toBeGreaterThan(before);
  });

  it('when the lane owner has taken a request, then a poll answers PROCESSING without a MySQL SELECT', async () => {
    const own = await isolatedStack();
    const ctx = createTestContext(
      { DATABASE_URL: own.databaseUrl, QUEUE_PREFIX: own.queuePrefix },
      { connectionLimit: 1 },
    );
    contexts.push(ctx);
    const couponId = await newCoupon(ctx, 10);
    const queued = await claim(ctx, couponId);
    const lane = claimLane(couponId % ctx.config.COUPON_LANES);
    // A consumer of the lane takes the job, as the lane owner does, and never completes it.
    const taker = new Worker(lane.name, null, {
      connection: { url: ctx.config.REDIS_URL, maxRetriesPerRequest: null },
      prefix: lanePrefix(own.queuePrefix, lane),
      skipStalledCheck: true,
      skipLockRenewal: true,
    });
    try {
      const job = await taker.getNextJob('test-token', { block: false });
      expect(job?.id).toBe(String(queued.sequence));
      const before = await selects(ctx);
      const { body, retryAfter } = await poll(ctx, queued.requestId);
      expect(body).toMatchObject({ status: 'PROCESSING', sequence: queued.sequence });
      expect(body.position).toBeUndefined();
      expect(retryAfter).toBe('1');
      expect(await selects(ctx)).toBe(before);
    } finally {
      await taker.close(true);
      await ctx.close();
      contexts.splice(contexts.indexOf(ctx), 1);
      await own.close();
    }
  });

  it('when a request is decided, then the first poll reads MySQL once and later polls not at all', async () => {
    const ctx = app();
    const couponId = await newCoupon(ctx, 1);
    const winner = await claim(ctx, couponId);
    const loser = await claim(ctx, couponId);
    await workerOwning(ctx, couponId);
    expect((await poll(ctx, loser.requestId, '?waitMs=10000')).body).toMatchObject({
      status: 'REJECTED',
      error: { code: 'SOLD_OUT' },
    });

    // A process that has not read this request yet: one SELECT, then none.
    const fresh = app();
    const before = await selects(fresh);
    const { body, retryAfter } = await poll(fresh, winner.requestId);
    expect(body).toMatchObject({ status: 'SUCCEEDED', sequence: winner.sequence });
    expect(retryAfter).toBeNull();
    expect(await selects(fresh)).toBe(before + 1);
    for (let i = 0; i < 3; i++) expect((await poll(fresh, winner.requestId)).body).toEqual(body);
    expect(await selects(fresh)).toBe(before + 1);
  });

  it('when an id names a real lane and sequence but the wrong nonce, then it is 404 whether decided or queued', async () => {
    const ctx = app();
    const couponId = await newCoupon(ctx, 5);
    const decided = await claim(ctx, couponId);
    await workerOwning(ctx, couponId);
    expect((await poll(ctx, decided.requestId, '?waitMs=10000')).body.status).toBe('SUCCEEDED');
    const queuedLater = await claim(ctx, couponId);
    for (const id of [decided.requestId, queuedLater.requestId]) {
      const res = await ctx.app.request(`/requests/${withNonce(id, 'zzzzzzzzzz')}`);
      await expectProblem(res, 404, 'REQUEST_NOT_FOUND');
    }
    await expectProblem(await ctx.app.request('/requests/c1-99999999-abcdefghij'), 404, 'REQUEST_NOT_FOUND');
  });
});

/** Keys under the prefix, leaving out the rate limiter's one-second counters (one per user who submitted). */
async function keysUnder(ctx: TestContext, prefix: string): Promise<Set<string>> {
  let cursor = '0';
  const found = new Set<string>();
  do {
    const [next, keys] = await (ctx.redis as Redis).scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) if (!k.startsWith(`${prefix}:rate:`)) found.add(k);
  } while (cursor !== '0');
  return found;
}

describe('instant answers', () => {
  it('when an instant-looking id is polled before any answer was issued, then it is 404 and nothing is written', async () => {
    const own = await isolatedStack();
    const ctx = createTestContext({ DATABASE_URL: own.databaseUrl, QUEUE_PREFIX: own.queuePrefix });
    try {
      const made = `x-so-${Date.now().toString(36)}-abcdefghij-0123456789abcdef`;
      await expectProblem(await ctx.app.request(`/requests/${made}`), 404, 'REQUEST_NOT_FOUND');
      // (Only the queues' own meta keys exist: BullMQ writes them when a Queue is created.)
      expect([...(await keysUnder(ctx, own.queuePrefix))].filter((k) => !k.endsWith(':meta'))).toEqual([]);
    } finally {
      await ctx.close();
      await own.close();
    }
  });

  it('when a coupon is sold out, then claims are answered final at once, stored nowhere, and their ids poll back', async () => {
    const ctx = app();
    const couponId = await newCoupon(ctx, 1);
    const only = await claim(ctx, couponId);
    await workerOwning(ctx, couponId);
    expect((await poll(ctx, only.requestId, '?waitMs=10000')).body.status).toBe('SUCCEEDED');
    // The lane marks the coupon sold out right after its batch commits.
    let first: Response | undefined;
    for (let i = 0; i < 100 && first?.status !== 200; i++) {
      first = await postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() });
      if (first.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(first?.status).toBe(200);

    const keysBefore = await keysUnder(ctx, stack.queuePrefix);
    const answers: Resource[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await postJson(ctx, `/coupons/${couponId}/claims`, { userId: newUserId() });
      expect(res.status).toBe(200);
      expect(res.headers.get('Location')).toMatch(/^\/requests\/x-/);
      answers.push((await res.json()) as Resource);
    }
    const keysAfter = await keysUnder(ctx, stack.queuePrefix);
    expect([...keysAfter].filter((k) => !keysBefore.has(k))).toEqual([]);
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(20);

    const other = app();
    const before = await selects(other);
    for (const a of answers) {
      const { body, retryAfter } = await poll(other, a.requestId);
      expect(body).toEqual(a);
      expect(body).toMatchObject({ status: 'REJECTED', sequence: null, error: { code: 'SOLD_OUT' } });
      expect(retryAfter).toBeNull();
    }
    expect(await selects(other)).toBe(before);

    // Ids the engine did not issue, or issued differently, are unknown.
    const id = answers[0]?.requestId ?? '';
    const [, kind, time, nonce, mac] = id.split('-');
    const flip = (s = '') => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
    for (const forged of [
      `x-${kind}-${time}-${nonce}-${flip(mac)}`,
      `x-${kind}-${flip(time)}-${nonce}-${mac}`,
      `x-${kind}-${time}-${flip(nonce)}-${mac}`,
      `x-${kind}-${(Date.now() - 25 * 3600_000).toString(36)}-${nonce}-${mac}`,
      'x-abcdefghij',
    ]) {
      await expectProblem(await other.app.request(`/requests/${forged}`), 404, 'REQUEST_NOT_FOUND');
    }
  });
});
