// What verifying end-user tokens costs on the submit path. One API process per identity mode (off,
// HS256, ES256 with its key from a JWKS served here) on one database and Redis prefix, no worker, so
// only the API's path is measured. In each run every mode in turn takes the same number of claim
// submissions, each from a distinct user with a token signed up front, from the bench's load
// generator process (after a warm-up that is not counted).
//   npm run bench:identity -- [--claims 20000 --connections 100 --runs 3]
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { runCli, type ParsedArgs } from '../toolkit/args.js';
import { adminCreateCoupon } from '../rush/claims.js';
import { fmtMs, LatencyHistogram, median } from '../toolkit/histogram.js';
import { textTable, timestampForFile } from '../toolkit/report.js';
import { bearerFor, es256Signer, hs256Signer, serveJwks, signForUsers, type TokenSigner } from '../rush/tokens.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import type { GeneratorSpec } from './generator.js';
import { isolated, runGenerator, type Isolated } from './lib/stack.js';

const command = {
  command: 'npm run bench:identity --',
  summary: 'Submit path cost of end-user identity.',
  options: {
    claims: { help: 'claim submissions per mode and run', default: '20000' },
    warmup: { help: 'uncounted submissions per mode before each measurement', default: '2000' },
    connections: { help: 'connections of the load generator', default: '100' },
    runs: { help: 'repeat every mode N times and report medians', default: '3' },
    out: { help: 'directory for the JSON result', default: 'reports' },
  },
};

interface Mode {
  name: 'off' | 'HS256' | 'ES256';
  env: Record<string, string>;
  signer?: TokenSigner;
}

interface Figures {
  mode: Mode['name'];
  acceptedPerSecond: number;
  p50: number;
  p99: number;
  refused: number;
  /** CPU ms of the API process per submission. */
  apiCpuMs: number;
}

interface Api {
  mode: Mode;
  child: ManagedProcess;
  url: string;
}

interface Params {
  claims: number;
  warmup: number;
  connections: number;
  runs: number;
}

const ADMIN_TOKEN = 'bench-admin-token-0000';
const config = loadConfig();

runCli(command, async (args) => {
  const params = readParams(args);
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, 'identity');
  const es = await es256Signer('bench');
  const jwks = await serveJwks(() => es.jwks);
  const secret = randomBytes(32).toString('hex');
  const modes: Mode[] = [
    { name: 'off', env: {} },
    { name: 'HS256', env: { AUTH_JWT_SECRET: secret }, signer: hs256Signer(secret) },
    { name: 'ES256', env: { AUTH_JWKS_URL: jwks.url }, signer: es.signer },
  ];
  const apis: Api[] = [];
  try {
    for (const mode of modes) apis.push(await startApi(iso, mode));
    const all = await measureAll(apis, params);
    printMedians(modes, all, params.runs);
    const outDir = args.string('out') as string;
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `bench-identity-${timestampForFile()}.json`);
    const result = { ...params, jwksFetches: jwks.requests(), runsFigures: all };
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nJWKS fetched ${jwks.requests()} time(s); result: ${file}`);
    return all.flat().some((f) => f.refused > 0) ? 1 : 0;
  } finally {
    await Promise.all(apis.map((a) => a.child.stop()));
    await jwks.close();
    await iso.close();
  }
});

function readParams(args: ParsedArgs): Params {
  return {
    claims: args.number('claims', { min: 100, max: 1_000_000 }),
    warmup: args.number('warmup', { min: 0, max: 100_000 }),
    connections: args.number('connections', { min: 1, max: 2_000 }),
    runs: args.number('runs', { min: 1, max: 20 }),
  };
}

/** One API process (from the sources) in `mode`, no worker, on the shared database and prefix. */
async function startApi(iso: Isolated, mode: Mode): Promise<Api> {
  const port = await freePort();
  const env = {
    DATABASE_URL: iso.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: iso.queuePrefix,
    PORT: String(port),
    ADMIN_TOKEN,
    MAX_LANE_DEPTH: '100000000',
    RATE_LIMIT_USER_PER_SECOND: '0',
    LOG_LEVEL: 'info',
    ...mode.env,
  };
  const child = new ManagedProcess('apps/api/main.ts', env, { label: `api ${mode.name}` });
  await child.waitForLog(/api listening/);
  return { mode, child, url: `http://127.0.0.1:${port}` };
}

