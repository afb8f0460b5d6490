// HTTP request metrics of the API, labelled by the matched route pattern (never the raw path, so
// ids in paths do not explode the number of series).
//
// The duration histogram is recorded on every request, so it keeps its own counts per series and
// hands them to prom-client's registry in prom-client's histogram format when /metrics is read:
// prom-client's Histogram.observe builds and validates a label object and a hash string per call,
// a tenth of the CPU of a cheap request (`npm run bench:profile -- --path healthz`).
import type { Metric, Registry } from 'prom-client';

/** Records one request's duration, labelled by method, matched route pattern and status. */
export type ObserveRequest = (method: string, route: string, status: number, ms: number) => void;

const NAME = 'ce_http_request_duration_seconds';
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export function createHttpMetrics(registry: Registry): ObserveRequest {
  const series = new Map<string, Series>();
  const values = (): Value[] =>
    [...series.values()].flatMap((s) => {
      let cumulative = 0;
      const buckets = BUCKETS.map((le, i) => {
        cumulative += s.counts[i] ?? 0;
        return { labels: { le, ...s.labels }, value: cumulative, metricName: `${NAME}_bucket` };
      });
      return [
        ...buckets,
        { labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${NAME}_bucket` },
        { labels: s.labels, value: s.sum, metricName: `${NAME}_sum` },
        { labels: s.labels, value: s.count, metricName: `${NAME}_count` },
      ];
    });
  const metric = {
    name: NAME,
    help: 'HTTP request duration by method, matched route and status',
    type: 'histogram',
    aggregator: 'sum',
    get: () =>
      Promise.resolve({
        name: metric.name,
        help: metric.help,
        type: metric.type,
        values: values(),
        aggregator: metric.aggregator,
      }),
    reset: () => series.clear(),
  };
  registry.registerMetric(metric as unknown as Metric);

  return (method, route, status, ms) => {
    const key = `${method} ${status} ${route}`;
    let s = series.get(key);
    if (!s) {
      s = {
        labels: { method, route, status: String(status) },
        counts: new Float64Array(BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      series.set(key, s);
    }
    const seconds = ms / 1000;
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  };
}
