// Comparison design (c), worker half: one BullMQ Worker, concurrency 1, one transaction per job (the
// claim and its outcome row together). Concurrency 1 on one queue keeps arrival order; each job pays
// BullMQ's fetch and completion round trips plus the transaction's.
//   DATABASE_URL=… REDIS_URL=… QUEUE_PREFIX=… tsx bench/plain-worker/worker.ts
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { claimCoupon, createSqlPool } from '../lib/transactions.js';
import { PLAIN_QUEUE, type PlainClaim } from './queue.js';

const pool = createSqlPool(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/coupon_engine', 2);
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker<PlainClaim>(
  PLAIN_QUEUE,
  async (job) => {
    const sequence = Number(job.id);
    const requestId = `p-${sequence}`;
    return claimCoupon(pool, job.data.couponId, job.data.userId, requestId, {
      requestId,
      lane: 'plain',
      sequence,
      acceptedAt: new Date(job.data.acceptedAt),
    });
  },
  {
    connection,
    prefix: process.env.QUEUE_PREFIX ?? 'plain',
    concurrency: 1,
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  },
);
worker.on('failed', (job, err) => console.error(`job ${job?.id} failed: ${err.message}`));
void worker.waitUntilReady().then(() => console.log('plain worker ready'));
process.on('SIGTERM', () => {
  void worker.close().then(async () => {
    await pool.end();
    connection.disconnect();
    process.exit(0);
  });
});
