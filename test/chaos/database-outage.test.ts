// MariaDB unreachable for 10 s in the middle of a coupon rush. The API and the worker reach it through
// a TCP proxy the test cuts (the machine's MariaDB is never touched). Submits only need Redis, so they
// go on being accepted; the lane holds its batch at the head and decides nothing until the database is
// back, then resumes in order; the oracle passes over everything the lane decided and nothing is lost.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { claimLane } from '../support/lanes.js';
import { adminCreateCoupon, makePlan, rushCoupon, type ClaimPlanItem } from '../../rush/claims.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { verifyCouponLane, laneDecided, laneDecisions, percentile, send, type Answer } from '../support/chaos.js';
import { finalsOrLost } from '../../rush/poll.js';
import { pacedPool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';

let stack: Stack | undefined;
let proxy: TcpProxy | undefined;
let redis: Redis | undefined;
afterEach(async () => {
  redis?.disconnect();
  await proxy?.close();
  await stack?.close();
  redis = undefined;
  proxy = undefined;
  stack = undefined;
});

const OUTAGE_MS = 10_000;

describe('database outage', () => {
  it('when MariaDB is unreachable for 10 s mid-rush, then submits are still accepted, /readyz names mysql, the lane waits without reordering, resumes within seconds after and loses nothing', async () => {
    stack = await isolatedStack();
    const dbUrl = new URL(stack.databaseUrl);
    proxy = new TcpProxy(dbUrl.hostname, Number(dbUrl.port || 3306));
    dbUrl.host = `127.0.0.1:${await proxy.start()}`;
    const viaProxy = { DATABASE_URL: dbUrl.toString() };
    const { url, proc: api } = await stack.api(viaProxy);
    const worker = stack.worker({ ...viaProxy, LANE_BATCH_SIZE: '100' });
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(1_000));
    const lane = claimLane(id % 4);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === lane.name);
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    const decided = () => laneDecided(redis as Redis, stack?.queuePrefix ?? '', lane);
    // 2,400 claims at 160/s: 2 s before the cut, 10 s of outage, 3 s after it.
    const plan = makePlan([id], 1_500, 2_400, 500_000);

    const fault = (async () => {
      await sleep(2_000);
      proxy?.cut();
      const cutAt = Date.now();
      await sleep(1_500);
      const frozenAt = await decided();
      const readyRes = await fetch(`${url}/readyz`);
      const ready = { status: readyRes.status, body: (await readyRes.json()) as Record<string, unknown> };
      await sleep(cutAt + OUTAGE_MS - 200 - Date.now());
      const frozenUntil = await decided();
      await sleep(cutAt + OUTAGE_MS - Date.now());
      proxy?.restore();
      const restoredAt = Date.now();
      let resumedAt = 0;
      while (!resumedAt && Date.now() - restoredAt < 30_000) {
        if ((await decided()) > frozenUntil) resumedAt = Date.now();
        else await sleep(50);
      }
      return { cutAt, restoredAt, resumedAt, frozenAt, frozenUntil, ready };
    })();
    const answers: Answer<ClaimPlanItem>[] = await pacedPool(plan, { concurrency: 50, perSecond: 160 }, (item, i) =>
      send(url, 'POST', `/coupons/${id}/claims`, { userId: item.userId }, item, i),
    );
    const { cutAt, restoredAt, resumedAt, frozenAt, frozenUntil, ready } = await fault;
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body?.requestId as string);
    const lastSequence = Math.max(...answers.map((a) => Number(a.body?.sequence ?? 0)));
    let drainedAt = 0;
    while (!drainedAt && Date.now() - restoredAt < 60_000) {
      if ((await decided()) >= lastSequence) drainedAt = Date.now();
      else await sleep(50);
    }

    // During the outage: submits accepted as usual, readiness names MySQL, the lane decides nothing.
    const duringOutage = answers.filter((a) => a.sentAt >= cutAt && a.sentAt + a.ms <= restoredAt);
    expect(duringOutage.length).toBeGreaterThan(300);
    expect(duringOutage.filter((a) => a.status !== 202).map((a) => [a.status, a.body?.code])).toEqual([]);
    expect(ready).toMatchObject({
      status: 503,
      body: { code: 'NOT_READY', mysql: 'down', redis: 'up', detail: expect.stringContaining('mysql') },
    });
    expect(frozenUntil).toBe(frozenAt);
    expect(worker.lines.some((l) => /retrying the same batch/.test(String(l.msg)))).toBe(true);
    // A connection lost mid-transaction is the database being away, not a request to isolate and fail.
    expect(worker.lines.filter((l) => /isolating|marking it FAILED/.test(String(l.msg)))).toEqual([]);

    // After it: the lane resumes within seconds, every accepted claim is final, nothing is lost.
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt - restoredAt).toBeLessThan(10_000);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 200).map((a) => [a.status, a.body])).toEqual([]);
    const states = await finalsOrLost(url, accepted);
    expect([...states.values()].filter((s) => s === 'LOST' || s.status === 'FAILED')).toEqual([]);
    const decisions = await laneDecisions(stack.databaseUrl, inject('redisUrl'), stack.queuePrefix, lane);
    // A repeated claim of a user still in line gets the same request back, so ids repeat in `accepted`;
    // each distinct one is decided exactly once.
    expect(decisions.map((d) => d.requestId).sort()).toEqual([...new Set(accepted)].sort());
    const report = await verifyCouponLane(url, id, plan, answers, decisions);
    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(1_000);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();

    const latencies = duringOutage.map((a) => a.ms).sort((a, b) => a - b);
    console.log(
      `database outage ${restoredAt - cutAt} ms: ${duringOutage.length} submits accepted during it (202, p50 ` +
        `${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms); lane frozen at ` +
        `sequence ${frozenAt}; first decision ${resumedAt - restoredAt} ms after restore, backlog up to sequence ` +
        `${lastSequence} decided ${drainedAt - restoredAt} ms after restore; ${accepted.length} accepted, all final, oracle passed`,
    );
  });
});
