// One command that drives the same rush through three designs against the same MariaDB and Redis,
// each with its own database and Redis prefix, and verifies each with the oracles:
//   (a) engine: this engine's API and one worker process (lanes decided in batches),
//   (b) naive:  one row-locked transaction per claim inside the HTTP handler (bench/naive),
//   (c) plain:  an API that enqueues + one BullMQ worker, concurrency 1, one transaction per job.
// Then each lane's decide rate with the lane pre-filled ((a) vs (c)), and an order rush (a) vs (b).
//   npm run bench -- [--claims 20000 --stock 5000 --users 15000 --connections 200 --runs 1]
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { insertCoupon } from '../src/coupon/coupon.repository.js';
import type { Db } from '../src/db/database.js';
import { insertProduct } from '../src/product/product.repository.js';
import { createLaneQueue, laneForCoupon } from '../rush/lanes.js';
import { newNonce } from '../src/request/request.ids.js';
import { verifyClaims, type ClaimObservation } from '../src/verify/claims.oracle.js';
import { verifyOrders, type OrderObservation, type StoredOrderObservation } from '../src/verify/orders.oracle.js';
import { parseCli, usage, UsageError, type OptionSpec } from '../toolkit/args.js';
import { makePlan } from '../rush/claims.js';
import type { RequestResource } from '../rush/request-resource.js';
import { fmtMs, LatencyHistogram, median } from '../toolkit/histogram.js';
import { JsonClient } from '../rush/http.js';
import { ProgressBar } from '../toolkit/progress.js';
import { textTable, timestampForFile } from '../toolkit/report.js';
import { FINAL_STATUSES } from '../rush/poll.js';
import type { GeneratorResult, GeneratorSpec } from './generator.js';
import { runGenerator, countRows, decideSpan, isolated, servicePids, waitForRows, type Isolated } from './lib/stack.js';
import { ManagedProcess, freePort, processCpuMs } from '../rush/processes.js';
import { PLAIN_QUEUE } from './plain-worker/queue.js';
import { API_NODE_OPTIONS, buildEngine, ENGINE_API, ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../toolkit/engine.js';
import { measureRequestPath, summarizeRequestPath, wrkAvailable, type PathFigure } from './request-path.js';

const tableOf = (s: { header: string[]; table: string[][] }) => [s.header, s.table] as const;

const spec: Record<string, OptionSpec> = {
  claims: { help: 'claims in the coupon rush', default: '20000' },
  stock: { help: 'coupon totalQuantity', default: '5000' },
  users: { help: 'distinct users (the rest are repeat claims)', default: '15000' },
  connections: { help: 'connections of the load generator', default: '200' },
  runs: { help: 'repeat everything N times and report medians', default: '1' },
  designs: { help: 'comma-separated subset of engine,naive,plain', default: 'engine,naive,plain' },
  'lane-claims': { help: 'claims pre-filled for the lane decide rate (0 = skip)', default: '20000' },
  orders: { help: 'orders in the order rush, (a) vs (b) (0 = skip)', default: '20000' },
  'order-stock': { help: 'stock of the product in the order rush', default: '5000' },
  'request-path': {
    help: 'seconds per request-path figure, engine API vs a bare enqueue, with wrk (0 = skip)',
    default: '10',
  },
  'request-path-connections': { help: 'wrk connections for the request-path figures', default: '100' },
  baseline: { help: 'root of another checkout whose API the request-path figures measure too (before/after)' },
  only: { help: '`request-path`: measure only the request path, no rushes' },
  out: { help: 'directory for the JSON result', default: 'reports' },
};

type Design = 'engine' | 'naive' | 'plain';
const LABEL: Record<Design, string> = {
  engine: '(a) engine',
  naive: '(b) naive sync',
  plain: '(c) plain BullMQ c=1',
};

interface RushResult {
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

const config = loadConfig();
const progress = new ProgressBar();

async function main(): Promise<void> {
  const args = parseCli(spec);
  if (args.help) {
    console.log(usage('npm run bench --', 'Engine vs naive vs plain-worker benchmark.', spec));
    return;
  }
  const claims = args.number('claims', { min: 100, max: 1_000_000 });
  const stock = args.number('stock', { min: 1, max: claims });
  const users = args.number('users', { min: 1, max: claims });
  const connections = args.number('connections', { min: 1, max: 2_000 });
  const runs = args.number('runs', { min: 1, max: 20 });
  const laneClaims = args.number('lane-claims', { min: 0, max: 1_000_000 });
  const orders = args.number('orders', { min: 0, max: 1_000_000 });
  const orderStock = args.number('order-stock', { min: 1, max: 1_000_000_000 });
  const designs = (args.string('designs') as string).split(',').map((d) => d.trim()) as Design[];
  for (const d of designs) if (!(d in LABEL)) throw new UsageError(`unknown design ${d}`);
  const outDir = args.string('out') as string;
  const pathSeconds = args.number('request-path', { min: 0, max: 600 });
  const pathConnections = args.number('request-path-connections', { min: 1, max: 10_000 });
  const baselineDir = args.string('baseline');
  const only = args.string('only');
  if (only !== undefined && only !== 'request-path') throw new UsageError(`--only takes request-path, not ${only}`);
  const withRushes = only === undefined;
  const withPath = pathSeconds > 0 && (await wrkAvailable());
  if (pathSeconds > 0 && !withPath) console.log('request path: skipped, wrk is not installed (apt-get install wrk)');

  buildEngine();
  const machine = await describeMachine();
  console.log(
    `bench: ${claims} claims on a coupon of ${stock} by ${users} users, ${connections} connections, ${runs} run(s)\n` +
      `machine: ${machine.cpus} cpus, ${machine.memoryGiB} GiB, Node ${machine.node}, MariaDB ${machine.mariadb}, Redis ${machine.redis}`,
  );
  const started = Date.now();
  const rushes: RushResult[][] = [];
  const loads: number[] = [loadavg()[0] as number];
  const lanes: { engine: number; plain: number }[] = [];
  const paths: PathFigure[][] = [];
  for (let run = 1; run <= runs; run++) {
    // Other processes on the machine skew every figure; the load average says how much there was.
    console.log(
      `\n== run ${run} of ${runs} (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    if (withPath) {
      const figures = await measureRequestPath({
        databaseUrl: config.DATABASE_URL,
        redisUrl: config.REDIS_URL,
        connections: pathConnections,
        seconds: pathSeconds,
        baselineDir,
      });
      console.log(textTable(...tableOf(summarizeRequestPath([figures], median))));
      paths.push(figures);
    }
    if (!withRushes) continue;
    const plan = makePlan([1], users, claims, 1_000_000 + run * 10_000_000).map((p) => p.userId);
    const results: RushResult[] = [];
    for (const design of designs) {
      const result = await claimRush(design, plan, stock, connections);
      printRow(result);
      results.push(result);
    }
    if (orders > 0 && designs.includes('engine')) {
      const orderPlan = Array.from({ length: orders }, (_, i) => 50_000_000 + run * 1_000_000 + i);
      for (const design of ['engine', 'naive'] as const) {
        if (!designs.includes(design)) continue;
        const result = await orderRush(design, orderPlan, orderStock, connections);
        printRow(result);
        results.push(result);
      }
    }
    rushes.push(results);
    if (laneClaims > 0) {
      const lanePlan = makePlan([1], Math.round(laneClaims * (users / claims)), laneClaims, 1).map((p) => p.userId);
      const engine = designs.includes('engine') ? await laneRate('engine', lanePlan, stock) : NaN;
      const plain = designs.includes('plain') ? await laneRate('plain', lanePlan, stock) : NaN;
      console.log(
        `lane decide rate, pre-filled ${laneClaims}: engine ${Math.round(engine)}/s, plain ${Math.round(plain)}/s`,
      );
      lanes.push({ engine, plain });
    }
  }

  loads.push(loadavg()[0] as number);
  const summary = summarize(rushes, lanes, runs);
  const pathSummary = paths.length > 0 ? summarizeRequestPath(paths, median) : undefined;
  console.log(
    `\n== medians of ${runs} run(s), ${((Date.now() - started) / 1000).toFixed(0)} s in all, 1-minute load average ${loads[0]?.toFixed(2)} before, ${loads.at(-1)?.toFixed(2)} after`,
  );
  if (withRushes) console.log(summary.text);
  if (pathSummary) {
    console.log(`\nrequest path (wrk -t1 -c${pathConnections}, ${pathSeconds} s each, no worker running):`);
    console.log(textTable(...tableOf(pathSummary)));
  }
  const file = join(outDir, `bench-${timestampForFile()}.json`);
  await mkdir(outDir, { recursive: true });
  await writeFile(
    file,
    `${JSON.stringify({ machine, params: { claims, stock, users, connections, runs, laneClaims, orders, orderStock }, loadAverage: loads, rushes, lanes, medians: summary.medians, requestPath: { runs: paths, medians: pathSummary?.rows } }, null, 2)}\n`,
  );
  console.log(`\nresult: ${file}`);
}

async function describeMachine() {
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, 'probe');
  try {
    const version = await sql<{ v: string }>`SELECT VERSION() AS v`.execute(iso.db);
    const redis = new Redis(config.REDIS_URL);
    const info = await redis.info('server');
    redis.disconnect();
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      mariadb: version.rows[0]?.v ?? 'unknown',
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    };
  } finally {
    await iso.close();
  }
}

/** The processes of one design, started against its own database and prefix. */
async function startDesign(design: Design, iso: Isolated): Promise<{ url: string; children: ManagedProcess[] }> {
  const port = await freePort();
  const env = {
    DATABASE_URL: iso.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: iso.queuePrefix,
    ADMIN_TOKEN: 'bench-admin-token-0000',
    PORT: String(port),
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  };
  const children: ManagedProcess[] = [];
  if (design === 'engine') {
    const api = new ManagedProcess(ENGINE_API, { ...env, ...API_NODE_OPTIONS }, { label: 'engine api' });
    children.push(
      api,
      new ManagedProcess(ENGINE_WORKER, { ...env, ...WORKER_NODE_OPTIONS }, { label: 'engine worker' }),
    );
    await Promise.all([api.waitForLog(/api listening/), children[1]?.waitForLog(/worker started/)]);
  } else if (design === 'naive') {
    const server = new ManagedProcess('bench/naive/server.ts', { ...env, POOL_SIZE: '20' }, { label: 'naive server' });
    children.push(server);
    await server.waitForLog(/naive listening/);
  } else {
    const api = new ManagedProcess('bench/plain-worker/api.ts', env, { label: 'plain api' });
    children.push(api, new ManagedProcess('bench/plain-worker/worker.ts', env, { label: 'plain worker' }));
    await Promise.all([api.waitForLog(/plain api listening/), children[1]?.waitForLog(/plain worker ready/)]);
  }
  return { url: `http://127.0.0.1:${port}`, children };
}

/** A few hundred requests first, so that no design is measured while its code is still cold. */
async function warmUp(url: string, requests: { path: string; body: unknown }[]): Promise<number> {
  const client = new JsonClient(url, 50);
  const queued = new Set<string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < requests.length) {
        const r = requests[next++] as { path: string; body: unknown };
        const res = await client.post<RequestResource>(r.path, r.body);
        if (res.status === 202 && res.body?.requestId) queued.add(res.body.requestId);
      }
    }),
  );
  await client.close();
  return queued.size;
}

