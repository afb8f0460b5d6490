// Idempotency-Key records older than their 24 hours are deleted in small batches, and a worker's
// periodic purge does it without being asked; records still within their day stay.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredIdempotencyKeys, startIdempotencyPurge } from '../../src/http/idempotency-purge.js';
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
});
