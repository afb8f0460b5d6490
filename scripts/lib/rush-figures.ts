// What the load scripts report of a rush (submitted and polled through rush/): progress and lane
// depth sampled over time, summary figures and chart series.
import type { RequestResource } from '../../rush/request-resource.js';
import { nowMs, type JsonClient } from '../../rush/http.js';
import { isFinalStatus } from '../../rush/poll.js';
import type { SubmitRecord } from '../../rush/submit.js';
import { LatencyHistogram } from '../../toolkit/histogram.js';
import type { Series } from '../../toolkit/report.js';

/**
 * Reads the given lanes' depth from a Prometheus text page: accepted minus decided sequence when the
 * API exports both (that counts requests held in a batch too), else a waiting-jobs or depth gauge.
 * Undefined when the page has neither.
 */
function laneDepthFromMetrics(text: string, lanes: readonly string[]): number | undefined {
  const values = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const labels = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const lane = labels.get('lane') ?? labels.get('queue');
    if (!lane || !lanes.includes(lane)) continue;
    const byLane = values.get(m[1] as string) ?? new Map<string, number>();
    byLane.set(lane, Number(m[3]));
    values.set(m[1] as string, byLane);
  }
  const accepted = values.get('ce_lane_accepted_sequence');
  const decided = values.get('ce_lane_decided_sequence');
  if (accepted && decided) {
    let depth = 0;
    for (const [lane, a] of accepted) depth += Math.max(0, a - (decided.get(lane) ?? a));
    return depth;
  }
  const gauge = [...values].find(([name]) => /(_depth|_waiting_jobs)$/.test(name));
  return gauge ? [...gauge[1].values()].reduce((a, b) => a + b, 0) : undefined;
}

export interface Sample {
  /** Seconds since the start of the run. */
  t: number;
  submitted: number;
  accepted: number;
  final: number;
  /** Lane depth from GET /metrics, when the API exposes it. */
  depth?: number;
}

