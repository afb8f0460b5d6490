// The per-user rate limit through a real API process, whose limiter counts on a connection of its own
// with ioredis auto-pipelining: one user's burst of orders is cut at the limit with 429 and
// Retry-After, the refusals are counted in /metrics, and another user is still served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderClient } from '../support/order-client.js';
import { sample, scrape } from '../support/metrics.js';
import { isolatedStack, type Stack } from '../support/processes.js';

describe('rate limit of queued submits in the API process (10 per second per user)', () => {
  let stack: Stack;
  let url: string;
  beforeAll(async () => {
    stack = await isolatedStack();
    ({ url } = await stack.api({ RATE_LIMIT_USER_PER_SECOND: '10' }));
  });
  afterAll(() => stack.close());

  it('when one user sends 40 orders at once, then at most two windows of them are 202, the rest 429 with Retry-After, each refusal counted', async () => {
    const api = orderClient(url);
    const productId = await api.product(100);
    const items = [{ productId, quantity: 1 }];
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${url}/orders`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ userId: 7301, items }),
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    const accepted = statuses.filter((s) => s === 202).length;
    const refused = answers.filter((r) => r.status === 429);
    expect(accepted + refused.length).toBe(40);
    // The burst may straddle the end of a one-second window, so up to two windows' worth get in.
    expect(accepted).toBeGreaterThanOrEqual(10);
    expect(accepted).toBeLessThanOrEqual(20);
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await r.json()) as { code: string }).code).toBe('RATE_LIMITED');
    }
    const metrics = await scrape(`${url}/metrics`);
    expect(sample(metrics, 'ce_rate_limited_total', { limit: 'user' })).toBe(refused.length);

    const other = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 7302, items }),
    });
    expect(other.status).toBe(202);
  });
});
