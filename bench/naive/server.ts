// Comparison design (b), the common synchronous one: every claim or order is one row-locked
// transaction inside the HTTP handler (pool of 20), and the answer is the final result. It numbers
// requests as they arrive so the bench can check whether arrival order survived; nothing in the
// design promises that it does.
//   DATABASE_URL=… PORT=… tsx bench/naive/server.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { claimCoupon, createSqlPool, placeOrder, type Outcome } from '../lib/transactions.js';

const databaseUrl = process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/coupon_engine';
const port = Number(process.env.PORT ?? 3100);
const poolSize = Number(process.env.POOL_SIZE ?? 20);
const pool = createSqlPool(databaseUrl, poolSize);

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
let claimArrivals = 0;
let orderArrivals = 0;

function answer(type: string, prefix: string, sequence: number, acceptedAt: Date, outcome: Outcome) {
  return {
    requestId: `${prefix}-${sequence}`,
    type,
    sequence,
    ...outcome,
    acceptedAt: acceptedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

const problem = (status: number, code: string, detail: string) => ({
  type: 'about:blank',
  title: code,
  status,
  code,
  detail,
});

const app = new Hono()
  .get('/healthz', (c) => c.json({ status: 'ok' }))
  .post('/coupons/:couponId/claims', async (c) => {
    const sequence = ++claimArrivals;
    const acceptedAt = new Date();
    const couponId = Number(c.req.param('couponId'));
    const body = (await c.req.json().catch(() => null)) as { userId?: unknown } | null;
    if (!isId(couponId) || !isId(body?.userId)) return c.json(problem(400, 'VALIDATION_FAILED', 'bad ids'), 400);
    const outcome = await claimCoupon(pool, couponId, body.userId, `n-${sequence}`);
    return c.json(answer('COUPON_CLAIM', 'n', sequence, acceptedAt, outcome), 200);
  })
  .post('/orders', async (c) => {
    const sequence = ++orderArrivals;
    const acceptedAt = new Date();
    const body = (await c.req.json().catch(() => null)) as {
      userId?: unknown;
      items?: { productId?: unknown; quantity?: unknown }[];
    } | null;
    const items = Array.isArray(body?.items) ? body.items : [];
    if (
      !isId(body?.userId) ||
      items.length === 0 ||
      !items.every((i) => isId(i.productId) && isId(i.quantity) && i.quantity <= 1000)
    ) {
      return c.json(problem(400, 'VALIDATION_FAILED', 'bad order'), 400);
    }
    const outcome = await placeOrder(
      pool,
      body.userId,
      items.map((i) => ({ productId: i.productId as number, quantity: i.quantity as number })),
      `no-${sequence}`,
      600_000,
    );
    return c.json(answer('ORDER', 'no', sequence, acceptedAt, outcome), 200);
  });
app.onError((err, c) => c.json(problem(500, 'INTERNAL', err.message), 500));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`naive listening on ${info.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
