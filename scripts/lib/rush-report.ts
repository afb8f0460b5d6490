// Summary rows, charts and the HTML page shared by the load scripts' reports.
import { fmtMs, type LatencyHistogram } from '../../toolkit/histogram.js';
import type { RequestResource } from '../../rush/request-resource.js';
import { barChart, escapeHtml, htmlPage, htmlTable, lineChart } from '../../toolkit/report.js';
import { depthSeries, timelineSeries, type RushFigures, type Sample } from './rush-figures.js';
import { type SubmitRecord } from '../../rush/submit.js';

/** The system under test could not be set up for the run (not a verification failure). */
export class SetupError extends Error {}

export function summaryRows(f: RushFigures): string[][] {
  const s = f.submitLatency.summary();
  const t = f.timeToFinal.summary();
  const outcomes = Object.entries(f.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    ['requests', `${f.requests} (${f.accepted} accepted: ${f.queued} queued, ${f.instant} final at once)`],
    ['accepted/s', `${Math.round(f.acceptedPerSecond)} (${f.submitSeconds.toFixed(2)} s)`],
    ['submit latency', `p50 ${fmtMs(s.p50)}  p95 ${fmtMs(s.p95)}  p99 ${fmtMs(s.p99)}  max ${fmtMs(s.max)}`],
    ['time to final', `p50 ${fmtMs(t.p50)}  p99 ${fmtMs(t.p99)}  max ${fmtMs(t.max)} (accepted → decided)`],
    ['drain rate', Number.isFinite(f.drainPerSecond) ? `${Math.round(f.drainPerSecond)} decided/s` : 'n/a'],
    [
      'end to end',
      Number.isFinite(f.endToEndSeconds)
        ? `${f.endToEndSeconds.toFixed(2)} s (${Math.round(f.requests / f.endToEndSeconds)} requests/s)`
        : 'n/a',
    ],
    ['429/503 retries', String(f.overloadedRetries)],
    ['outcomes', outcomes || 'none'],
  ];
}

function latencyChart(title: string, h: LatencyHistogram): string {
  return barChart(
    title,
    h.buckets(40).map((b) => ({ label: fmtMs(b.from).replace(' ', ''), value: b.count })),
    { xLabel: 'latency (log scale, bucket start)', yLabel: 'requests' },
  );
}

/** The four charts of a rush report: over time, submit latency, time to final, lane depth. */
export function rushCharts(
  run: {
    records: readonly SubmitRecord[];
    finals: Map<string, RequestResource>;
    samples: readonly Sample[];
    start: number;
    figures: RushFigures;
  },
  titles: { timeToFinal: string; depth: string },
): string[] {
  const { records, finals, samples, start, figures } = run;
  return [
    lineChart('Submitted, accepted and decided over time', timelineSeries(records, finals, start), {
      xLabel: 'seconds since start',
      yLabel: 'requests',
    }),
    latencyChart('Submit latency distribution', figures.submitLatency),
    latencyChart(titles.timeToFinal, figures.timeToFinal),
    lineChart(titles.depth, depthSeries(records, finals, samples, start), {
      xLabel: 'seconds since start',
      yLabel: 'requests waiting',
    }),
  ];
}

export function renderHtml(
  title: string,
  params: Record<string, unknown>,
  summary: string[][],
  pass: boolean,
  violations: string[],
  figures: RushFigures,
  charts: string[],
): string {
  const s = figures.submitLatency.summary();
  return htmlPage(title, [
    `<h1>${escapeHtml(title)}: <span class="${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>`,
    `<p>${escapeHtml(new Date().toISOString())}</p>`,
    '<h2>Parameters</h2>',
    htmlTable(
      ['parameter', 'value'],
      Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    ),
    '<h2>Summary</h2>',
    htmlTable(['figure', 'value'], summary),
    htmlTable(
      ['submit latency', 'min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      [['ms', s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max].map((v) => (typeof v === 'number' ? v.toFixed(3) : v))],
    ),
    '<h2>Verification</h2>',
    violations.length === 0
      ? '<p class="pass">Every check of the oracle passed.</p>'
      : `<ul>${violations.map((v) => `<li class="fail">${escapeHtml(v)}</li>`).join('')}</ul>`,
    '<h2>Charts</h2>',
    ...charts,
  ]);
}