/**
 * Queued requests, each once: a repeated submit of a user still in line gets the same request back
 * (202, same id and sequence), so answers and requests are not one to one.
 */
const distinctQueued = (results: GeneratorResult[]) =>
  new Set(results.filter((r) => r.httpStatus === 202 && r.requestId).map((r) => r.requestId)).size;

/** One observation per request id, the first answer that named it. */
function oncePerRequest<T extends { requestId: string }>(observations: T[]): T[] {
  const seen = new Set<string>();
  return observations.filter((o) => !seen.has(o.requestId) && seen.add(o.requestId));
}

/** CPU used by the design's processes and by MariaDB and Redis between `start()` and `stop()`. */
function cpuMeter(children: ManagedProcess[]) {
  const services = servicePids(Number(new URL(config.REDIS_URL).port || 6379));
  const read = () => ({
    own: children.reduce((sum, c) => sum + c.cpuMs(), 0),
    services: services.reduce((sum, pid) => sum + processCpuMs(pid), 0),
  });
  const before = read();
  return (requests: number) => {
    const after = read();
    return {
      cpuOwnMs: (after.own - before.own) / requests,
      cpuServicesMs: (after.services - before.services) / requests,
      rssMb: Object.fromEntries(children.map((c) => [c.label, c.peakRssMb()])),
    };
  };
}

