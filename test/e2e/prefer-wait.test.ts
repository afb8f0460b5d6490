// `Prefer: wait=N` on a queued submit, through a real API and worker: the answer is held until the
// request is final (200, Preference-Applied) or N seconds pass (202, as without it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import type { ManagedProcess } from '../../rush/processes.js';

let stack: Stack;
let url: string;
let worker: ManagedProcess;

beforeAll(async () => {
  stack = await isolatedStack();
  ({ url } = await stack.api());
  worker = stack.worker();
  await worker.waitForLog(/lane acquired/, 30_000, (l) => l.lane === 'claims-0');
}, 60_000);
afterAll(() => stack.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function newCoupon(): Promise<number> {
  const coupon = { name: 'wait', discountType: 'FIXED', discountValue: 1, totalQuantity: 1, validDays: 1 };
  return ((await (await post('/admin/coupons', coupon, adminHeaders)).json()) as { id: number }).id;
}

describe('Prefer: wait', () => {
  it('when a claim is sent with Prefer: wait=5 and the lane decides it, then the answer is 200 with the final resource', async () => {
    const couponId = await newCoupon();
    const res = await post(`/coupons/${couponId}/claims`, { userId: 1 }, { Prefer: 'wait=5' });
    const body = (await res.json()) as { requestId: string; status: string; sequence: number };
    expect(res.status).toBe(200);
    expect(res.headers.get('Preference-Applied')).toBe('wait=5');
    expect(res.headers.get('Location')).toBe(`/requests/${body.requestId}`);
    expect(body).toMatchObject({ status: 'SUCCEEDED', sequence: 1 });
    const second = await post(`/coupons/${couponId}/claims`, { userId: 2 }, { Prefer: 'wait=5' });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ status: 'REJECTED', error: { code: 'SOLD_OUT' } });
  });

  it('when the lane is not drained within the wait, then the answer is 202 after about that long, without Preference-Applied', async () => {
    const couponId = await newCoupon();
    await worker.kill('SIGKILL');
    const started = Date.now();
    const res = await post(`/coupons/${couponId}/claims`, { userId: 3 }, { Prefer: 'wait=1' });
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.headers.get('Preference-Applied')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 'QUEUED' });
  });
});
