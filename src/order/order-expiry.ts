// Orders left unpaid expire without any outside request: each order batch schedules one delayed
// job at its payment deadline, and every worker process also sweeps periodically for what a
// delayed job missed (no worker running at that moment, Redis lost the job).
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { expireDueOrders } from './order.service.js';
import { StockGate } from './stock-gate.js';

export const EXPIRY_QUEUE = 'order-expiry';

export function expiryPrefix(queuePrefix: string): string {
  return `${queuePrefix}:{${EXPIRY_QUEUE}}`;
}

export function createExpiryQueue(queuePrefix: string, connection: ConnectionOptions): Queue {
  return new Queue(EXPIRY_QUEUE, {
    connection,
    prefix: expiryPrefix(queuePrefix),
    defaultJobOptions: {
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 86400 },
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    },
  });
}

/** One delayed job per deadline second: orders decided in the same second share it. */
export function expiryScheduler(queue: Queue) {
  return async (at: Date) => {
    const second = Math.ceil(at.getTime() / 1000);
    await queue.add(
      `expire orders due by ${new Date(second * 1000).toISOString()}`,
      { dueAt: second * 1000 },
      { jobId: `due-${second}`, delay: Math.max(0, second * 1000 - Date.now()) },
    );
  };
}

export function startExpiry(deps: {
  db: Db;
  queuePrefix: string;
  connection: ConnectionOptions;
  /** Where the order lane's out-of-stock flags live: an expired order's stock drops them. */
  redis: RedisClient;
  sweepIntervalMs: number;
  logger: Logger;
}) {
  const log = deps.logger.child({ component: 'order-expiry' });
  const gate = new StockGate(deps.redis, deps.queuePrefix);
  const expire = () => expireDueOrders(deps.db, new Date(), undefined, gate);
  const worker = new Worker(
    EXPIRY_QUEUE,
    async () => {
      const expired = await expire();
      if (expired > 0) log.info({ expired, by: 'delayed job' }, 'orders expired');
      return { expired };
    },
    { connection: deps.connection, prefix: expiryPrefix(deps.queuePrefix), concurrency: 1 },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'expiry worker error'));
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    expire()
      .then((expired) => {
        if (expired > 0) log.info({ expired, by: 'sweep' }, 'orders expired');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'expiry sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, deps.sweepIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
