// HTTP request metrics of the API, labelled by the matched route pattern (never the raw path, so
// ids in paths do not explode the number of series).
import { Histogram, type Registry } from 'prom-client';

/** Records one request's duration, labelled by method, matched route pattern and status. */
export type ObserveRequest = (method: string, route: string, status: number, ms: number) => void;

export function createHttpMetrics(registry: Registry): ObserveRequest {
  const duration = new Histogram({
    name: 'ce_http_request_duration_seconds',
    help: 'HTTP request duration by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (method, route, status, ms) => duration.observe({ method, route, status: String(status) }, ms / 1000);
}
