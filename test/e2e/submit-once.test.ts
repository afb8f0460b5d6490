// Exactly one request per client intent, through the real app: an Idempotency-Key on a queued submit,
// and one place in line per user and coupon. Without a worker the lane only grows, so its depth
// shows what was queued; with one, repeats after the decision and after BullMQ removed the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_LANE, laneForCoupon, laneKeys } from '../support/lanes.js';
import { claimKeys } from '../../src/coupon/claim.keys.js';
import { adminHeaders, createTestContext, newUserId, postJson } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack } from '../support/processes.js';

interface Answer {
  status: number;
  replayed: boolean;
  body: { requestId?: string; sequence?: number | null; position?: number; status?: string; code?: string };
}

async function answer(res: Response): Promise<Answer> {
  return {
    status: res.status,
    replayed: res.headers.get('Idempotent-Replayed') === 'true',
    body: (await res.json()) as Answer['body'],
  };
}

async function setUp(withWorker: boolean) {
  const stack = await isolatedStack();
  const ctx = createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix });
  const post = async (path: string, body: unknown) =>
    (await ctx.app.request(path, { method: 'POST', headers: adminHeaders, body: JSON.stringify(body) })).json();
  const product = (await post('/admin/products', { name: 'once', price: 1_000, stock: 1_000 })) as { id: number };
  const coupon = (await post('/admin/coupons', {
    name: 'once',
    discountType: 'FIXED',
    discountValue: 100,
    totalQuantity: 1_000,
    validDays: 1,
  })) as { id: number };
  const worker = withWorker ? stack.worker() : undefined;
  if (worker) await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === ORDER_LANE.name);
  const depth = (lane: Parameters<typeof laneKeys>[1] = ORDER_LANE) =>
    ctx.redis.llen(laneKeys(stack.queuePrefix, lane).wait);
  const keyed = (key?: string): Record<string, string> => (key ? { 'Idempotency-Key': key } : {});
  const order = async (userId: number, key?: string, quantity = 1) =>
    answer(await postJson(ctx, '/orders', { userId, items: [{ productId: product.id, quantity }] }, keyed(key)));
  const claim = async (userId: number, key?: string) =>
    answer(await postJson(ctx, `/coupons/${coupon.id}/claims`, { userId }, keyed(key)));
  return {
    stack,
    ctx,
    depth,
    order,
    claim,
    couponId: coupon.id,
    async close() {
      await ctx.close();
      await stack.close();
    },
  };
}

const newKey = () => `once-${crypto.randomUUID()}`;

