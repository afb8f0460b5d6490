// The frame of a load script (load:coupons, load:orders): the options every rush takes, check the
// API, submit a plan and long-poll it to the end while sampling, count the submits that were not
// accepted as violations, print the verdict, write the JSON and HTML report, and exit 0 (pass),
// 1 (fail) or 2 (usage or setup error).
import type { RequestResource } from '../../rush/request-resource.js';
import { JsonClient, nowMs } from '../../rush/http.js';
import { awaitAll } from '../../rush/poll.js';
import { submitAll, type SubmitRecord } from '../../rush/submit.js';
import { commandArgs, usage, UsageError, type OptionSpec, type ParsedArgs } from '../../toolkit/args.js';
import { ProgressBar } from '../../toolkit/progress.js';
import { textTable, writeReport } from '../../toolkit/report.js';
import { renderHtml, rushCharts, SetupError } from './rush-report.js';
import { Sampler, type RushFigures } from './rush-figures.js';

/** The options of every rush around a script's own (`own`); `what` names its requests ("claims"). */
export function rushSpec(
  what: string,
  defaults: { repeatShare: string; name: string },
  own: Record<string, OptionSpec>,
): Record<string, OptionSpec> {
  return {
    url: { help: 'base URL of the API', default: 'http://127.0.0.1:3000' },
    'admin-token': { help: 'admin token (else $ADMIN_TOKEN)' },
    requests: { help: `${what} to submit`, default: '10000' },
    users: { help: 'distinct users (default: requests × (1 − repeat-share))' },
    'repeat-share': { help: `share of ${what} by a user who sent one before`, default: defaults.repeatShare },
    ...own,
    concurrency: { help: 'requests in flight (connections)', default: '100' },
    duration: { help: 'spread submissions over this many seconds (0 = as fast as possible)', default: '0' },
    'poll-concurrency': { help: 'long polls in flight while waiting', default: '100' },
    timeout: { help: 'seconds to wait for every request to be final', default: '120' },
    out: { help: 'directory for the JSON and HTML report', default: 'reports' },
    name: { help: 'report file name prefix', default: defaults.name },
  };
}

interface RushOptions {
  url: string;
  adminToken: string;
  requests: number;
  repeatShare: number;
  users: number;
  concurrency: number;
  durationS: number;
  pollConcurrency: number;
  timeoutS: number;
  outDir: string;
  name: string;
}

function rushOptions(args: ParsedArgs): RushOptions {
  const adminToken = args.string('admin-token') ?? process.env.ADMIN_TOKEN;
  if (!adminToken) throw new UsageError('an admin token is needed: --admin-token or ADMIN_TOKEN');
  const requests = args.number('requests', { min: 1, max: 10_000_000 });
  const repeatShare = args.number('repeat-share', { min: 0, max: 0.99, fractional: true });
  return {
    url: (args.string('url') as string).replace(/\/$/, ''),
    adminToken,
    requests,
    repeatShare,
    users:
      args.optionalNumber('users', { min: 1, max: requests }) ?? Math.max(1, Math.round(requests * (1 - repeatShare))),
    concurrency: args.number('concurrency', { min: 1, max: 5_000 }),
    durationS: args.number('duration', { min: 0, max: 3_600, fractional: true }),
    pollConcurrency: args.number('poll-concurrency', { min: 1, max: 5_000 }),
    timeoutS: args.number('timeout', { min: 1, max: 86_400 }),
    outDir: args.string('out') as string,
    name: args.string('name') as string,
  };
}

/** What a rush talks through: a client for submits, one for long polls, and the progress bar. */
interface RushIo {
  client: JsonClient;
  poller: JsonClient;
  progress: ProgressBar;
}

/** A load script's common options and its clients. */
export type RushContext = RushOptions & RushIo;

async function checkHealth(client: JsonClient, url: string): Promise<void> {
  const health = await client.get('/healthz').catch((err: Error) => ({ status: 0, body: err.message }));
  if (health.status !== 200) throw new SetupError(`${url}/healthz answered ${health.status}: ${String(health.body)}`);
}

export interface RushRun<T> {
  /** Epoch ms the rush began. */
  start: number;
  records: (T & SubmitRecord)[];
  finals: Map<string, RequestResource>;
  sampler: Sampler;
  /** The lanes the accepted requests went to. */
  lanes: Set<string>;
}