/** Every run, every mode in turn, on one coupon; each submission from a user of its own. */
async function measureAll(apis: Api[], params: Params): Promise<Figures[][]> {
  const { claims, warmup, connections, runs } = params;
  const { id: couponId } = await adminCreateCoupon(apis[0]?.url as string, ADMIN_TOKEN, {
    name: 'identity bench',
    discountType: 'FIXED',
    discountValue: 100,
    totalQuantity: 100_000_000,
    validDays: 1,
  });
  console.log(
    `bench:identity: ${claims} claims per mode (+${warmup} warm-up), ${connections} connections, ${runs} run(s), ${cpus().length} cpus, Node ${process.version}`,
  );
  let nextUser = 1;
  const requestsFor = async (mode: Mode, n: number) => {
    const users = Array.from({ length: n }, () => nextUser++);
    const tokens = mode.signer ? await signForUsers(mode.signer, users) : undefined;
    const body = (u: number) => (tokens ? {} : { userId: u });
    return users.map((u) => ({ path: `/coupons/${couponId}/claims`, body: body(u), headers: bearerFor(tokens, u) }));
  };
  const all: Figures[][] = [];
  for (let run = 1; run <= runs; run++) {
    console.log(`\n== run ${run} of ${runs} (load average ${loadavg()[0]?.toFixed(2)})`);
    const figures: Figures[] = [];
    for (const api of apis) {
      if (warmup > 0) await runGenerator(api.url, connections, await requestsFor(api.mode, warmup));
      figures.push(await measureMode(api, connections, await requestsFor(api.mode, claims)));
    }
    all.push(figures);
  }
  return all;
}

async function measureMode({ mode, child, url }: Api, connections: number, requests: GeneratorSpec['requests']) {
  const cpuBefore = child.cpuMs();
  const results = await runGenerator(url, connections, requests);
  const cpu = child.cpuMs() - cpuBefore;
  const latency = new LatencyHistogram();
  let first = Infinity;
  let last = 0;
  let accepted = 0;
  for (const r of results) {
    first = Math.min(first, r.submittedAt);
    if (r.httpStatus !== 202 && r.httpStatus !== 200) continue;
    accepted++;
    last = Math.max(last, r.answeredAt);
    latency.record(r.latencyMs);
  }
  const f: Figures = {
    mode: mode.name,
    acceptedPerSecond: accepted / Math.max(0.001, (last - first) / 1000),
    p50: latency.percentile(50),
    p99: latency.percentile(99),
    refused: results.length - accepted,
    apiCpuMs: cpu / results.length,
  };
  console.log(
    `  ${mode.name.padEnd(5)} ${Math.round(f.acceptedPerSecond)} accepted/s, p50 ${fmtMs(f.p50)}, p99 ${fmtMs(f.p99)}, ${f.refused} refused, API ${f.apiCpuMs.toFixed(3)} CPU ms/request`,
  );
  return f;
}

function printMedians(modes: Mode[], all: Figures[][], runs: number): void {
  const medianOf = (mode: Mode['name'], key: keyof Omit<Figures, 'mode'>) =>
    median(all.map((run) => run.find((f) => f.mode === mode)?.[key] ?? NaN));
  const offRate = medianOf('off', 'acceptedPerSecond');
  console.log(`\nMedians over ${runs} run(s), POST /coupons/{id}/claims, one API process:\n`);
  const rows = modes.map(({ name }) => [
    name,
    Math.round(medianOf(name, 'acceptedPerSecond')),
    `${((medianOf(name, 'acceptedPerSecond') / offRate) * 100).toFixed(0)}%`,
    fmtMs(medianOf(name, 'p50')),
    fmtMs(medianOf(name, 'p99')),
    medianOf(name, 'apiCpuMs').toFixed(3),
    medianOf(name, 'refused'),
  ]);
  console.log(textTable(['identity', 'accepted/s', 'vs off', 'p50', 'p99', 'API CPU ms/request', 'refused'], rows));
}
