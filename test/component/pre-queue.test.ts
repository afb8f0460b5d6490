// A coupon's pre-queue through the app against the real MariaDB and Redis: the window is validated
// at creation, claims in it wait without a sequence (one per user), claims after the start wait for
// the draw, and the admin reads the draw that the lane owner's task records.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { claimLaneType } from '../../src/coupon/claim.lane.js';
import { claimLaneFence } from '../../src/lane/lane.repository.js';
import { OwnerTaskRunner } from '../../src/lane/owner-task.js';
import { laneForCoupon } from '../support/lanes.js';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack, type Stack } from '../support/processes.js';

const opened: { stack: Stack; ctx: TestContext; runner?: OwnerTaskRunner }[] = [];
afterEach(async () => {
  for (const { stack, ctx, runner } of opened.splice(0)) {
    await runner?.stop();
    await ctx.close();
    await stack.close();
  }
});

async function app(config: Record<string, string> = {}) {
  const stack = await isolatedStack();
  const ctx = createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix, ...config });
  const entry: (typeof opened)[number] = { stack, ctx };
  opened.push(entry);
  return { ctx, entry };
}

const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const coupon = (extra: Record<string, unknown>) => ({
  name: 'pre-queued',
  discountType: 'FIXED',
  discountValue: 1000,
  totalQuantity: 10,
  validDays: 7,
  ...extra,
});

async function createCoupon(ctx: TestContext, extra: Record<string, unknown>) {
  return ctx.app.request('/admin/coupons', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify(coupon(extra)),
  });
}

const readDraw = (ctx: TestContext, id: number) =>
  ctx.app.request(`/admin/coupons/${id}/draw`, { headers: adminHeaders });

interface Resource {
  requestId: string;
  status: string;
  sequence: number | null;
  position?: number;
  preQueued?: boolean;
}

