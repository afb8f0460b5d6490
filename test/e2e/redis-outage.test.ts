// The API against a Redis of its own that the test kills: submits fail fast with problem+json 503,
// liveness stays green, readiness names Redis, and the API serves again once Redis is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateCoupon } from '../../rush/claims.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { freePort } from '../../rush/processes.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack | undefined;
let redis: ChildProcess | undefined;
afterEach(async () => {
  redis?.kill('SIGKILL');
  await stack?.close();
  redis = undefined;
  stack = undefined;
});

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
}

async function claim(url: string, couponId: number, userId: number) {
  const started = performance.now();
  const res = await fetch(`${url}/coupons/${couponId}/claims`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  return { res, body: (await res.json()) as Record<string, unknown>, ms: performance.now() - started };
}

describe('Redis outage', () => {
  it('when Redis dies, then submits answer problem+json 503 within 2 s, /healthz stays 200, /readyz names redis, and submits work again once it is back', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    stack = await isolatedStack();
    const { url, proc } = await stack.api({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, {
      name: 'outage',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 10,
      validDays: 1,
    });
    expect((await claim(url, id, 1)).res.status).toBe(202);

    const dead = redis;
    await new Promise((resolve) => {
      dead.once('exit', resolve);
      dead.kill('SIGKILL');
    });
    const timings: number[] = [];
    // Right after the kill and again once ioredis has backed off between reconnection attempts.
    for (const pause of [0, 0, 1_500, 3_000]) {
      await new Promise((r) => setTimeout(r, pause));
      const { res, body, ms } = await claim(url, id, 2);
      timings.push(Math.round(ms));
      expect(res.status).toBe(503);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json');
      expect(res.headers.get('Retry-After')).toBe('1');
      expect(body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(ms, `answered after ${timings.join(', ')} ms`).toBeLessThan(2_000);
    }
    console.log(`submits while Redis was down answered 503 in ${timings.join(', ')} ms`);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      code: 'NOT_READY',
      redis: 'down',
      mysql: 'up',
      detail: expect.stringContaining('redis'),
    });
    expect(proc.child.exitCode).toBeNull();

    redis = await startRedis(port);
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 202) {
      status = (await claim(url, id, 3)).res.status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(202);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