/** Samples counters (and the lanes' depth from /metrics when available) a few times a second. */
export class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private metrics: boolean | undefined;
  private busy = false;

  constructor(
    private readonly client: JsonClient,
    private readonly start: number,
    private readonly lanes: () => readonly string[],
    private readonly counters: () => { submitted: number; accepted: number; final: number },
    private readonly everyMs = 250,
  ) {}

  begin(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sample();
  }

  get hasMetrics(): boolean {
    return this.metrics === true;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let depth: number | undefined;
      if (this.metrics !== false) {
        try {
          const res = await this.client.get<string>('/metrics');
          const text = res.status === 200 && typeof res.body === 'string' ? res.body : '';
          this.metrics ??= /^ce_lane_accepted_sequence\{|_waiting_jobs\{|_depth\{/m.test(text);
          if (this.metrics) depth = laneDepthFromMetrics(text, this.lanes());
        } catch {
          depth = undefined;
        }
      }
      this.samples.push({
        t: (nowMs() - this.start) / 1000,
        ...this.counters(),
        ...(depth !== undefined ? { depth } : {}),
      });
    } finally {
      this.busy = false;
    }
  }
}

export interface RushFigures {
  requests: number;
  accepted: number;
  queued: number;
  instant: number;
  overloadedRetries: number;
  submitErrors: Record<string, number>;
  submitSeconds: number;
  acceptedPerSecond: number;
  submitLatency: LatencyHistogram;
  timeToFinal: LatencyHistogram;
  /** Queued requests decided per second, first to last decision. */
  drainPerSecond: number;
  /** From the first submission to the last decision. */
  endToEndSeconds: number;
  outcomes: Record<string, number>;
}

export function rushFigures(records: readonly SubmitRecord[], finals: Map<string, RequestResource>): RushFigures {
  const submitLatency = new LatencyHistogram();
  const timeToFinal = new LatencyHistogram();
  const submitErrors: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  let firstSubmit = Infinity;
  let lastAnswer = 0;
  let firstFinish = Infinity;
  let lastFinish = 0;
  let accepted = 0;
  let queued = 0;
  let instant = 0;
  let retries = 0;
  for (const r of records) {
    firstSubmit = Math.min(firstSubmit, r.submittedAt);
    retries += r.overloadedRetries;
    if (!r.requestId) {
      const key = r.problemCode ?? `HTTP ${r.httpStatus}`;
      submitErrors[key] = (submitErrors[key] ?? 0) + 1;
      continue;
    }
    accepted++;
    lastAnswer = Math.max(lastAnswer, r.answeredAt);
    submitLatency.record(r.latencyMs);
    if (r.resource?.sequence === null) instant++;
    else queued++;
    const final = finals.get(r.requestId) ?? r.resource;
    const key =
      !final || !isFinalStatus(final.status)
        ? 'NOT_FINAL'
        : final.status === 'SUCCEEDED'
          ? 'SUCCEEDED'
          : (final.error?.code ?? final.status);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    // Answers that were final at once (sold out) have no time to final; only queued requests count.
    if (final?.finishedAt && isFinalStatus(final.status) && final.sequence !== null) {
      const finished = Date.parse(final.finishedAt);
      timeToFinal.record(finished - Date.parse(final.acceptedAt ?? final.finishedAt));
      firstFinish = Math.min(firstFinish, finished);
      lastFinish = Math.max(lastFinish, finished);
    }
  }
  const submitSeconds = Math.max(0.001, (lastAnswer - firstSubmit) / 1000);
  const drainSpan = (lastFinish - firstFinish) / 1000;
  return {
    requests: records.length,
    accepted,
    queued,
    instant,
    overloadedRetries: retries,
    submitErrors,
    submitSeconds,
    acceptedPerSecond: accepted / submitSeconds,
    submitLatency,
    timeToFinal,
    drainPerSecond: queued > 1 && drainSpan > 0 ? queued / drainSpan : NaN,
    endToEndSeconds:
      Math.max(lastAnswer, lastFinish) > 0 ? (Math.max(lastAnswer, lastFinish) - firstSubmit) / 1000 : NaN,
    outcomes,
  };
}

/** Cumulative counts over time, downsampled to at most `points` points. */
function cumulative(times: number[], start: number, points = 400): [number, number][] {
  const sorted = times.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [[0, 0]];
  const out: [number, number][] = [[0, 0]];
  const step = Math.max(1, Math.floor(sorted.length / points));
  for (let i = step - 1; i < sorted.length; i += step) out.push([((sorted[i] as number) - start) / 1000, i + 1]);
  const lastT = ((sorted.at(-1) as number) - start) / 1000;
  if (out.at(-1)?.[0] !== lastT) out.push([lastT, sorted.length]);
  return out;
}

export function timelineSeries(
  records: readonly SubmitRecord[],
  finals: Map<string, RequestResource>,
  start: number,
): Series[] {
  const decided: number[] = [];
  for (const r of records) {
    const f = r.requestId ? (finals.get(r.requestId) ?? r.resource) : undefined;
    if (f?.finishedAt && isFinalStatus(f.status)) decided.push(Date.parse(f.finishedAt));
  }
  return [
    {
      name: 'submitted',
      points: cumulative(
        records.map((r) => r.submittedAt),
        start,
      ),
    },
    {
      name: 'accepted (answered)',
      points: cumulative(
        records.filter((r) => r.requestId).map((r) => r.answeredAt),
        start,
      ),
    },
    { name: 'decided (finishedAt)', points: cumulative(decided, start) },
  ];
}

/**
 * Lane depth over time from three sources: GET /metrics samples (when the API has them), the
 * `position` each submission was answered with (the depth ahead of it at acceptance), and this
 * run's own accepted-minus-decided count.
 */
export function depthSeries(
  records: readonly SubmitRecord[],
  finals: Map<string, RequestResource>,
  samples: readonly Sample[],
  start: number,
): Series[] {
  const series: Series[] = [];
  const fromMetrics = samples
    .filter((s) => s.depth !== undefined)
    .map((s): [number, number] => [s.t, s.depth as number]);
  if (fromMetrics.length > 0) series.push({ name: 'lane depth (/metrics)', points: fromMetrics });

  const positions = records
    .filter((r) => r.resource?.position !== undefined)
    .map((r) => [(r.answeredAt - start) / 1000, r.resource?.position as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const bucket = Math.max(1, Math.ceil(positions.length / 300));
  const posPoints: [number, number][] = [];
  for (let i = 0; i < positions.length; i += bucket) {
    const chunk = positions.slice(i, i + bucket);
    posPoints.push([(chunk.at(-1) as [number, number])[0], Math.max(...chunk.map((p) => p[1]))]);
  }
  if (posPoints.length > 0) series.push({ name: 'position at acceptance', points: posPoints });

  const events: [number, number][] = [];
  for (const r of records) {
    if (!r.requestId || r.resource?.sequence === null || r.resource?.sequence === undefined) continue;
    events.push([r.answeredAt, 1]);
    const f = finals.get(r.requestId);
    if (f?.finishedAt && isFinalStatus(f.status)) events.push([Date.parse(f.finishedAt), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const own: [number, number][] = [[0, 0]];
  let depth = 0;
  const every = Math.max(1, Math.floor(events.length / 400));
  events.forEach(([t, d], i) => {
    depth += d;
    if (i % every === 0 || i === events.length - 1) own.push([Math.max(0, (t - start) / 1000), Math.max(0, depth)]);
  });
  series.push({ name: 'accepted − decided (this run)', points: own });
  return series;
}
