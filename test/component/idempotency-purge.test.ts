// Idempotency-Key records older than their 24 hours are deleted in small batches, and a worker's
// periodic purge does it without being asked; records still within their day stay. Request outcomes
// are kept unless a retention is configured, and then only those older than it go.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  purgeExpiredIdempotencyKeys,
  purgeOldOutcomes,
  startIdempotencyPurge,
} from '../../src/http/idempotency-purge.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

const HOUR = 3600_000;

/** Records of a scope of this test's own: `old` of them 25 hours old, `fresh` of them one hour old. */
async function records(old: number, fresh: number): Promise<string> {
  const scope = `purge-test ${randomBytes(4).toString('hex')}`;
  const row = (i: number, ageMs: number) => ({
    scope,
    idem_key: `k${i}`,
    request_hash: '0'.repeat(64),
    state: 'DONE' as const,
    response_status: 200,
    response_body: '{}',
    created_at: new Date(Date.now() - ageMs),
  });
  await ctx.db
    .insertInto('idempotency_keys')
    .values([
      ...Array.from({ length: old }, (_, i) => row(i, 25 * HOUR)),
      ...Array.from({ length: fresh }, (_, i) => row(old + i, HOUR)),
    ])
    .execute();
  return scope;
}

const left = async (scope: string) =>
  (await ctx.db.selectFrom('idempotency_keys').select('idem_key').where('scope', '=', scope).execute()).length;

describe('idempotency record purge', () => {
  it('when records are past their 24 hours, then a purge deletes at most a batch of them per call and never a fresh one', async () => {
    const scope = await records(5, 3);
    const batches: number[] = [];
    for (let n = -1; n !== 0;) batches.push((n = await purgeExpiredIdempotencyKeys(ctx.db, 2)));
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect(await left(scope)).toBe(3);
  });

  it('when a worker runs the periodic purge, then expired records disappear on their own and fresh ones stay', async () => {
    const scope = await records(7, 2);
    const purge = startIdempotencyPurge({ db: ctx.db, intervalMs: 100, batchSize: 3, logger: ctx.logger });
    try {
      const deadline = Date.now() + 20_000;
      while ((await left(scope)) > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await purge.stop();
    }
    expect(await left(scope)).toBe(2);
  });

  it('when a record is older than a shorter IDEMPOTENCY_TTL_S, then it is purged, and one within it stays', async () => {
    const scope = await records(4, 0);
    expect(await purgeExpiredIdempotencyKeys(ctx.db, 500, 2 * 86_400)).toBe(0);
    expect(await left(scope)).toBe(4);
    while ((await purgeExpiredIdempotencyKeys(ctx.db, 500, 3_600)) > 0);
    expect(await left(scope)).toBe(0);
  });
});

describe('request outcome retention', () => {
  const DAY = 86_400;
  async function outcomes(ageS: number, n: number): Promise<string> {
    const tag = `ret-${randomBytes(4).toString('hex')}`;
    const at = new Date(Date.now() - ageS * 1000);
    await ctx.db
      .insertInto('request_outcomes')
      .values(
        Array.from({ length: n }, (_, i) => ({
          request_id: `${tag}-${i}`,
          type: 'ORDER',
          lane: 'orders',
          sequence: null,
          status: 'REJECTED' as const,
          result: null,
          error_code: 'INSUFFICIENT_STOCK',
          error_message: null,
          accepted_at: at,
          finished_at: at,
        })),
      )
      .execute();
    return tag;
  }
  const kept = async (tag: string) =>
    (await ctx.db.selectFrom('request_outcomes').select('request_id').where('request_id', 'like', `${tag}-%`).execute())
      .length;

  it('when outcome retention is not set, then the periodic purge keeps outcomes however old', async () => {
    const ancient = await outcomes(400 * DAY, 5);
    const purge = startIdempotencyPurge({ db: ctx.db, intervalMs: 100, logger: ctx.logger });
    await new Promise((r) => setTimeout(r, 500));
    await purge.stop();
    expect(await kept(ancient)).toBe(5);
  });

  it('when outcome retention is set, then outcomes finished before it are deleted in batches and later ones stay', async () => {
    const stale = await outcomes(10 * DAY, 7);
    const fresh = await outcomes(60, 3);
    const batches: number[] = [];
    for (let n = -1; n !== 0;) batches.push((n = await purgeOldOutcomes(ctx.db, 2, 7 * DAY)));
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect([await kept(stale), await kept(fresh)]).toEqual([0, 3]);
  });

  it('when the retention purge looks for old outcomes, then an index on finished_at is there to find them', async () => {
    const index = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = 'request_outcomes'
        AND index_name = 'request_outcomes_finished_at'`.execute(ctx.db);
    expect(index.rows.map((r) => r.column_name)).toEqual(['finished_at']);
  });
});
