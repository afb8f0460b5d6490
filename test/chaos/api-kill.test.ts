// An API process killed with SIGKILL in the middle of a coupon rush, behind a client that fails over to
// a second API. Every request either API answered 202 reaches a final state (read through the second
// API), and the oracle passes over everything the lane decided, including requests the dead API
// queued but never answered.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { claimLane } from '../support/lanes.js';
import { adminCreateCoupon, makePlan, rushCoupon, type ClaimPlanItem } from '../../rush/claims.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { verifyCouponLane, laneDecisions, send, type Answer } from '../support/chaos.js';
import { finalsOrLost } from '../../rush/poll.js';
import { pacedPool } from '../../rush/pool.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('API SIGKILL mid-rush', () => {
  it('when an API process is killed with SIGKILL mid-rush, then every request it answered 202 reaches a final state, read through another API', async () => {
    stack = await isolatedStack();
    const worker = stack.worker();
    const [a, b] = await Promise.all([stack.api(), stack.api()]);
    const { id } = await adminCreateCoupon(b.url, ADMIN_TOKEN, rushCoupon(1_000));
    const lane = claimLane(id % 4);
    await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === lane.name);
    const plan = makePlan([id], 1_500, 2_000, 900_000);

    let killedAt = 0;
    let unanswered = 0;
    const answers: (Answer<ClaimPlanItem> & { by: 'A' | 'B' })[] = await pacedPool(
      plan,
      { concurrency: 100, perSecond: 400 },
      async (item, i) => {
        if (i === 800) {
          killedAt = Date.now();
          a.proc.child.kill('SIGKILL');
        }
        const path = `/coupons/${id}/claims`;
        if (!killedAt) {
          const first = await send(a.url, 'POST', path, { userId: item.userId }, item, i);
          if (first.status !== null) return { ...first, by: 'A' as const };
          unanswered++;
        }
        // A load balancer's retry: A is gone, B takes the request (it may be a second one if A queued it).
        return { ...(await send(b.url, 'POST', path, { userId: item.userId }, item, i)), by: 'B' as const };
      },
    );

    expect(answers.filter((x) => x.status !== 202 && x.status !== 200).map((x) => [x.status, x.body])).toEqual([]);
    const byA = answers.filter((x) => x.by === 'A' && x.status === 202);
    expect(byA.length).toBeGreaterThan(100);
    const accepted = answers.filter((x) => x.status === 202).map((x) => x.body?.requestId as string);
    const states = await finalsOrLost(b.url, accepted);
    const notFinal = accepted.filter((rid) => {
      const s = states.get(rid);
      return s === 'LOST' || s === undefined || !['SUCCEEDED', 'REJECTED'].includes(s.status);
    });
    expect(notFinal).toEqual([]);

    const decisions = await laneDecisions(stack.databaseUrl, inject('redisUrl'), stack.queuePrefix, lane);
    const decided = new Set(decisions.map((d) => d.requestId));
    expect(accepted.filter((rid) => !decided.has(rid))).toEqual([]);
    // Queued by A in its last moments, never answered: at most one per request that got no answer.
    const hidden = decisions.filter((d) => !accepted.includes(d.requestId));
    expect(hidden.length).toBeLessThanOrEqual(unanswered);
    const report = await verifyCouponLane(b.url, id, plan, answers, decisions);
    expect(report.violations).toEqual([]);
    expect(b.proc.child.exitCode).toBeNull();
    console.log(
      `API SIGKILL mid-rush: ${byA.length} accepted by the killed API, ${unanswered} in flight got no answer ` +
        `(${hidden.length} of them had been queued); ${accepted.length} accepted in all, every one final through ` +
        `the other API; oracle passed (${report.perCoupon[0]?.succeeded} issued)`,
    );
  });
});