interface OutcomeRow {
  request_id: string;
  status: string;
  error_code: string | null;
  sequence: number | null;
  result: string | null;
  finished_at: Date;
}

/** Waits until the queued requests all have an outcome, then reads the outcomes. */
async function awaitOutcomes(db: Db, baseline: number, queued: number): Promise<Map<string, OutcomeRow>> {
  const timeoutMs = Math.max(120_000, queued * 10);
  const done = await waitForRows(db, 'request_outcomes', baseline + queued, timeoutMs, (n) =>
    progress.update('deciding', n - baseline, queued),
  );
  progress.finish('decided', (await countRows(db, 'request_outcomes')) - baseline, queued);
  if (!done) console.log(`  not every request was decided within ${timeoutMs / 1000} s`);
  const rows = await db
    .selectFrom('request_outcomes')
    .select(['request_id', 'status', 'error_code', 'sequence', 'result', 'finished_at'])
    .execute();
  return new Map(rows.map((r) => [r.request_id, r as OutcomeRow]));
}

interface Finalised {
  result: GeneratorResult;
  status: string;
  sequence: number | null;
  errorCode: string | undefined;
  resultBody: Record<string, unknown> | undefined;
  /** Epoch ms at which the outcome was final: the answer itself, or the decision of a queued request. */
  finalAt: number;
}

