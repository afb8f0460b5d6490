// Idempotency-Key records answer a repeated POST for 24 hours; after that they are only weight.
// Every worker process deletes the expired ones periodically, a small batch per statement so that
// no delete holds many row locks or runs long beside the API's inserts.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';

/** Deletes up to `batchSize` records older than 24 hours, oldest first; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Db, batchSize: number): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`NOW(3) - INTERVAL 1 DAY`)
    .orderBy('created_at')
    .limit(batchSize)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Every `intervalMs`, deletes expired records batch by batch until a batch comes back short. */
export function startIdempotencyPurge(deps: { db: Db; intervalMs: number; logger: Logger; batchSize?: number }) {
  const batchSize = deps.batchSize ?? 500;
  const log = deps.logger.child({ component: 'idempotency-purge' });
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  async function round(): Promise<void> {
    let total = 0;
    for (;;) {
      const n = await purgeExpiredIdempotencyKeys(deps.db, batchSize);
      total += n;
      if (n < batchSize || stopped) break;
    }
    if (total > 0) log.info({ deleted: total }, 'expired idempotency records deleted');
  }
  const timer = setInterval(() => {
    running = running
      .then(round)
      .catch((err: Error) => log.warn({ err: err.message }, 'idempotency purge failed; next round retries'));
  }, deps.intervalMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
