// Coupon rushes through real HTTP against a real API process and real worker processes.
import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateCoupon, makePlan, rushCoupon, submitClaim } from '../../rush/claims.js';
import { pool } from '../../rush/pool.js';
import { hs256Signer, signForUsers } from '../../rush/tokens.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { verifyAcceptedRush } from '../support/fair-rush.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { laneOwnerPid } from '../support/chaos.js';
import { inject } from 'vitest';
import { claimLane } from '../support/lanes.js';

let stack: Stack | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await stack?.close();
  proxy = undefined;
  stack = undefined;
});

describe('coupon claim rush', () => {
  it('when 2,000 claims from 500 users rush a coupon of 100, then exactly the first 100 distinct users win', async () => {
    stack = await isolatedStack();
    const { url, proc } = await stack.api();
    expect(
      proc.lines.some((l) => l.level === 40 && /identity is off: user ids .* trusted as given/.test(String(l.msg))),
    ).toBe(true);
    const worker = stack.worker();
    await worker.waitForLog(/lane acquired/);
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(100));
    const plan = makePlan([id], 500, 2_000, 10_000);

    const submitted = await pool(plan, 100, (item) => submitClaim(url, item));
    const report = await verifyAcceptedRush(url, [id], submitted);

    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(100);
  });

  it('when 2,000 claims from 500 users rush a coupon of 100 in identity mode, then exactly the first 100 distinct token users win', async () => {
    stack = await isolatedStack();
    const secret = 'claims-rush-secret-of-at-least-32-chars';
    const { url, proc } = await stack.api({ AUTH_JWT_SECRET: secret });
    expect(proc.lines.some((l) => l.msg === 'identity: user routes require a verified JWT')).toBe(true);
    const worker = stack.worker();
    await worker.waitForLog(/lane acquired/);
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(100));
    const plan = makePlan([id], 500, 2_000, 50_000);
    const tokens = await signForUsers(
      hs256Signer(secret),
      plan.map((p) => p.userId),
    );
    // Without a token nothing is queued: the claim is refused at the door.
    expect((await submitClaim(url, { couponId: id, userId: 50_000 })).httpStatus).toBe(401);

    const submitted = await pool(plan, 100, (item) => submitClaim(url, item, tokens));
    const report = await verifyAcceptedRush(url, [id], submitted, tokens);

    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(100);
  });

  it('when the lane owner is killed with SIGKILL mid-rush, then the standby takes over and the oracle still passes', async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    const a = stack.worker({ LANE_BATCH_SIZE: '50' });
    await a.waitForLog(/worker started/);
    const b = stack.worker({ LANE_BATCH_SIZE: '50' });
    await b.waitForLog(/worker started/);
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(100));
    const lane = claimLane(id % 4);
    const plan = makePlan([id], 500, 2_000, 20_000);

    const firstHalf = await pool(plan.slice(0, 1_000), 100, (item) => submitClaim(url, item));
    // The two processes share the lanes; kill whichever owns this coupon's lane now.
    const ownerPid = await laneOwnerPid(inject('redisUrl'), stack.queuePrefix, lane);
    const [owner, standby] = ownerPid === a.pid ? [a, b] : [b, a];
    expect(owner.pid).toBe(ownerPid);
    const killedAt = Date.now();
    await owner.kill('SIGKILL');
    const secondHalf = await pool(plan.slice(1_000), 100, (item) => submitClaim(url, item));
    const acquired = await standby.waitForLog(
      /lane acquired/,
      20_000,
      (l) => l.lane === lane.name && Number(l.time) >= killedAt,
    );
    const takeoverMs = Number(acquired.time) - killedAt;

    const submitted = [...firstHalf, ...secondHalf];
    const report = await verifyAcceptedRush(url, [id], submitted);
    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(100);
    expect(takeoverMs).toBeLessThan(10_000);
    console.log(`takeover after SIGKILL: ${takeoverMs} ms`);
  });

  it('when the database connection is cut mid-lane, then the lane waits, resumes in order and loses nothing', async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    const db = new URL(stack.databaseUrl);
    proxy = new TcpProxy(db.hostname, Number(db.port || 3306));
    const port = await proxy.start();
    db.host = `127.0.0.1:${port}`;
    const worker = stack.worker({ DATABASE_URL: db.toString(), LANE_BATCH_SIZE: '25' });
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'claims-3');
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(100));
    const plan = makePlan([id], 500, 2_000, 30_000);

    const cutter = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      proxy?.cut();
      await new Promise((r) => setTimeout(r, 2_000));
      proxy?.restore();
    })();
    const submitted = await pool(plan, 50, (item) => submitClaim(url, item));
    await cutter;
    const report = await verifyAcceptedRush(url, [id], submitted);

    expect(report.violations).toEqual([]);
    expect(worker.lines.some((l) => /retrying the same batch|lane loop error/.test(String(l.msg)))).toBe(true);
  });

  it('when coupons share a lane and others use other lanes in one rush, then each coupon is fair on its own', async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    const worker = stack.worker();
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'claims-3');
    const ids: number[] = [];
    for (const total of [30, 20, 40, 10, 25])
      ids.push((await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(total))).id);
    const sameLane = ids.filter((id) => id % 4 === (ids[0] as number) % 4);
    expect(sameLane.length).toBeGreaterThanOrEqual(2);
    const plan = makePlan(ids, 400, 2_000, 40_000);

    const submitted = await pool(plan, 100, (item) => submitClaim(url, item));
    const report = await verifyAcceptedRush(url, ids, submitted);

    expect(report.violations).toEqual([]);
    expect(report.perCoupon.map((c) => c.succeeded)).toEqual([30, 20, 40, 10, 25]);
  });
});
