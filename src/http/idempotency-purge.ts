// Idempotency-Key records answer a repeated POST for IDEMPOTENCY_TTL_S (24 hours); after that they
// are only weight. Every worker process deletes the expired ones periodically, and request outcomes
// older than REQUEST_OUTCOME_RETENTION_S when that is set (by default they are kept), a small batch
// per statement so that no delete holds many row locks or runs long beside the API's inserts.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';

/** Deletes up to `batchSize` records older than `ttlS` seconds, oldest first; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Db, batchSize: number, ttlS = 86_400): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`NOW(3) - INTERVAL ${ttlS} SECOND`)
    .orderBy('created_at')
    .limit(batchSize)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes up to `batchSize` request outcomes finished more than `retentionS` seconds ago; their ids then answer 404. */
export async function purgeOldOutcomes(db: Db, batchSize: number, retentionS: number): Promise<number> {
  const result = await db
    .deleteFrom('request_outcomes')
    .where('finished_at', '<', sql<Date>`NOW(3) - INTERVAL ${retentionS} SECOND`)
    .orderBy('finished_at')
    .limit(batchSize)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Every `intervalMs`, deletes expired records batch by batch until a batch comes back short. */
export function startIdempotencyPurge(deps: {
  db: Db;
  intervalMs: number;
  logger: Logger;
  batchSize?: number;
  ttlS?: number;
  /** 0 or unset: outcomes are kept. */
  outcomeRetentionS?: number;
}) {
  const batchSize = deps.batchSize ?? 500;
  const log = deps.logger.child({ component: 'idempotency-purge' });
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  async function drain(purge: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await purge();
      total += n;
      if (n < batchSize || stopped) return total;
    }
  }
  async function round(): Promise<void> {
    const total = await drain(() => purgeExpiredIdempotencyKeys(deps.db, batchSize, deps.ttlS));
    if (total > 0) log.info({ deleted: total }, 'expired idempotency records deleted');
    const retention = deps.outcomeRetentionS ?? 0;
    const outcomes = retention > 0 ? await drain(() => purgeOldOutcomes(deps.db, batchSize, retention)) : 0;
    if (outcomes > 0) log.info({ deleted: outcomes }, 'request outcomes past their retention deleted');
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
