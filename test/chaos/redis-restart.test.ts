// Redis killed with SIGKILL in the middle of a coupon rush and started again on the same port and data
// directory (AOF reload). The API and the worker use a redis-server of the test's own. While Redis is
// down, submits answer problem+json 503 at once and no process dies; after the restart:
// - appendfsync always (and everysec, since a killed process loses nothing the kernel already has):
//   every request answered 202 reaches a final state and the oracle passes;
// - everysec after a machine crash, emulated by cutting the AOF back to its size one second before
//   the kill (what everysec may not have fsynced yet): the accepted requests that are gone are counted.
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { claimLane } from '../support/lanes.js';
import { createDb } from '../../src/db/database.js';
import { adminCreateCoupon, makePlan, type ClaimPlanItem } from '../../rush/claims.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { RedisServer, type AppendFsync } from '../support/redis-server.js';
import { verifyCouponLane, laneDecisions, percentile, send, type Answer } from '../support/chaos.js';
import { finalsOrLost } from '../../rush/poll.js';
import { pacedPool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';

let stack: Stack | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  await stack?.close();
  await redis?.close();
  stack = undefined;
  redis = undefined;
});

const DOWN_MS = 4_000;
// Larger than the users accepted before the kill, so the lane still decides claims after the restart.
const TOTAL = 1_000;

interface CrashOptions {
  appendfsync: AppendFsync;
  /** Emulates a machine crash: the AOF loses the writes of the last `unsyncedMs` before the kill. */
  unsyncedMs?: number;
  /** Stops the worker (SIGSTOP) this long before the kill, until Redis is back: a lane behind its intake. */
  pauseLaneMs?: number;
}

