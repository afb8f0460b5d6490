// A lane type defined only in the tests (test/support/seat-lane) runs through the real API, lane
// consumer and polls like the built-in ones: a rush with the owner of its lane killed by SIGKILL
// midway, every request polled to its final state, and the fairness oracle over all of it. Users
// repeat themselves: a repeat while their hold waits returns that same hold (one place in line).
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb } from '../../src/db/database.js';
import { verifyClaims, type ClaimObservation } from '../../src/verify/claims.oracle.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { type ManagedProcess } from '../../rush/processes.js';
import { finalsOrLost } from '../../rush/poll.js';
import { killLaneOwnerAfterCommit, send, type Answer } from '../support/chaos.js';
import { pacedPool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';
import { createSeatTables, SEAT_LANE } from '../support/seat-lane/seat.lane.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const LEASE_MS = 2_000;
const SEATS = 60;

describe('a lane type defined only in the tests', () => {
  it('when a seat rush runs through the real API and workers and the lane owner is killed midway, then every request is polled to a final state and the fairness oracle passes', async () => {
    stack = await isolatedStack();
    const db = createDb(stack.databaseUrl);
    try {
      await createSeatTables(db);
      const eventId = Number(
        (await sql<{ id: number }>`INSERT INTO test_seat_events (seats) VALUES (${SEATS})`.execute(db)).insertId,
      );
      const env = { LANE_BATCH_SIZE: '40', LANE_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'debug' };
      const workers = [0, 1].map(() => stack!.worker(env, 'test/support/seat-lane/worker.ts'));
      const { url } = await stack.api({ RATE_LIMIT_USER_PER_SECOND: '0' }, { entry: 'test/support/seat-lane/api.ts' });
      await Promise.all(workers.map((w) => w.waitForLog(/worker started/, 30_000)));
      await sleep(2 * LEASE_MS);

      const users = Array.from({ length: 800 }, (_, i) => 700_000 + (i % 300));
      let killed: Promise<{ owner: ManagedProcess | undefined; killedAt: number }> | undefined;
      const answers: Answer<number>[] = await pacedPool(users, { concurrency: 40, perSecond: 250 }, (userId, i) => {
        if (i === 300) killed = killLaneOwnerAfterCommit(workers, stack?.queuePrefix ?? '', SEAT_LANE);
        return send(url, 'POST', `/events/${eventId}/holds`, { userId }, userId, i);
      });
      const { owner, killedAt } = (await killed)!;
      expect(owner).toBeDefined();
      const standby = workers.find((w) => w !== owner)!;
      await standby.waitForLog(/lane acquired/, 30_000, (l) => l.lane === SEAT_LANE.name && Number(l.time) >= killedAt);

      // 200: a repeat whose hold was decided just then (its place in line not yet let go).
      const refused = answers.filter((a) => a.status !== 202 && !(a.status === 200 && a.replayed));
      expect(refused.map((a) => [a.status, a.body?.code])).toEqual([]);
      const byId = new Map(answers.map((a) => [a.body?.requestId as string, a.item]));
      const accepted = [...byId].map(([requestId, userId]) => ({ requestId, userId }));
      const finals = await finalsOrLost(
        url,
        accepted.map((a) => a.requestId),
      );
      const claims: ClaimObservation[] = accepted.map(({ requestId, userId }) => {
        const r = finals.get(requestId);
        if (!r || r === 'LOST') return { requestId, couponId: eventId, userId, status: 'LOST', sequence: null };
        // The generated client types know the registry's lane types only; this one is the tests' own.
        expect(r.type as string).toBe('SEAT_HOLD');
        const code: string | undefined = r.error?.code;
        // The oracle's word for "this user already holds one" is the coupon's; the rule is the same.
        const errorCode = code === 'ALREADY_HELD' ? 'ALREADY_ISSUED' : code;
        return { requestId, couponId: eventId, userId, status: r.status, sequence: r.sequence, errorCode };
      });
      const event = await sql<{ held: number }>`SELECT held FROM test_seat_events WHERE id = ${eventId}`.execute(db);
      const holders = await sql<{ user_id: number }>`
        SELECT user_id FROM test_seat_holds WHERE event_id = ${eventId}`.execute(db);
      const report = verifyClaims(claims, [
        {
          couponId: eventId,
          totalQuantity: SEATS,
          issuedQuantity: Number(event.rows[0]?.held),
          holders: holders.rows.map((h) => Number(h.user_id)),
        },
      ]);
      expect(report.violations).toEqual([]);
      expect(report.perCoupon[0]?.succeeded).toBe(SEATS);
      expect(report.perCoupon[0]?.codes.ALREADY_ISSUED ?? 0).toBeGreaterThan(0);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
