// The API's request-duration histogram keeps its own counts; what /metrics shows must be exactly what
// prom-client's own Histogram shows for the same observations.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../../src/metrics/http.metrics.js';

describe('the request-duration histogram', () => {
  it('when requests of several routes and statuses are observed, then the exposition equals prom-client’s Histogram', async () => {
    const ours = new Registry();
    const observe = createHttpMetrics(ours);
    const theirs = new Registry();
    const reference = new Histogram({
      name: 'ce_http_request_duration_seconds',
      help: 'HTTP request duration by method, matched route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [theirs],
    });
    const seen: [string, string, number, number][] = [
      ['POST', '/coupons/:couponId/claims', 202, 0.4],
      ['POST', '/coupons/:couponId/claims', 202, 1],
      ['POST', '/coupons/:couponId/claims', 202, 2.5],
      ['POST', '/coupons/:couponId/claims', 429, 7],
      ['GET', '/requests/:requestId', 200, 12_000],
      ['GET', '/healthz', 200, 0.05],
      ['GET', '*', 404, 250],
    ];
    for (const [method, route, status, ms] of seen) {
      observe(method, route, status, ms);
      reference.observe({ method, route, status: String(status) }, ms / 1000);
    }
    const lines = (text: string) => text.trim().split('\n').sort();
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
    expect(await ours.metrics()).toContain(
      'ce_http_request_duration_seconds_bucket{le="0.001",method="POST",route="/coupons/:couponId/claims",status="202"} 2',
    );
  });
});
