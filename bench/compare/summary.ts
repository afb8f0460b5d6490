// The summary over every run of the comparison: each design's medians, the ratios between designs
// (taken within each run, under that run's load, then their median) and the table printed at the end.
import { fmtMs, median } from '../../toolkit/histogram.js';
import { textTable } from '../../toolkit/report.js';
import { LABEL, type Design } from './designs.js';
import { fmtRate, fmtRss, type RushResult } from './figures.js';

/** A lane's decide rate with the lane pre-filled, engine and plain worker, in one run. */
export interface LaneRates {
  engine: number;
  plain: number;
}

const HEADER = [
  'rush',
  'design',
  'end-to-end/s',
  'submit p50',
  'submit p99',
  'final p99',
  'decide/s',
  'CPU ms/req',
  'peak RSS',
  'oracle',
];

const fmtX = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '-');

export function summarize(rushes: RushResult[][], lanes: LaneRates[], runs: number) {
  const medians = designMedians(rushes.flat());
  const lane = { engine: median(lanes.map((l) => l.engine)), plain: median(lanes.map((l) => l.plain)) };
  const ratios = {
    claimsAB: ratio(rushes, 'claims', 'engine', 'naive'),
    claimsAC: ratio(rushes, 'claims', 'engine', 'plain'),
    ordersAB: ratio(rushes, 'orders', 'engine', 'naive'),
    laneAC: median(lanes.map((l) => l.engine / l.plain)),
  };
  const rows = medians.map((r) => [
    r.kind,
    LABEL[r.design],
    fmtRate(r.perSecond),
    fmtMs(r.submitP50),
    fmtMs(r.submitP99),
    fmtMs(r.finalP99),
    fmtRate(r.decidePerSecond),
    `${r.cpuOwnMs.toFixed(2)} + ${r.cpuServicesMs.toFixed(2)}`,
    fmtRss(r.rssMb),
    r.verdict,
  ]);
  const text = [
    textTable(HEADER, rows),
    '',
    `claims end to end: a/b ${fmtX(ratios.claimsAB)}, a/c ${fmtX(ratios.claimsAC)}`,
    `orders end to end: a/b ${fmtX(ratios.ordersAB)}`,
    lanes.length > 0
      ? `lane decide rate (pre-filled): engine ${fmtRate(lane.engine)}/s, plain c=1 ${fmtRate(lane.plain)}/s, a/c ${fmtX(ratios.laneAC)}`
      : '',
    "CPU ms/req: the design's own processes + MariaDB and Redis (shared: other load on the machine counts too)",
    runs > 1 ? `(medians of ${runs} runs; each ratio is the median of the runs' own ratios)` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, medians: { rushes: medians, lane, ratios } };
}

/** Each design's median figures over the runs, per kind of rush. */
function designMedians(all: RushResult[]) {
  const keys = [...new Set(all.map((r) => `${r.kind}:${r.design}`))];
  return keys.map((key) => {
    const rs = all.filter((r) => `${r.kind}:${r.design}` === key);
    const m = (f: (r: RushResult) => number) => median(rs.map(f));
    const passes = rs.filter((r) => r.verdict === 'PASS').length;
    return {
      kind: rs[0]?.kind as RushResult['kind'],
      design: rs[0]?.design as Design,
      perSecond: m((r) => r.perSecond),
      submitP50: m((r) => r.submitP50),
      submitP99: m((r) => r.submitP99),
      finalP50: m((r) => r.finalP50),
      finalP99: m((r) => r.finalP99),
      decidePerSecond: m((r) => r.decidePerSecond),
      cpuOwnMs: m((r) => r.cpuOwnMs),
      cpuServicesMs: m((r) => r.cpuServicesMs),
      rssMb: Object.fromEntries(Object.keys(rs[0]?.rssMb ?? {}).map((k) => [k, m((r) => r.rssMb[k] ?? NaN)])),
      verdict: passes === rs.length ? 'PASS' : `FAIL ${rs.length - passes}/${rs.length}`,
    };
  });
}

/** The median over the runs of design `a`'s end-to-end rate over design `b`'s in the same run. */
function ratio(rushes: RushResult[][], kind: string, a: Design, b: Design): number {
  return median(
    rushes.map((run) => {
      const rate = (d: Design) => run.find((r) => r.kind === kind && r.design === d)?.perSecond ?? NaN;
      return rate(a) / rate(b);
    }),
  );
}
