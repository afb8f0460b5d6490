// What an operator sees, through real HTTP against real processes: the dashboard, /metrics of the
// API and of a worker, and log lines that follow one request from submit to decision.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreateCoupon, submitClaim, type Submitted } from '../../rush/claims.js';
import { awaitFinal } from '../../rush/poll.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { sample, scrape } from '../support/metrics.js';
import { freePort, type ManagedProcess } from '../../rush/processes.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
let url: string;
let api: ManagedProcess;
beforeAll(async () => {
  stack = await isolatedStack();
  // Started from another working directory: the dashboard's files must still be found.
  ({ url, proc: api } = await stack.api({ LOG_LEVEL: 'debug' }, { cwd: tmpdir() }));
});
afterAll(() => stack.close());

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const asAdmin = basic('admin', ADMIN_TOKEN);

const coupon = (totalQuantity: number) => ({
  name: `ops ${totalQuantity}`,
  discountType: 'FIXED' as const,
  discountValue: 500,
  totalQuantity,
  validDays: 7,
});

async function stopWorker(worker: ManagedProcess) {
  expect(await worker.kill('SIGTERM')).toBe(0);
}

describe('dashboard', () => {
  it('when credentials are missing or wrong, then /admin/queues answers 401 with a Basic challenge', async () => {
    for (const headers of [
      {},
      basic('admin', 'wrong'),
      basic('root', ADMIN_TOKEN),
      { Authorization: `Bearer ${ADMIN_TOKEN}` },
    ]) {
      const res = await fetch(`${url}/admin/queues`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json');
    }
    expect((await fetch(`${url}/admin/queues/api/queues`)).status).toBe(401);
  });

  it('when admin signs in, then the page, its JS and CSS load and every queue is listed read-only, jobs named readably with the sequence as id', async () => {
    const page = await fetch(`${url}/admin/queues`, { headers: asAdmin });
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(`${url}/admin/queues/${asset}`, { headers: asAdmin });
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(asset.endsWith('.js') ? /javascript/ : /css/);
      await res.arrayBuffer();
    }

    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, coupon(5));
    const submitted = await submitClaim(url, { couponId: id, userId: 4242 });
    const res = await fetch(`${url}/admin/queues/api/queues?activeQueue=claims-${id % 4}&status=waiting`, {
      headers: asAdmin,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      queues: { name: string; readOnlyMode: boolean; jobs: { id: string; name: string }[] }[];
    };
    expect(body.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['claims-0', 'claims-1', 'claims-2', 'claims-3', 'orders']),
    );
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    const lane = body.queues.find((q) => q.name === `claims-${id % 4}`);
    expect(lane?.jobs).toContainEqual(
      expect.objectContaining({ id: String(submitted.resource?.sequence), name: `claim coupon ${id} by user 4242` }),
    );
  });
});

describe('metrics', () => {
  it('when a lane has no worker, then its depth and oldest age show and grow; once a worker drains it, decisions, batches and ownership show', async () => {
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, coupon(50));
    const lane = `claims-${id % 4}`;
    const plan = Array.from({ length: 200 }, (_, i) => ({ couponId: id, userId: 70_000 + i }));
    const submitted: Submitted[] = await pool(plan, 50, (item) => submitClaim(url, item));
    expect(submitted.every((s) => s.httpStatus === 202)).toBe(true);

    const stalled = await scrape(`${url}/metrics`);
    expect(sample(stalled, 'ce_queue_waiting_jobs', { queue: lane })).toBeGreaterThanOrEqual(200);
    const accepted = sample(stalled, 'ce_lane_accepted_sequence', { lane }) as number;
    expect(accepted - (sample(stalled, 'ce_lane_decided_sequence', { lane }) as number)).toBeGreaterThanOrEqual(200);
    const age = sample(stalled, 'ce_queue_oldest_waiting_age_seconds', { queue: lane }) as number;
    expect(sample(stalled, 'ce_redis_up')).toBe(1);
    expect(
      sample(stalled, 'ce_http_request_duration_seconds_count', { route: '/coupons/:couponId/claims', status: '202' }),
    ).toBeGreaterThanOrEqual(200);
    expect(sample(stalled, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_100));
    const later = await scrape(`${url}/metrics`);
    expect(sample(later, 'ce_queue_oldest_waiting_age_seconds', { queue: lane })).toBeGreaterThan(age + 0.5);

    const metricsPort = await freePort();
    const worker = stack.worker({ METRICS_PORT: String(metricsPort) });
    try {
      await awaitFinal(url, submitted.at(-1)?.requestId as string, Date.now() + 20_000);
      await Promise.all(submitted.map((s) => awaitFinal(url, s.requestId as string, Date.now() + 20_000)));
      const workerText = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(sample(workerText, 'ce_lane_decisions_total', { lane, outcome: 'SUCCEEDED' })).toBe(50);
      expect(sample(workerText, 'ce_lane_decisions_total', { lane, outcome: 'SOLD_OUT' })).toBe(150);
      expect(sample(workerText, 'ce_lane_batch_size_sum', { lane })).toBe(200);
      expect(sample(workerText, 'ce_lane_batch_duration_seconds_count', { lane })).toBeGreaterThan(0);
      expect(sample(workerText, 'ce_lane_owned', { lane })).toBe(1);
      expect(sample(workerText, 'ce_lane_ownership_changes_total', { lane, owned: 'true' })).toBe(1);
      expect(sample(workerText, 'ce_lane_batch_retries_total', { lane })).toBeUndefined();
      expect(sample(workerText, 'nodejs_eventloop_lag_seconds')).toBeDefined();

      const drained = await scrape(`${url}/metrics`);
      expect(sample(drained, 'ce_queue_waiting_jobs', { queue: lane })).toBe(0);
      expect(sample(drained, 'ce_queue_oldest_waiting_age_seconds', { queue: lane })).toBe(0);
      expect(sample(drained, 'ce_lane_decided_sequence', { lane })).toBe(accepted);
    } finally {
      await stopWorker(worker);
    }
  });
});

