// The operator's kit names only what the engine serves: every PromQL expression of the alert rules
// (ops/prometheus/alerts.yml) and of the Grafana dashboard (ops/grafana/dashboards) is parsed with
// Prometheus's own PromQL grammar, and each metric it selects, with each label it matches on, must
// be on /metrics of a running API or worker after a small rush.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { adminCreateCoupon, submitClaim } from '../../rush/claims.js';
import { awaitFinal } from '../../rush/poll.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { scrape } from '../support/metrics.js';
import { freePort } from '../../rush/processes.js';
import { isolatedStack, type Stack } from '../support/processes.js';

/** Metric families served (from `# TYPE`), and the label names seen on each family's samples. */
interface Served {
  types: Map<string, string>;
  labels: Map<string, Set<string>>;
}

function servedBy(texts: string[]): Served {
  const served: Served = { types: new Map(), labels: new Map() };
  for (const line of texts.join('\n').split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] && type[2]) served.types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample?.[1]) continue;
    const names = served.labels.get(sample[1]) ?? new Set<string>();
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) names.add(m[1] as string);
    served.labels.set(sample[1], names);
  }
  return served;
}

/** The family a selected name belongs to: itself, or the histogram or summary it is a series of. */
function familyOf(name: string, served: Served): string | undefined {
  if (served.types.has(name)) return name;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  const type = served.types.get(base);
  return type === 'histogram' || type === 'summary' ? base : undefined;
}

/** What is wrong with one expression: a syntax error, or a selector that names what is not served. */
function problemsOf(where: string, expr: string, served: Served): string[] {
  const problems: string[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError) problems.push(`${where}: syntax error at ${cursor.from} in ${expr}`);
    if (cursor.name !== 'VectorSelector') continue;
    const selector = cursor.node;
    const ident = selector.getChild('Identifier');
    const name = ident ? expr.slice(ident.from, ident.to) : '';
    if (!familyOf(name, served)) {
      problems.push(`${where}: ${name || expr.slice(selector.from, selector.to)} is not served`);
      continue;
    }
    const seen = served.labels.get(name);
    for (const matcher of selector.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = matcher.getChild('LabelName');
      const labelName = label ? expr.slice(label.from, label.to) : '';
      if (seen && seen.size > 0 && !seen.has(labelName)) problems.push(`${where}: ${name} has no label ${labelName}`);
    }
  } while (cursor.next());
  return problems;
}

async function kitExpressions(): Promise<{ where: string; expr: string }[]> {
  const rules = parseYaml(await readFile('ops/prometheus/alerts.yml', 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const found = rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));
  const dir = 'ops/grafana/dashboards';
  for (const file of await readdir(dir)) {
    const dashboard = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      for (const t of panel.targets ?? []) found.push({ where: `${file} "${panel.title}"`, expr: t.expr });
    }
  }
  return found;
}

let stack: Stack;
let url: string;
let workerMetrics: string;
beforeAll(async () => {
  stack = await isolatedStack();
  ({ url } = await stack.api());
  const port = await freePort();
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
  stack.worker({ METRICS_PORT: String(port) });
});
afterAll(() => stack.close());

describe('operator kit', () => {
  it('when a rule or panel names a metric or label that is not served, then the check reports it', () => {
    const served = servedBy(['# TYPE ce_lane_owned gauge', 'ce_lane_owned{lane="orders"} 1']);
    expect(problemsOf('t', 'sum by (lane) (ce_lane_owned)', served)).toEqual([]);
    expect(problemsOf('t', 'ce_lane_owned{queue="orders"}', served)).toEqual(['t: ce_lane_owned has no label queue']);
    expect(problemsOf('t', 'rate(ce_no_such_total[5m])', served)).toEqual(['t: ce_no_such_total is not served']);
    expect(problemsOf('t', 'sum by (lane (ce_lane_owned)', served).join()).toMatch(/syntax error/);
  });

  it('when the API and a worker have served a rush, then every series of the alert rules and the dashboard is on their /metrics', async () => {
    const { id } = await adminCreateCoupon(url, ADMIN_TOKEN, {
      name: 'operator kit',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 3,
      validDays: 1,
    });
    const plan = Array.from({ length: 6 }, (_, i) => ({ couponId: id, userId: 90_000 + i }));
    const submitted = await pool(plan, 6, (item) => submitClaim(url, item));
    await Promise.all(submitted.map((s) => awaitFinal(url, s.requestId as string, Date.now() + 30_000)));

    const served = servedBy([await scrape(`${url}/metrics`), await scrape(workerMetrics)]);
    const expressions = await kitExpressions();
    expect(expressions.length).toBeGreaterThan(15);
    expect(expressions.flatMap(({ where, expr }) => problemsOf(where, expr, served))).toEqual([]);
  });
});
