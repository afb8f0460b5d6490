// The lane owner killed with SIGKILL inside a pre-queue draw: after closing the pre-queue (nothing
// drawn yet) or after adding the drawn claims (not recorded yet). The standby takes the lane over and
// finishes the draw: no claim lost, the pre-queue drawn once, every later arrival after every drawn
// claim, and the first 50 drawn users win. PRE_QUEUE_DRAW_PAUSE_MS holds the owner in each window.
import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateCoupon, submitClaim } from '../../rush/claims.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import type { ManagedProcess } from '../../rush/processes.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { expectFairDraw } from '../support/pre-queue.js';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whichever worker writes the log line first, and when. */
function firstToLog(workers: ManagedProcess[], pattern: RegExp, timeoutMs: number) {
  return Promise.race(
    // The other worker never writes it: its wait is left pending rather than failing the race.
    workers.map((w) =>
      w.waitForLog(pattern, timeoutMs).then(
        (line) => ({ worker: w, line }),
        () => new Promise<never>(() => undefined),
      ),
    ),
  );
}

const count = (workers: ManagedProcess[], msg: string) =>
  workers.reduce((n, w) => n + w.lines.filter((l) => l.msg === msg).length, 0);

describe('lane owner SIGKILL during a pre-queue draw', () => {
  it.each([
    ['after closing the pre-queue, before adding its claims', 'pre-queue closed'],
    ['after adding the drawn claims, before recording the draw', 'pre-queue drawn'],
  ])(
    'when the owner is killed %s, then the standby finishes the draw: nothing lost, drawn once, order kept',
    async (_when, killOn) => {
      const stack = await isolatedStack();
      stacks.push(stack);
      const { url } = await stack.api();
      const env = { PRE_QUEUE_DRAW_PAUSE_MS: '2000', LANE_LEASE_MS: '3000' };
      const workers = [stack.worker(env), stack.worker(env)];
      await Promise.all(workers.map((w) => w.waitForLog(/worker started/)));
      const startsAt = Date.now() + 12_000;
      const coupon = await adminCreateCoupon(url, ADMIN_TOKEN, {
        name: 'chaos draw',
        discountType: 'FIXED',
        discountValue: 1000,
        totalQuantity: 50,
        validDays: 7,
        preQueueOpensAt: new Date(Date.now() - 1_000).toISOString(),
        claimStartsAt: new Date(startsAt).toISOString(),
      });
      const early = Array.from({ length: 200 }, (_, i) => ({ couponId: coupon.id, userId: 10_000 + i }));
      const late = Array.from({ length: 200 }, (_, i) => ({ couponId: coupon.id, userId: 20_000 + i }));
      const pre = await pool(early, 8, (item) => submitClaim(url, item));
      expect(pre.every((s) => s.httpStatus === 202 && s.resource?.preQueued === true)).toBe(true);
      expect(Date.now()).toBeLessThan(startsAt);

      // Later arrivals keep coming while the draw is interrupted; each retries its 503 as clients do.
      const armed = firstToLog(workers, new RegExp(`^${killOn}$`), 30_000);
      await sleep(startsAt - Date.now());
      const posting = pool(late, 4, (item) => submitClaim(url, item));
      const { worker: owner } = await armed;
      await owner.kill('SIGKILL');
      const standby = workers.find((w) => w !== owner) as ManagedProcess;
      await standby.waitForLog(/^pre-queue draw recorded$/, 30_000);
      const post = await posting;
      const verdict = await expectFairDraw(url, coupon.id, { pre, post, stock: 50, timeoutMs: 90_000 });
      expect(Math.abs(verdict.rho)).toBeLessThan(0.3);
      // Drawn once: one transaction added the claims (by the owner, or by the standby after it), one record.
      expect(count(workers, 'pre-queue drawn')).toBe(1);
      expect(count(workers, 'pre-queue draw recorded')).toBe(1);
      if (killOn === 'pre-queue drawn') expect(owner.lines.some((l) => l.msg === 'pre-queue drawn')).toBe(true);
      else expect(standby.lines.some((l) => l.msg === 'pre-queue drawn')).toBe(true);
    },
  );
});
