// Comparison design (c), API half: validates a claim, adds it to one BullMQ queue and answers 202;
// the outcome is read from request_outcomes. The job id (BullMQ's counter) is the arrival sequence.
//   DATABASE_URL=… REDIS_URL=… QUEUE_PREFIX=… PORT=… tsx bench/plain-worker/api.ts
import { serve } from '@hono/node-server';
import { Queue } from 'bullmq';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2/promise';
import { createSqlPool } from '../lib/transactions.js';
import { PLAIN_QUEUE } from './queue.js';

/** The columns of request_outcomes this peer reads back (mysql2 returns them untyped). */
interface OutcomeRow {
  request_id: string;
  type: string;
  status: string;
  sequence: number;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  accepted_at: Date;
  finished_at: Date;
}

const port = Number(process.env.PORT ?? 3200);
const pool = createSqlPool(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/coupon_engine', 10);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const queue = new Queue(PLAIN_QUEUE, {
  connection: redis,
  prefix: process.env.QUEUE_PREFIX ?? 'plain',
  defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
});
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

const app = new Hono()
  .get('/healthz', (c) => c.json({ status: 'ok' }))
  .post('/coupons/:couponId/claims', async (c) => {
    const couponId = Number(c.req.param('couponId'));
    const body = (await c.req.json().catch(() => null)) as { userId?: unknown } | null;
    if (!isId(couponId) || !isId(body?.userId)) return c.json({ status: 400, code: 'VALIDATION_FAILED' }, 400);
    const acceptedAt = Date.now();
    const job = await queue.add('claim', { couponId, userId: body.userId, acceptedAt });
    const sequence = Number(job.id);
    c.header('Location', `/requests/p-${sequence}`);
    return c.json(
      {
        requestId: `p-${sequence}`,
        type: 'COUPON_CLAIM',
        status: 'QUEUED',
        sequence,
        acceptedAt: new Date(acceptedAt).toISOString(),
        finishedAt: null,
      },
      202,
    );
  })
  .get('/requests/:id', async (c) => {
    const [rows] = await pool.execute<(RowDataPacket & OutcomeRow)[]>(
      'SELECT * FROM request_outcomes WHERE request_id = ?',
      [c.req.param('id')],
    );
    const o = rows[0];
    if (!o) return c.json({ requestId: c.req.param('id'), status: 'QUEUED' }, 200);
    return c.json(
      {
        requestId: o.request_id,
        type: o.type,
        status: o.status,
        sequence: Number(o.sequence),
        ...(o.result ? { result: JSON.parse(o.result) as unknown } : {}),
        ...(o.error_code ? { error: { code: o.error_code, message: o.error_message } } : {}),
        acceptedAt: new Date(o.accepted_at).toISOString(),
        finishedAt: new Date(o.finished_at).toISOString(),
      },
      200,
    );
  });
app.onError((err, c) => c.json({ status: 500, code: 'INTERNAL', detail: err.message }, 500));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`plain api listening on ${info.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void Promise.all([queue.close(), pool.end()]).then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
