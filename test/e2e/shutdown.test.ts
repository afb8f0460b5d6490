// Graceful shutdown under load with real processes: SIGTERM to an API mid-rush and to a lane owner
// mid-rush. Nothing accepted may be lost, and the fairness oracle must pass over the whole rush.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { laneOwnerPid } from '../support/chaos.js';
import { claimLane } from '../support/lanes.js';
import {
  adminCreateCoupon,
  makePlan,
  rushCoupon,
  submitClaim,
  type ClaimPlanItem,
  type Submitted,
} from '../../rush/claims.js';
import type { RequestResource } from '../../rush/request-resource.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { verifyAcceptedRush } from '../support/fair-rush.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { type ManagedProcess } from '../../rush/processes.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const LEASE_MS = 3_000;

/** Resolves with the exit code and the time the process exited. */
function exitOf(proc: ManagedProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => {
    if (proc.child.exitCode !== null) resolve({ code: proc.child.exitCode, at: Date.now() });
    else proc.child.once('exit', (code) => resolve({ code, at: Date.now() }));
  });
}

describe('graceful shutdown', () => {
  it('when the API gets SIGTERM mid-rush, then it answers what is in flight, exits 0, and every accepted claim reaches a final state', async () => {
    stack = await isolatedStack();
    const worker = stack.worker();
    const [a, b] = await Promise.all([stack.api(), stack.api()]);
    const { id } = await adminCreateCoupon(b.url, ADMIN_TOKEN, rushCoupon(50));
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === `claims-${id % 4}`);
    const plan = makePlan([id], 200, 600, 90_000);
    const run = randomBytes(4).toString('hex');

    // A client behind a load balancer: it talks to A until A refuses, then retries the same request
    // on B with the same Idempotency-Key, so a claim A did accept is replayed, never doubled.
    let aGone = false;
    let sigtermAt = 0;
    let answeredByAAfterSigterm = 0;
    let failedOver = 0;
    let exited: Promise<{ code: number | null; at: number }> | undefined;
    const submitOne = async (item: ClaimPlanItem, index: number): Promise<Submitted> => {
      if (index === 200) {
        sigtermAt = Date.now();
        exited = exitOf(a.proc);
        a.proc.child.kill('SIGTERM');
      }
      const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': `${run}-${index}` };
      const body = JSON.stringify({ userId: item.userId });
      for (let attempt = 0; attempt < 100; attempt++) {
        const base = aGone ? b.url : a.url;
        let res: Response;
        try {
          res = await fetch(`${base}/coupons/${item.couponId}/claims`, { method: 'POST', headers, body });
        } catch {
          aGone = true;
          failedOver++;
          continue;
        }
        const json = (await res.json()) as RequestResource & { code?: string };
        if (base === a.url && sigtermAt > 0) answeredByAAfterSigterm++;
        if (res.status === 409 && json.code === 'IDEMPOTENCY_KEY_IN_PROGRESS') {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        return {
          ...item,
          httpStatus: res.status,
          latencyMs: 0,
          submittedAt: Date.now(),
          ...(json.requestId ? { requestId: json.requestId, resource: json } : {}),
          ...(json.code ? { problemCode: json.code } : {}),
        };
      }
      throw new Error(`claim ${index} never answered`);
    };

    const submitted = await pool(plan, 50, submitOne);
    const exit = await (exited as Promise<{ code: number | null; at: number }>);
    const report = await verifyAcceptedRush(b.url, [id], submitted);

    expect(exit.code).toBe(0);
    expect(a.proc.lines.some((l) => l.msg === 'api stopped')).toBe(true);
    expect(answeredByAAfterSigterm).toBeGreaterThan(0);
    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(50);
    console.log(
      `API SIGTERM -> exit 0 in ${exit.at - sigtermAt} ms; ${answeredByAAfterSigterm} answers from A after SIGTERM, ` +
        `${failedOver} requests failed over to B; ${submitted.length} claims, all final, oracle passed`,
    );
  });

  it('when the lane owner gets SIGTERM mid-rush, then the standby takes the lane well within the lease time, the owner exits 0 and the oracle passes', async () => {
    stack = await isolatedStack();
    const env = { LANE_BATCH_SIZE: '50', LANE_LEASE_MS: String(LEASE_MS) };
    const workers = [stack.worker(env), stack.worker(env)];
    const { url } = await stack.api();
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, rushCoupon(50));
    const lane = `claims-${id % 4}`;
    // The two processes share the lanes (LaneBalancer); wait until both run and ownership has settled,
    // then the owner is whichever holds this coupon's lease.
    await Promise.all(workers.map((w) => w.waitForLog(/worker started/, 30_000)));
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
    const ownerPid = await laneOwnerPid(inject('redisUrl'), stack.queuePrefix, claimLane(id % 4));
    const owner = workers.find((w) => w.pid === ownerPid) as ManagedProcess;
    expect(owner).toBeDefined();
    const standby = workers.find((w) => w !== owner) as ManagedProcess;
    const plan = makePlan([id], 200, 600, 95_000);

    let sigtermAt = 0;
    let exited: Promise<{ code: number | null; at: number }> | undefined;
    const submitted = await pool(plan, 100, (item, index) => {
      if (index === 250) {
        sigtermAt = Date.now();
        exited = exitOf(owner);
        owner.child.kill('SIGTERM');
      }
      return submitClaim(url, item);
    });
    const acquired = await standby.waitForLog(
      /lane acquired/,
      10_000,
      (l) => l.lane === lane && Number(l.time) >= sigtermAt,
    );
    const exit = await (exited as Promise<{ code: number | null; at: number }>);
    const report = await verifyAcceptedRush(url, [id], submitted);

    const takeoverMs = Number(acquired.time) - sigtermAt;
    const released = owner.lines.find(
      (l) => l.msg === 'lane released' && l.lane === lane && Number(l.time) >= sigtermAt,
    );
    expect(released).toBeDefined();
    expect(exit.code).toBe(0);
    expect(takeoverMs).toBeLessThan(LEASE_MS / 2);
    expect(report.violations).toEqual([]);
    expect(report.perCoupon[0]?.succeeded).toBe(50);
    console.log(
      `lane owner SIGTERM -> lane released after ${Number(released?.time) - sigtermAt} ms, standby acquired it after ` +
        `${takeoverMs} ms (lease ${LEASE_MS} ms), owner exited 0 after ${exit.at - sigtermAt} ms; oracle passed over ${submitted.length} claims`,
    );
  });
});