describe('pre-queue', () => {
  it('when preQueueOpensAt is not before claimStartsAt, or there is no claimStartsAt, then creating the coupon is 422 and nothing is created', async () => {
    const { ctx } = await app();
    const same = at(60_000);
    const refused = await createCoupon(ctx, { preQueueOpensAt: same, claimStartsAt: same });
    expect((await expectProblem(refused, 422, 'PRE_QUEUE_WINDOW_INVALID')).detail).toMatch(/before claimStartsAt/);
    await expectProblem(await createCoupon(ctx, { preQueueOpensAt: at(0) }), 422, 'PRE_QUEUE_WINDOW_INVALID');
    const count = await ctx.db
      .selectFrom('coupons')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('when the admin reads the draw of an unknown coupon or of one without a pre-queue, then 404 and 409 NO_PRE_QUEUE', async () => {
    const { ctx } = await app();
    await expectProblem(await readDraw(ctx, 999), 404, 'COUPON_NOT_FOUND');
    const plain = (await (await createCoupon(ctx, {})).json()) as { id: number; preQueueOpensAt: string | null };
    expect(plain.preQueueOpensAt).toBeNull();
    await expectProblem(await readDraw(ctx, plain.id), 409, 'NO_PRE_QUEUE');
    expect((await ctx.app.request(`/admin/coupons/${plain.id}/draw`)).status).toBe(401);
  });

  it('when users claim in the pre-queue window, then each waits without a sequence, a repeat returns the same request, and a claim after the start waits for the draw (503)', async () => {
    const { ctx } = await app();
    const startsAt = Date.now() + 60_000;
    const created = await createCoupon(ctx, {
      preQueueOpensAt: at(-1_000),
      claimStartsAt: new Date(startsAt).toISOString(),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const userId = newUserId();

    const first = await postJson(ctx, `/coupons/${id}/claims`, { userId }, { 'Idempotency-Key': 'pq-1' });
    expect(first.status).toBe(202);
    const body = (await first.json()) as Resource;
    expect(body).toMatchObject({ status: 'QUEUED', sequence: null, preQueued: true });
    expect(body.requestId).toMatch(new RegExp(`^p-${id}-[a-z0-9]{10}$`));
    expect(first.headers.get('Location')).toBe(`/requests/${body.requestId}`);

    const repeat = await postJson(ctx, `/coupons/${id}/claims`, { userId });
    expect(repeat.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await repeat.json()) as Resource).requestId).toBe(body.requestId);
    const keyed = await postJson(ctx, `/coupons/${id}/claims`, { userId }, { 'Idempotency-Key': 'pq-1' });
    expect(((await keyed.json()) as Resource).requestId).toBe(body.requestId);
    const poll = await ctx.app.request(`/requests/${body.requestId}`);
    expect(poll.headers.get('Retry-After')).toBe('1');
    expect(await poll.json()).toMatchObject({ status: 'QUEUED', sequence: null, preQueued: true });
    expect(await (await readDraw(ctx, id)).json()).toMatchObject({ status: 'PENDING', drawnAt: null, claims: [] });

    // A coupon whose start has passed but which nobody has drawn (no worker): refused, nothing queued.
    const past = await createCoupon(ctx, { preQueueOpensAt: at(-2_000), claimStartsAt: at(-1_000) });
    const pastId = ((await past.json()) as { id: number }).id;
    const late = await postJson(ctx, `/coupons/${pastId}/claims`, { userId: newUserId() });
    await expectProblem(late, 503, 'PRE_QUEUE_DRAWING');
    expect(late.headers.get('Retry-After')).toBe('1');
  });

  it('when a user with a pre-queued claim repeats it faster than the rate limit allows, then every repeat returns that claim and none is 429', async () => {
    const { ctx } = await app({ RATE_LIMIT_USER_PER_SECOND: '2' });
    const created = await createCoupon(ctx, { preQueueOpensAt: at(-1_000), claimStartsAt: at(60_000) });
    const { id } = (await created.json()) as { id: number };
    const userId = newUserId();
    const first = (await (await postJson(ctx, `/coupons/${id}/claims`, { userId })).json()) as Resource;
    const repeats = await Promise.all(
      Array.from({ length: 8 }, () => postJson(ctx, `/coupons/${id}/claims`, { userId })),
    );
    for (const r of repeats) {
      expect(r.status).toBe(202);
      expect(r.headers.get('Idempotent-Replayed')).toBe('true');
      expect(((await r.json()) as Resource).requestId).toBe(first.requestId);
    }
  });

  it('when the lane owner task runs after the start, then the draw is recorded and polls show the drawn sequence and position', async () => {
    const { ctx, entry } = await app();
    const startsAt = Date.now() + 4_000;
    const created = await createCoupon(ctx, {
      preQueueOpensAt: at(-1_000),
      claimStartsAt: new Date(startsAt).toISOString(),
    });
    const { id } = (await created.json()) as { id: number };
    const users = Array.from({ length: 20 }, () => newUserId());
    const answers = await Promise.all(users.map((userId) => postJson(ctx, `/coupons/${id}/claims`, { userId })));
    const pre = (await Promise.all(answers.map((a) => a.json()))) as Resource[];
    expect(pre.map((p) => p.preQueued)).toEqual(users.map(() => true));

    const lane = laneForCoupon(id, ctx.config.COUPON_LANES);
    await claimLaneFence(ctx.db, lane.name, 1);
    const processor = claimLaneType.processor({ ...ctx, lane, scheduleExpiry: () => Promise.resolve() });
    const queue = ctx.queues.get(lane.name);
    if (!queue) throw new Error('no queue');
    const logger = createLogger({ LOG_LEVEL: 'silent', LOG_PRETTY: false }, 'test');
    entry.runner = OwnerTaskRunner.of({ processor, db: ctx.db, lane, queue, log: logger }, { isOwner: true, fence: 1 });
    entry.runner?.start();
    const started = Date.now();

    let draw: {
      status: string;
      drawnAt: string | null;
      claims: { position: number; requestId: string; userId: number; sequence: number }[];
    };
    do {
      await new Promise((r) => setTimeout(r, 100));
      draw = (await (await readDraw(ctx, id)).json()) as typeof draw;
    } while (draw.status !== 'DRAWN' && Date.now() < Math.max(startsAt, started) + 10_000);
    expect(draw.status).toBe('DRAWN');
    expect(new Date(draw.drawnAt ?? 0).getTime()).toBeGreaterThanOrEqual(startsAt);
    expect(draw.claims.map((c) => c.position)).toEqual(users.map((_, i) => i + 1));
    expect(draw.claims.map((c) => c.sequence)).toEqual(users.map((_, i) => i + 1));
    expect(new Set(draw.claims.map((c) => c.requestId))).toEqual(new Set(pre.map((p) => p.requestId)));
    for (const c of draw.claims) {
      const poll = (await (await ctx.app.request(`/requests/${c.requestId}`)).json()) as Resource;
      expect(poll).toMatchObject({
        requestId: c.requestId,
        status: 'QUEUED',
        sequence: c.sequence,
        position: c.sequence - 1,
        preQueued: true,
      });
    }
    // After the draw a new claim is queued behind every drawn one.
    const after = (await (await postJson(ctx, `/coupons/${id}/claims`, { userId: newUserId() })).json()) as Resource;
    expect(after.sequence).toBe(users.length + 1);
  });
});