describe('one request per intent, lane not draining', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp(false);
  });
  afterAll(() => env.close());

  it('when a keyed order is sent twice with the same body, then both answers name one request and the lane grew by one', async () => {
    const before = await env.depth();
    const userId = newUserId();
    const key = newKey();
    const first = await env.order(userId, key);
    const again = await env.order(userId, key);
    expect(first).toMatchObject({ status: 202, replayed: false });
    expect(again).toMatchObject({ status: 202, replayed: true });
    expect(again.body.requestId).toBe(first.body.requestId);
    expect(again.body.sequence).toBe(first.body.sequence);
    expect((await env.depth()) - before).toBe(1);
  });

  it('when the same key comes with another body, then the answer is 422 IDEMPOTENCY_KEY_REUSED and nothing is queued', async () => {
    const userId = newUserId();
    const key = newKey();
    expect((await env.order(userId, key, 1)).status).toBe(202);
    const before = await env.depth();
    const res = await postJson(
      env.ctx,
      '/orders',
      { userId, items: [{ productId: 1, quantity: 2 }] },
      { 'Idempotency-Key': key },
    );
    await expectProblem(res, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await env.depth()).toBe(before);
  });

  it('when two users use the same key, then each gets its own order', async () => {
    const key = newKey();
    const [a, b] = await Promise.all([env.order(newUserId(), key), env.order(newUserId(), key)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.requestId).not.toBe(b.body.requestId);
  });

  it('when 20 orders with one key arrive at once, then all name one request and the lane grew by one', async () => {
    const before = await env.depth();
    const userId = newUserId();
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 20 }, () => env.order(userId, key)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    expect(new Set(answers.map((a) => a.body.requestId)).size).toBe(1);
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    expect((await env.depth()) - before).toBe(1);
  });

  it('when one user sends 30 claims for a coupon at once, then all share one requestId, sequence and position, and the lane grew by one', async () => {
    const lane = laneForCoupon(env.couponId, env.ctx.config.COUPON_LANES);
    const before = await env.depth(lane);
    const userId = newUserId();
    const answers = await Promise.all(Array.from({ length: 30 }, () => env.claim(userId)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const [first] = answers;
    for (const a of answers) {
      expect(a.body).toMatchObject({
        requestId: first?.body.requestId,
        sequence: first?.body.sequence,
        status: 'QUEUED',
      });
    }
    expect(new Set(answers.map((a) => a.body.position)).size).toBe(1);
    expect((await env.depth(lane)) - before).toBe(1);

    // The next user takes the next place.
    const next = await env.claim(newUserId());
    expect(next.body.position).toBe((first?.body.position ?? 0) + 1);
  });

  it('when a keyed claim is retried after its coupon sold out, then the retry names the same request', async () => {
    const userId = newUserId();
    const key = newKey();
    const first = await env.claim(userId, key);
    const lane = laneForCoupon(env.couponId, env.ctx.config.COUPON_LANES);
    // What the lane sets once the coupon's last unit is issued.
    const soldOut = claimKeys(laneKeys(env.stack.queuePrefix, lane)).soldOut(env.couponId);
    await env.ctx.redis.set(soldOut, '1');
    try {
      // An API reads its lanes' flags again once its view is a second old (src/request/lane-front.ts).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const again = await env.claim(userId, key);
      expect(again).toMatchObject({ status: 202, replayed: true, body: { requestId: first.body.requestId } });
      const other = await env.claim(newUserId(), newKey());
      expect(other).toMatchObject({ status: 200, body: { status: 'REJECTED' } });
    } finally {
      await env.ctx.redis.del(soldOut);
    }
  });
});

describe('one request per intent, lane draining', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp(true);
  });
  afterAll(() => env.close());

  const final = async (requestId: string) => {
    const res = await env.ctx.app.request(`/requests/${requestId}?waitMs=10000`);
    return (await res.json()) as { status: string; result?: { orderId?: number } };
  };

  it('when a keyed order is retried after it was decided and its job removed from Redis, then the retry names the same request and no second order exists', async () => {
    const userId = newUserId();
    const key = newKey();
    const first = await env.order(userId, key);
    expect(first.status).toBe(202);
    const decided = await final(first.body.requestId as string);
    expect(decided.status).toBe('SUCCEEDED');
    // BullMQ removes completed jobs after a while; remove them now.
    await env.ctx.queues.get(ORDER_LANE.name)?.clean(0, 10_000, 'completed');

    const again = await env.order(userId, key);
    expect(again).toMatchObject({ status: 200, replayed: true, body: { requestId: first.body.requestId } });
    const orders = await env.ctx.db.selectFrom('orders').select('id').where('user_id', '=', userId).execute();
    expect(orders).toEqual([{ id: decided.result?.orderId }]);
  });

  it("when a user's claim is decided, then a new claim by that user is a new request, decided as ALREADY_ISSUED", async () => {
    const userId = newUserId();
    const first = await env.claim(userId);
    expect((await final(first.body.requestId as string)).status).toBe('SUCCEEDED');
    const second = await env.claim(userId);
    expect(second.body.requestId).not.toBe(first.body.requestId);
    expect(second.replayed).toBe(false);
    expect(await final(second.body.requestId as string)).toMatchObject({ status: 'REJECTED' });
  });
});
