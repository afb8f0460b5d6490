// What ships: `npm start` and `npm run worker` run the compiled API and worker (dist/, `npm run build`).
// Built here as `npm run build` builds it, started without tsx, a claim decided through both.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreateCoupon, submitClaim } from '../../rush/claims.js';
import { awaitFinal } from '../../rush/poll.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
beforeAll(() => {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
  expect(built.status, built.stdout + built.stderr).toBe(0);
  // tsc takes many seconds on a busy machine.
}, 180_000);
afterAll(() => stack?.close());

describe('the compiled processes', () => {
  it('when the API and a worker run from dist/ on plain node, then a claim is queued, decided and polled to SUCCEEDED', async () => {
    stack = await isolatedStack();
    const { url, proc } = await stack.api({}, { entry: 'dist/apps/api/main.js' });
    const worker = stack.worker({}, 'dist/workers/main.js');
    expect(proc.child.spawnargs).not.toContain('tsx');
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, {
      name: 'compiled',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 1,
      validDays: 7,
    });
    await worker.waitForLog(/lane acquired/, 60_000, (l) => l.lane === `claims-${id % 4}`);
    const submitted = await submitClaim(url, { couponId: id, userId: 4_242 });
    expect(submitted.httpStatus).toBe(202);
    const final = await awaitFinal(url, submitted.requestId ?? '', Date.now() + 20_000);
    expect(final.status).toBe('SUCCEEDED');
    expect((await fetch(`${url}/docs`)).status).toBe(200);
  });
});