/** A paced rush of 2,000 claims over ~10 s; Redis is killed 3 s in and restarted DOWN_MS later. */
async function rushThroughRedisCrash({ appendfsync, unsyncedMs, pauseLaneMs }: CrashOptions) {
  const server = await RedisServer.create(appendfsync);
  redis = server;
  stack = await isolatedStack();
  const env = { REDIS_URL: server.url };
  const { url, proc: api } = await stack.api(env);
  const worker = stack.worker({ ...env, LANE_BATCH_SIZE: '100' });
  const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, {
    name: `redis crash ${appendfsync}`,
    discountType: 'FIXED',
    discountValue: 500,
    totalQuantity: TOTAL,
    validDays: 7,
  });
  const lane = claimLane(id % 4);
  await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === lane.name);
  const plan = makePlan([id], 1_500, 2_000, 800_000);

  const aofSizes: { at: number; size: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      if (server.running) aofSizes.push({ at: Date.now(), size: await server.aofSize() });
      await sleep(50);
    }
  })();
  const fault = (async () => {
    await sleep(3_000 - (pauseLaneMs ?? 0));
    if (pauseLaneMs) worker.child.kill('SIGSTOP');
    await sleep(pauseLaneMs ?? 0);
    await server.kill();
    const killedAt = Date.now();
    let keptUntil = killedAt;
    if (unsyncedMs !== undefined) {
      const kept = aofSizes.filter((s) => s.at <= killedAt - unsyncedMs).at(-1);
      if (!kept) throw new Error('no AOF size sampled early enough');
      await server.truncateAof(kept.size);
      keptUntil = kept.at;
    }
    await sleep(DOWN_MS / 2);
    const readyRes = await fetch(`${url}/readyz`);
    const ready = { status: readyRes.status, body: (await readyRes.json()) as Record<string, unknown> };
    await sleep(killedAt + DOWN_MS - Date.now());
    await server.start();
    if (pauseLaneMs) worker.child.kill('SIGCONT');
    return { killedAt, keptUntil, restartedAt: Date.now(), ready };
  })();
  const answers: Answer<ClaimPlanItem>[] = await pacedPool(plan, { concurrency: 50, perSecond: 200 }, (item, i) =>
    send(url, 'POST', `/coupons/${id}/claims`, { userId: item.userId }, item, i),
  );
  const { killedAt, keptUntil, restartedAt, ready } = await fault;
  sampling = false;
  await sampler;

  // While Redis is down: problem+json 503 at once, readiness names Redis, nobody crashes.
  const whileDown = answers.filter((a) => a.sentAt >= killedAt && a.sentAt + a.ms <= restartedAt);
  expect(whileDown.length).toBeGreaterThan(50);
  expect(
    whileDown.filter((a) => a.status !== 503 || a.contentType !== 'application/problem+json' || a.ms >= 2_000),
  ).toEqual([]);
  expect(whileDown.every((a) => a.body?.code === 'SERVICE_UNAVAILABLE')).toBe(true);
  expect(ready).toMatchObject({ status: 503, body: { code: 'NOT_READY', redis: 'down', mysql: 'up' } });
  expect(answers.filter((a) => ![200, 202, 503].includes(a.status ?? 0)).map((a) => [a.status, a.body])).toEqual([]);
  expect(server.startLog).toMatch(/DB loaded from (append only|incr) file/);
  // Serving again once Redis is back: the API takes submits, the worker takes its lane again.
  const servedAgain = answers.find((a) => a.sentAt >= restartedAt && (a.status === 202 || a.status === 200));
  expect(servedAgain).toBeDefined();
  const reacquired = await worker.waitForLog(
    /lane acquired/,
    30_000,
    (l) => l.lane === lane.name && Number(l.time) >= killedAt,
  );

  const accepted = answers.filter((a) => a.status === 202);
  const states = await finalsOrLost(
    url,
    accepted.map((a) => a.body?.requestId as string),
  );
  const lost = accepted.filter((a) => states.get(a.body?.requestId as string) === 'LOST');
  const notFinal = accepted.filter((a) => {
    const s = states.get(a.body?.requestId as string);
    return s !== 'LOST' && (s === undefined || !['SUCCEEDED', 'REJECTED'].includes(s.status));
  });
  expect(notFinal.map((a) => [a.body?.requestId, states.get(a.body?.requestId as string)])).toEqual([]);
  expect(api.child.exitCode).toBeNull();
  expect(worker.child.exitCode).toBeNull();

  const downLatencies = whileDown.map((a) => a.ms).sort((a, b) => a - b);
  return {
    url,
    couponId: id,
    lane,
    plan,
    answers,
    accepted,
    lost,
    killedAt,
    keptUntil,
    restartedAt,
    summary:
      `${whileDown.length} submits while Redis was down answered 503 problem+json in p50 ` +
      `${percentile(downLatencies, 50).toFixed(1)} ms, max ${percentile(downLatencies, 100).toFixed(1)} ms; ` +
      `${accepted.length} accepted (202) in all; after the restart the API took submits again after ` +
      `${Number(servedAgain?.sentAt) - restartedAt} ms and the worker took its lane again after ${Number(reacquired.time) - restartedAt} ms`,
  };
}

/** Everything the lane decided (with requests whose answer never came) through the fairness oracle. */
async function oracleOverLane(run: Awaited<ReturnType<typeof rushThroughRedisCrash>>) {
  const s = stack as Stack;
  const decisions = await laneDecisions(s.databaseUrl, redis?.url ?? '', s.queuePrefix, run.lane);
  const acceptedIds = new Set(run.accepted.map((a) => a.body?.requestId as string));
  const decidedIds = new Set(decisions.map((d) => d.requestId));
  expect([...acceptedIds].filter((id) => !decidedIds.has(id))).toEqual([]);
  // A submit in flight when Redis died may have been queued although its answer was a 503.
  const hidden = decisions.filter((d) => !acceptedIds.has(d.requestId));
  const refused = run.answers.filter((a) => a.status === 503).length;
  expect(hidden.length).toBeLessThanOrEqual(refused);
  expect(decisions.filter((d) => d.data === undefined).map((d) => d.requestId)).toEqual([]);
  const report = await verifyCouponLane(run.url, run.couponId, run.plan, run.answers, decisions);
  expect(report.violations).toEqual([]);
  return { hidden: hidden.length, succeeded: report.perCoupon[0]?.succeeded ?? 0 };
}