describe('request ids over a real socket', () => {
  it('when answers of every kind go out (200, 202, 400, 404, 413, 401), then each carries one X-Request-Id (the client’s when it is safe), a queued one its Location and a waiting poll its Retry-After', async () => {
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, coupon(5));
    const json = { 'Content-Type': 'application/json' };
    const calls: [string, RequestInit, number][] = [
      ['/healthz', {}, 200],
      [`/coupons/${id}/claims`, { method: 'POST', headers: json, body: JSON.stringify({ userId: 7_001 }) }, 202],
      [`/coupons/${id}/claims`, { method: 'POST', headers: json, body: '{"userId":' }, 400],
      ['/no/such/route', {}, 404],
      [`/coupons/${id}/claims`, { method: 'POST', headers: json, body: 'x'.repeat(70_000) }, 413],
      ['/admin/coupons', { method: 'POST', headers: json, body: '{}' }, 401],
    ];
    for (const [path, init, status] of calls) {
      const res = await fetch(`${url}${path}`, init);
      expect(res.status, path).toBe(status);
      // Set twice, the two values would arrive joined by a comma.
      expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      await res.arrayBuffer();
    }
    const traced = await fetch(`${url}/no/such/route`, { headers: { 'X-Request-Id': 'trace-abc.1' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-abc.1');
    // A queued submit names where to poll; a poll of a request still waiting says when to ask again.
    const queued = await fetch(`${url}/coupons/${id}/claims`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ userId: 7_002 }),
    });
    const { requestId } = (await queued.json()) as { requestId: string };
    expect(queued.headers.get('location')).toBe(`/requests/${requestId}`);
    const poll = await fetch(`${url}${queued.headers.get('location')}`);
    expect(((await poll.json()) as { status: string }).status).toBe('QUEUED');
    expect(poll.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(poll.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('when a claim carries an X-Request-Id, then that id finds the submit line and the decision line, both naming the request id', async () => {
    const worker = stack.worker({ LOG_LEVEL: 'debug' });
    try {
      const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, coupon(3));
      // A process start can take many seconds on a busy machine: time the claim from when the lane has its owner.
      await worker.waitForLog(/lane acquired/, 60_000, (l) => l.lane === `claims-${id % 4}`);
      const traceId = `trace-${randomBytes(6).toString('hex')}`;
      const res = await fetch(`${url}/coupons/${id}/claims`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': traceId },
        body: JSON.stringify({ userId: 81_234 }),
      });
      expect(res.status).toBe(202);
      const { requestId } = (await res.json()) as { requestId: string };
      const final = await awaitFinal(url, requestId, Date.now() + 15_000);
      expect(final.status).toBe('SUCCEEDED');

      const submit = await api.waitForLog(/^request$/, 5_000, (l) => l.reqId === traceId);
      expect(submit).toMatchObject({ requestId, status: 202, method: 'POST' });
      const decided = await worker.waitForLog(/^decided$/, 5_000, (l) => l.httpRequestId === traceId);
      expect(decided).toMatchObject({ requestId, status: 'SUCCEEDED', lane: `claims-${id % 4}` });
    } finally {
      await stopWorker(worker);
    }
  });
});