function finalise(results: GeneratorResult[], outcomes: Map<string, OutcomeRow>): Finalised[] {
  return results.map((r) => {
    const answer = r.resource;
    const row = r.requestId ? outcomes.get(r.requestId) : undefined;
    if (row) {
      return {
        result: r,
        status: row.status,
        sequence: row.sequence === null ? null : Number(row.sequence),
        errorCode: row.error_code ?? undefined,
        resultBody: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : undefined,
        finalAt: new Date(row.finished_at).getTime(),
      };
    }
    const final = answer && FINAL_STATUSES.has(answer.status);
    return {
      result: r,
      status: answer?.status ?? `HTTP ${r.httpStatus}`,
      sequence: answer?.sequence ?? null,
      errorCode: answer?.error?.code ?? r.problemCode,
      resultBody: answer?.result,
      finalAt: final ? r.answeredAt : NaN,
    };
  });
}

function figures(design: Design, kind: RushResult['kind'], rows: Finalised[]) {
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

async function claimRush(design: Design, plan: number[], stock: number, connections: number): Promise<RushResult> {
  console.log(`${LABEL[design]}: claims`);
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, design);
  const coupon = (total: number) => ({
    name: `bench ${design}`,
    discountType: 'FIXED' as const,
    discountValue: 1000,
    maxDiscountAmount: null,
    minOrderAmount: 0,
    totalQuantity: total,
    claimStartsAt: null,
    claimEndsAt: null,
    validDays: 7,
  });
  const couponId = await insertCoupon(iso.db, coupon(stock));
  const warmId = await insertCoupon(iso.db, coupon(100));
  const setup: RushSetup = { design, iso, connections, children: [] };
  try {
    const { results, cpu, rows } = await fireRush(
      setup,
      Array.from({ length: 400 }, (_, i) => ({ path: `/coupons/${warmId}/claims`, body: { userId: 1 + (i % 300) } })),
      plan.map((userId) => ({ path: `/coupons/${couponId}/claims`, body: { userId } })),
    );

    const observations: ClaimObservation[] = oncePerRequest(
      rows
        .map((f, i) => ({ f, userId: plan[i] as number }))
        .filter(({ f }) => f.result.requestId)
        .map(({ f, userId }) => ({
          requestId: f.result.requestId as string,
          couponId,
          userId,
          status: f.status,
          sequence: f.sequence,
          errorCode: f.errorCode,
        })),
    );
    const holders = await iso.db
      .selectFrom('user_coupons')
      .select('user_id')
      .where('coupon_id', '=', couponId)
      .execute();
    const row = await iso.db
      .selectFrom('coupons')
      .select(['total_quantity', 'issued_quantity'])
      .where('id', '=', couponId)
      .executeTakeFirstOrThrow();
    const oracle = verifyClaims(observations, [
      {
        couponId,
        totalQuantity: row.total_quantity,
        issuedQuantity: row.issued_quantity,
        holders: holders.map((h) => h.user_id),
      },
    ]);
    return { ...figures(design, 'claims', rows), ...cpu, ...verdict(results, oracle.violations) };
  } finally {
    await Promise.all(setup.children.map((c) => c.stop()));
    await iso.close();
  }
}

