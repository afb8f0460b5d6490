// Latency percentiles with HDR precision: values are recorded in microseconds (3 significant
// digits), so a p99 reads as 41.73 ms rather than a whole-millisecond bucket.
import { build, type Histogram } from 'hdr-histogram-js';

interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export class LatencyHistogram {
  private readonly hdr: Histogram;
  /** Raw values, kept for distribution charts (a run holds at most a few hundred thousand). */
  private readonly values: number[] = [];

  constructor() {
    this.hdr = build({
      bitBucketSize: 64,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 24 * 3600 * 1_000_000,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    });
  }

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.hdr.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  /** The value at percentile p (0 … 100), in milliseconds. */
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.hdr.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: this.count,
      min: this.hdr.minNonZeroValue / 1000,
      mean: this.hdr.mean / 1000,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.hdr.maxValue / 1000,
    };
  }

  /** Counts in `n` logarithmic buckets between the smallest and largest value, for a bar chart. */
  buckets(n = 40): { from: number; to: number; count: number }[] {
    if (this.count === 0) return [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of this.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const min = Math.max(0.01, lo);
    const max = Math.max(min * 1.01, hi);
    const ratio = Math.log(max / min) / n;
    const out = Array.from({ length: n }, (_, i) => ({
      from: min * Math.exp(i * ratio),
      to: min * Math.exp((i + 1) * ratio),
      count: 0,
    }));
    for (const v of this.values) {
      const i = Math.min(n - 1, Math.max(0, Math.floor(Math.log(Math.max(v, min) / min) / ratio)));
      (out[i] as { count: number }).count++;
    }
    return out;
  }
}

/** Formats milliseconds with two decimals below 100 ms, one below 10 s, else as seconds. */
export function fmtMs(ms: number): string {
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