/** Submits the plan, then long-polls every queued request to its final state, sampling all along. */
export async function runRush<T>(
  o: RushIo &
    Pick<RushOptions, 'concurrency' | 'durationS' | 'pollConcurrency' | 'timeoutS'> & {
      plan: readonly T[];
      request: (item: T) => { path: string; body: unknown; headers?: Record<string, string> };
      /** The lane an accepted request went to, from its id. */
      laneOf: (requestId: string) => string | undefined;
      /** Headers of a request's polls (its user's token in identity mode). */
      pollHeaders?: (record: T & SubmitRecord) => Record<string, string>;
    },
): Promise<RushRun<T>> {
  const start = nowMs();
  let submitted = 0;
  let accepted = 0;
  let final = 0;
  const lanes = new Set<string>();
  const sampler = new Sampler(
    o.client,
    start,
    () => [...lanes],
    () => ({ submitted, accepted, final }),
  );
  sampler.begin();
  const records = await submitAll(
    o.client,
    o.plan,
    (item) => {
      submitted++;
      return o.request(item);
    },
    {
      concurrency: o.concurrency,
      durationS: o.durationS,
      progress: o.progress,
      onAnswer: (r) => {
        if (!r.requestId) return;
        accepted++;
        if (r.resource?.sequence === null) final++;
        const lane = o.laneOf(r.requestId);
        if (lane !== undefined) lanes.add(lane);
      },
    },
  );
  const finals = await awaitAll(o.poller, records, {
    concurrency: o.pollConcurrency,
    deadline: Date.now() + o.timeoutS * 1000,
    progress: o.progress,
    onFinal: () => final++,
    ...(o.pollHeaders ? { headers: o.pollHeaders } : {}),
  });
  await sampler.stop();
  return { start, records, finals, sampler, lanes };
}

/** The oracle's violations, after one that counts the submits the API did not accept (if any). */
function rushViolations(figures: RushFigures, ...found: readonly string[][]): string[] {
  const errors = Object.entries(figures.submitErrors);
  const notAccepted =
    errors.length > 0
      ? [
          `${errors.reduce((n, [, c]) => n + c, 0)} submissions were not accepted: ${errors.map(([k, c]) => `${k} ×${c}`).join(', ')}`,
        ]
      : [];
  return [...notAccepted, ...found.flat()];
}

/**
 * Prints the summary table, `notes` and the verdict (violations: the submits not accepted, then each
 * list `found`); writes the JSON (with `extra`) and HTML report; the exit code.
 */
export async function reportRush(r: {
  kind: string;
  title: string;
  /** The script's own parameters, reported between the common ones. */
  params: Record<string, unknown>;
  run: RushRun<unknown>;
  figures: RushFigures;
  summary: string[][];
  notes?: string[];
  found: readonly string[][];
  extra: Record<string, unknown>;
  chartTitles: { timeToFinal: string; depth: string };
  options: RushOptions;
}): Promise<number> {
  const { run, figures } = r;
  const { url, requests, users, repeatShare, concurrency, durationS } = r.options;
  const params = { url, requests, users, repeatShare, ...r.params, concurrency, durationS };
  const violations = rushViolations(figures, ...r.found);
  const pass = violations.length === 0;
  console.log();
  console.log(textTable(['figure', 'value'], r.summary));
  for (const note of r.notes ?? []) console.log(note);
  console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
  for (const v of violations) console.log(`  violation: ${v}`);
  const json = {
    kind: r.kind,
    startedAt: new Date(run.start).toISOString(),
    params,
    verdict: pass ? 'PASS' : 'FAIL',
    violations,
    ...r.extra,
    figures: {
      ...figures,
      submitLatency: figures.submitLatency.summary(),
      timeToFinal: figures.timeToFinal.summary(),
    },
    laneDepthSource: run.sampler.hasMetrics ? '/metrics' : 'position and decided counts',
    samples: run.sampler.samples,
  };
  const charts = rushCharts(
    { records: run.records, finals: run.finals, samples: run.sampler.samples, start: run.start, figures },
    r.chartTitles,
  );
  const html = renderHtml(r.title, params, r.summary, pass, violations, figures, charts);
  const files = await writeReport(r.options.outDir, r.options.name, json, html);
  console.log(`report: ${files.json}\n        ${files.html}`);
  return pass ? 0 : 1;
}

/**
 * Runs a load script: reads its options (`commandArgs`: --help prints the usage), opens its clients,
 * checks the API's health, runs `main` and exits with its code; a usage error prints the usage and a
 * setup error says so, both exit 2.
 */
export function runLoadScript<P>(
  command: string,
  summary: string,
  spec: Record<string, OptionSpec>,
  /** Reads the script's own options (a UsageError when one is wrong), before anything is sent. */
  parse: (args: ParsedArgs) => P,
  main: (own: P, ctx: RushContext) => Promise<number>,
): void {
  const run = async () => {
    const cmd = { command, summary, options: spec };
    const { o, own } = commandArgs(cmd, (args) => ({ o: rushOptions(args), own: parse(args) }));
    const io = {
      client: new JsonClient(o.url, o.concurrency),
      poller: new JsonClient(o.url, o.pollConcurrency + 2),
      progress: new ProgressBar(),
    };
    try {
      await checkHealth(io.client, o.url);
      return await main(own, { ...o, ...io });
    } finally {
      await Promise.all([io.client.close(), io.poller.close()]);
    }
  };
  run().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write('\n');
      if (err instanceof UsageError) console.error(`${err.message}\n\n${usage(command, summary, spec)}`);
      else console.error(err instanceof SetupError ? `setup failed: ${err.message}` : err);
      process.exit(2);
    },
  );
}
