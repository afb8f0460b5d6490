// The figures of one rush: throughput end to end, submit and final latency, the decide rate of the
// queued designs, and the one-line report printed after each rush.
import { fmtMs, LatencyHistogram } from '../../toolkit/histogram.js';
import { LABEL, type Design } from './designs.js';
import type { Finalised } from './rush.js';

export interface RushResult {
  design: Design;
  kind: 'claims' | 'orders';
  requests: number;
  /** Requests whose outcome is final, per second, from the first send to the last outcome. */
  perSecond: number;
  submitP50: number;
  submitP99: number;
  finalP50: number;
  finalP99: number;
  /** Queued requests decided per second, first to last decision (queued designs only). */
  decidePerSecond: number;
  /** CPU ms per request of the design's own processes (API, worker or server), from /proc. */
  cpuOwnMs: number;
  /** CPU ms per request of MariaDB and Redis; they are shared, so other load on the machine counts too. */
  cpuServicesMs: number;
  /** Peak resident memory of each of the design's processes (API, worker, server) over the rush, MB. */
  rssMb: Record<string, number>;
  verdict: 'PASS' | 'FAIL';
  violations: string[];
  codes: Record<string, number>;
}

export function figures(design: Design, kind: RushResult['kind'], rows: Finalised[]) {
  const submit = new LatencyHistogram();
  const final = new LatencyHistogram();
  let first = Infinity;
  let last = 0;
  let firstDecided = Infinity;
  let lastDecided = 0;
  let decided = 0;
  const codes: Record<string, number> = {};
  for (const f of rows) {
    first = Math.min(first, f.result.submittedAt);
    submit.record(f.result.latencyMs);
    const key = f.status === 'SUCCEEDED' ? 'SUCCEEDED' : (f.errorCode ?? f.status);
    codes[key] = (codes[key] ?? 0) + 1;
    if (!Number.isFinite(f.finalAt)) continue;
    last = Math.max(last, f.finalAt);
    final.record(f.finalAt - f.result.submittedAt);
    if (design !== 'naive' && f.sequence !== null && f.result.httpStatus === 202) {
      decided++;
      firstDecided = Math.min(firstDecided, f.finalAt);
      lastDecided = Math.max(lastDecided, f.finalAt);
    }
  }
  return {
    design,
    kind,
    requests: rows.length,
    perSecond: rows.length / Math.max(0.001, (last - first) / 1000),
    submitP50: submit.percentile(50),
    submitP99: submit.percentile(99),
    finalP50: final.percentile(50),
    finalP99: final.percentile(99),
    decidePerSecond: decided > 1 ? decided / Math.max(0.001, (lastDecided - firstDecided) / 1000) : NaN,
    codes,
  };
}

export const fmtRate = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');

export const fmtRss = (rss: Record<string, number>) =>
  Object.entries(rss)
    .map(([label, mb]) => `${label.split(' ').at(-1)} ${Number.isFinite(mb) ? Math.round(mb) : '-'} MB`)
    .join(', ');

export function printRow(r: RushResult): void {
  console.log(
    `  ${LABEL[r.design]} ${r.kind}: ${fmtRate(r.perSecond)}/s end to end, submit p99 ${fmtMs(r.submitP99)}, ` +
      `final p99 ${fmtMs(r.finalP99)}, decide ${fmtRate(r.decidePerSecond)}/s, ` +
      `CPU ${r.cpuOwnMs.toFixed(2)} + ${r.cpuServicesMs.toFixed(2)} ms/request, peak RSS ${fmtRss(r.rssMb)}, ${r.verdict}` +
      (r.violations.length > 0 ? `\n    ${r.violations.slice(0, 5).join('\n    ')}` : ''),
  );
}