/**
 * Starts the design (its processes join `children`, for the caller to stop), warms it up with `warm`,
 * fires `rush` through the load generator and waits until the lane has decided every queued request.
 */
/** One design's rush: where it runs, how many connections fire it, and the processes it started. */
interface RushSetup {
  design: Design;
  iso: Isolated;
  connections: number;
  children: ManagedProcess[];
}

async function fireRush(
  { design, iso, connections, children }: RushSetup,
  warm: GeneratorSpec['requests'],
  rush: GeneratorSpec['requests'],
) {
  const started = await startDesign(design, iso);
  children.push(...started.children);
  const warmQueued = await warmUp(started.url, warm);
  if (warmQueued > 0) await waitForRows(iso.db, 'request_outcomes', warmQueued, 60_000);
  const baseline = design === 'naive' ? 0 : await countRows(iso.db, 'request_outcomes');
  const meter = cpuMeter(started.children);
  const results = await runGenerator(started.url, connections, rush);
  const queued = distinctQueued(results);
  const outcomes = design === 'naive' ? new Map<string, OutcomeRow>() : await awaitOutcomes(iso.db, baseline, queued);
  const cpu = meter(results.length);
  return { results, cpu, rows: finalise(results, outcomes) };
}

/** A rush passes when every submission was accepted and the oracle found nothing. */
function verdict(results: readonly GeneratorResult[], found: readonly string[]) {
  const rejectedAtSubmit = results.filter((r) => !r.requestId).length;
  const violations = [...(rejectedAtSubmit > 0 ? [`${rejectedAtSubmit} submissions were not accepted`] : []), ...found];
  return { verdict: violations.length === 0 ? ('PASS' as const) : ('FAIL' as const), violations };
}