describe('Redis restart', () => {
  for (const appendfsync of ['always', 'everysec'] as const) {
    it(`when Redis (appendfsync ${appendfsync}) is killed mid-rush and restarted from its AOF, then submits answered 503 while it was down and every request answered 202 reaches a final state`, async () => {
      const run = await rushThroughRedisCrash({ appendfsync });
      expect(run.lost.map((a) => a.body?.requestId)).toEqual([]);
      const { hidden, succeeded } = await oracleOverLane(run);
      console.log(
        `Redis SIGKILL (appendfsync ${appendfsync}), down ${run.restartedAt - run.killedAt} ms: ${run.summary}; ` +
          `lost 0; ${hidden} queued although answered 503; oracle passed (${succeeded} issued)`,
      );
    });
  }

  for (const lagging of [false, true]) {
    it(`when the last second of an everysec AOF never reached the disk (machine crash)${lagging ? ' while the lane lags behind' : ''}, then only requests accepted in that second and not yet decided are lost, each answers 404, and the rest is consistent`, async () => {
      const run = await rushThroughRedisCrash({
        appendfsync: 'everysec',
        unsyncedMs: 1_000,
        ...(lagging ? { pauseLaneMs: 1_500 } : {}),
      });
      // Only a request answered after the last write that reached the disk can be gone.
      const answeredAt = (a: Answer<ClaimPlanItem>) => a.sentAt + a.ms;
      expect(run.lost.filter((a) => answeredAt(a) < run.keptUntil - 50).map((a) => a.body?.requestId)).toEqual([]);
      const inWindow = run.accepted.filter((a) => answeredAt(a) >= run.keptUntil && a.sentAt <= run.killedAt);
      // With the lane stopped, nothing of that second was decided: whatever the AOF lost is lost.
      if (lagging) expect(run.lost.length).toBeGreaterThan(0);

      // What the database holds stays consistent: no coupon over-issued, one per user, one row per success.
      const db = createDb((stack as Stack).databaseUrl, { connectionLimit: 1 });
      try {
        const coupon = await db
          .selectFrom('coupons')
          .select(['issued_quantity', 'total_quantity'])
          .where('id', '=', run.couponId)
          .executeTakeFirstOrThrow();
        const rows = await db
          .selectFrom('user_coupons')
          .select([sql<number>`COUNT(*)`.as('n'), sql<number>`COUNT(DISTINCT user_id)`.as('users')])
          .where('coupon_id', '=', run.couponId)
          .executeTakeFirstOrThrow();
        const succeeded = await db
          .selectFrom('request_outcomes')
          .select(sql<number>`COUNT(*)`.as('n'))
          .where('lane', '=', run.lane.name)
          .where('status', '=', 'SUCCEEDED')
          .executeTakeFirstOrThrow();
        expect(coupon.issued_quantity).toBeLessThanOrEqual(coupon.total_quantity);
        expect(Number(rows.n)).toBe(coupon.issued_quantity);
        expect(Number(rows.users)).toBe(coupon.issued_quantity);
        expect(Number(succeeded.n)).toBe(coupon.issued_quantity);
      } finally {
        await db.destroy();
      }
      console.log(
        `Redis machine-crash emulation (everysec, AOF cut back to ${run.killedAt - run.keptUntil} ms before the kill` +
          `${lagging ? ', lane stopped 1.5 s before' : ''}): ` +
          `${run.summary}; ${inWindow.length} accepted inside that window, ${run.lost.length} of them lost (404), ` +
          `the others decided before the crash or still in the AOF`,
      );
    });
  }
});
