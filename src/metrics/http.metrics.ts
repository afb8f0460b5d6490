// HTTP request metrics of the API, labelled by the matched route pattern (never the raw path, so
// ids in paths do not explode the number of series).
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

export function createHttpMetrics(registry: Registry): MiddlewareHandler {
  const duration = new Histogram({
    name: 'ce_http_request_duration_seconds',
    help: 'HTTP request duration by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return async (c, next) => {
    const started = performance.now();
    await next();
    // After next(), the route index points at whatever answered: a route, or a middleware such as
    // auth; requests nothing matched carry the catch-all pattern.
    duration.observe(
      { method: c.req.method, route: routePath(c), status: String(c.res.status) },
      (performance.now() - started) / 1000,
    );
  };
}