async function orderRush(
  design: 'engine' | 'naive',
  userIds: number[],
  stock: number,
  connections: number,
): Promise<RushResult> {
  console.log(`${LABEL[design]}: orders`);
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, `${design}o`);
  const productId = await insertProduct(iso.db, { name: 'bench', price: 1000, stock });
  const warmId = await insertProduct(iso.db, { name: 'warm-up', price: 1000, stock: 100 });
  const setup: RushSetup = { design, iso, connections, children: [] };
  try {
    const { results, cpu, rows } = await fireRush(
      setup,
      Array.from({ length: 400 }, (_, i) => ({
        path: '/orders',
        body: { userId: 1 + i, items: [{ productId: warmId, quantity: 1 }] },
      })),
      userIds.map((userId) => ({ path: '/orders', body: { userId, items: [{ productId, quantity: 1 }] } })),
    );

    const observations: OrderObservation[] = oncePerRequest(
      rows
        .map((f, i) => ({ f, userId: userIds[i] as number }))
        .filter(({ f }) => f.result.requestId)
        .map(({ f, userId }) => ({
          requestId: f.result.requestId as string,
          userId,
          items: [{ productId, quantity: 1 }],
          status: f.status,
          sequence: f.sequence,
          errorCode: f.errorCode,
          orderId: typeof f.resultBody?.orderId === 'number' ? f.resultBody.orderId : undefined,
          acceptedAt: f.result.resource?.acceptedAt ? Date.parse(f.result.resource.acceptedAt) : undefined,
        })),
    );
    const storedRows = await iso.db
      .selectFrom('orders as o')
      .innerJoin('order_items as i', 'i.order_id', 'o.id')
      .select(['o.id', 'o.user_id', 'o.status', 'i.product_id', 'i.quantity'])
      .where('i.product_id', '=', productId)
      .execute();
    const stored: StoredOrderObservation[] = storedRows.map((r) => ({
      orderId: r.id,
      userId: r.user_id,
      status: r.status,
      items: [{ productId: r.product_id, quantity: r.quantity }],
    }));
    const product = await iso.db
      .selectFrom('products')
      .select('stock')
      .where('id', '=', productId)
      .executeTakeFirstOrThrow();
    const oracle = verifyOrders(observations, [{ productId, initialStock: stock, stock: product.stock }], stored);
    return { ...figures(design, 'orders', rows), ...cpu, ...verdict(results, oracle.violations) };
  } finally {
    await Promise.all(setup.children.map((c) => c.stop()));
    await iso.close();
  }
}

/**
 * A lane's decide rate with nothing else running: the lane is pre-filled with claims, then the
 * worker process starts and drains it. Rate = claims / (last decision - first decision).
 */
async function laneRate(design: 'engine' | 'plain', userIds: number[], stock: number): Promise<number> {
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, `${design}l`);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const couponId = await insertCoupon(iso.db, {
    name: 'lane',
    discountType: 'FIXED',
    discountValue: 1000,
    maxDiscountAmount: null,
    minOrderAmount: 0,
    totalQuantity: stock,
    claimStartsAt: null,
    claimEndsAt: null,
    validDays: 7,
  });
  const queue =
    design === 'engine'
      ? createLaneQueue(iso.queuePrefix, laneForCoupon(couponId, config.COUPON_LANES), redis)
      : new Queue(PLAIN_QUEUE, { connection: redis, prefix: iso.queuePrefix });
  let worker: ManagedProcess | undefined;
  try {
    for (let i = 0; i < userIds.length; i += 1000) {
      await queue.addBulk(
        userIds.slice(i, i + 1000).map((userId) => ({
          name: `claim coupon ${couponId} by user ${userId}`,
          data: { couponId, userId, acceptedAt: Date.now(), ...(design === 'engine' ? { nonce: newNonce() } : {}) },
          opts: { removeOnComplete: { count: 1000 } },
        })),
      );
      progress.update('pre-fill', Math.min(i + 1000, userIds.length), userIds.length, `${design} lane`);
    }
    progress.finish('pre-filled', userIds.length, userIds.length, `${design} lane`);
    const env = {
      DATABASE_URL: iso.databaseUrl,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: iso.queuePrefix,
      LOG_LEVEL: 'warn',
      METRICS_PORT: '0',
    };
    worker =
      design === 'engine'
        ? new ManagedProcess(ENGINE_WORKER, { ...env, ...WORKER_NODE_OPTIONS }, { label: 'engine worker' })
        : new ManagedProcess('bench/plain-worker/worker.ts', env, { label: 'plain worker' });
    const done = await waitForRows(
      iso.db,
      'request_outcomes',
      userIds.length,
      Math.max(120_000, userIds.length * 10),
      (n) => progress.update('deciding', n, userIds.length, `${design} lane`),
    );
    progress.finish('decided', await countRows(iso.db, 'request_outcomes'), userIds.length, `${design} lane`);
    if (!done) console.log(`  ${design} lane did not finish in time`);
    return (await decideSpan(iso.db)).rate;
  } finally {
    await worker?.stop();
    await queue.close();
    redis.disconnect();
    await iso.close();
  }
}

const fmtRate = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');

const fmtRss = (rss: Record<string, number>) =>
  Object.entries(rss)
    .map(([label, mb]) => `${label.split(' ').at(-1)} ${Number.isFinite(mb) ? Math.round(mb) : '-'} MB`)
    .join(', ');

function printRow(r: RushResult): void {
  console.log(
    `  ${LABEL[r.design]} ${r.kind}: ${fmtRate(r.perSecond)}/s end to end, submit p99 ${fmtMs(r.submitP99)}, ` +
      `final p99 ${fmtMs(r.finalP99)}, decide ${fmtRate(r.decidePerSecond)}/s, ` +
      `CPU ${r.cpuOwnMs.toFixed(2)} + ${r.cpuServicesMs.toFixed(2)} ms/request, peak RSS ${fmtRss(r.rssMb)}, ${r.verdict}` +
      (r.violations.length > 0 ? `\n    ${r.violations.slice(0, 5).join('\n    ')}` : ''),
  );
}

function summarize(rushes: RushResult[][], lanes: { engine: number; plain: number }[], runs: number) {
  const all = rushes.flat();
  const keys = [...new Set(all.map((r) => `${r.kind}:${r.design}`))];
  const medians = keys.map((key) => {
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
  // Ratios are taken within each run (both designs under that run's load), then their median.
  const ratio = (kind: string, a: Design, b: Design) =>
    median(
      rushes.map((run) => {
        const rate = (d: Design) => run.find((r) => r.kind === kind && r.design === d)?.perSecond ?? NaN;
        return rate(a) / rate(b);
      }),
    );
  const laneEngine = median(lanes.map((l) => l.engine));
  const lanePlain = median(lanes.map((l) => l.plain));
  const laneRatio = median(lanes.map((l) => l.engine / l.plain));
  const fmtX = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '-');
  const ratios = {
    claimsAB: ratio('claims', 'engine', 'naive'),
    claimsAC: ratio('claims', 'engine', 'plain'),
    ordersAB: ratio('orders', 'engine', 'naive'),
    laneAC: laneRatio,
  };
  const text = [
    textTable(
      [
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
      ],
      rows,
    ),
    '',
    `claims end to end: a/b ${fmtX(ratios.claimsAB)}, a/c ${fmtX(ratios.claimsAC)}`,
    `orders end to end: a/b ${fmtX(ratios.ordersAB)}`,
    lanes.length > 0
      ? `lane decide rate (pre-filled): engine ${fmtRate(laneEngine)}/s, plain c=1 ${fmtRate(lanePlain)}/s, a/c ${fmtX(laneRatio)}`
      : '',
    "CPU ms/req: the design's own processes + MariaDB and Redis (shared: other load on the machine counts too)",
    runs > 1 ? `(medians of ${runs} runs; each ratio is the median of the runs' own ratios)` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, medians: { rushes: medians, lane: { engine: laneEngine, plain: lanePlain }, ratios } };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(
        `${err.message}\n\n${usage('npm run bench --', 'Engine vs naive vs plain-worker benchmark.', spec)}`,
      );
    } else console.error(err);
    process.exit(2);
  },
);
