// How good the estimated wait is: an API and a worker run and have decided a warm-up rush on the
// lane; then a backlog is added to the lane at once (faster than the lane decides, as at a sale's
// start), and while the worker drains it a sample of the queued requests is polled. For each sampled
// request, every poll that carries estimatedWaitMs is compared with the wait measured from that poll
// to the request's finishedAt. Prints the ratio measured / estimated, for every estimate and for each
// request's first one. Pollers are few and slow (--sample, --every) so that they take little of the
// machine the lane runs on.
//   npm run bench:eta -- --backlog 20000 --stock 5000 --sample 100 --every 250 [--lane orders] [--runs 3]
import { loadConfig } from '../src/config.js';
import { createRedis, type RedisClient } from '../src/redis.js';
import { claimLane, createLaneQueue, laneKeys, ORDER_LANE, type Lane } from '../rush/lanes.js';
import { formatRequestId } from '../src/request/request.ids.js';
import { retryAfterSeconds } from '../src/request/eta.js';
import { commandArgs, UsageError } from '../toolkit/args.js';
import { claimJob, insertCoupon, orderJob, prefill } from './lib/prefill.js';
import { JsonClient, nowMs, sleep } from '../rush/http.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import { isolated, type Isolated } from './lib/stack.js';

const command = {
  command: 'npm run bench:eta --',
  summary: 'Each estimatedWaitMs a poll answered against the wait measured, while a worker drains a backlog.',
  options: {
    backlog: { help: 'requests added to the lane at once', default: '20000' },
    stock: { help: 'coupon totalQuantity (product stock with --lane orders)', default: '5000' },
    users: { help: 'distinct users (the rest are repeats)', default: '15000' },
    sample: { help: 'queued requests polled', default: '100' },
    every: { help: 'ms between the polls of one sampled request', default: '250' },
    lane: { help: 'claims or orders', default: 'claims' },
    runs: { help: 'runs; the median ratio is over all of them', default: '1' },
    warm: { help: 'requests of the warm-up rush decided before the backlog', default: '3000' },
  },
};
const opts = commandArgs(command, (args) => {
  const lane = args.string('lane');
  if (lane !== 'claims' && lane !== 'orders') throw new UsageError(`--lane takes claims or orders, not ${lane}`);
  return {
    backlog: args.number('backlog', { min: 1, max: 10_000_000 }),
    stock: args.number('stock', { min: 1, max: 1_000_000_000 }),
    users: args.number('users', { min: 1, max: 10_000_000 }),
    sampleSize: args.number('sample', { min: 1, max: 100_000 }),
    everyMs: args.number('every', { min: 1, max: 60_000 }),
    lane,
    runs: args.number('runs', { min: 1, max: 50 }),
    warm: args.number('warm', { min: 1, max: 10_000_000 }),
  };
});
const base = loadConfig();

interface Resource {
  status: string;
  position?: number;
  estimatedWaitMs?: number;
  finishedAt: string | null;
}
interface Observed {
  sequence: number;
  position: number;
  estimatedMs: number;
  measuredMs: number;
  retryAfterOk: boolean;
  first: boolean;
}
type MakeJob = (i: number) => { name: string; data: Record<string, unknown> };

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** The lane and its jobs: the backlog's, and the warm-up rush's on a coupon (product) of its own in the same lane. */
async function laneJobs(iso: Isolated): Promise<{ lane: Lane; makeJob: MakeJob; warmJob: MakeJob }> {
  const { stock, users, warm } = opts;
  if (opts.lane === 'orders') {
    const product = async (name: string, units: number) =>
      Number(
        (
          await iso.db
            .insertInto('products')
            .values({ name, price: 1000, stock: units, created_at: new Date() })
            .executeTakeFirstOrThrow()
        ).insertId,
      );
    const [id, warmId] = [await product('eta', stock), await product('eta warm-up', warm)];
    return { lane: ORDER_LANE, makeJob: (i) => orderJob(id, i, users), warmJob: (i) => orderJob(warmId, i, users) };
  }
  const couponId = await insertCoupon(iso.db, 'eta', stock);
  let warmId = await insertCoupon(iso.db, 'eta warm-up', warm);
  while (warmId % base.COUPON_LANES !== couponId % base.COUPON_LANES)
    warmId = await insertCoupon(iso.db, 'eta warm-up', warm);
  return {
    lane: claimLane(couponId % base.COUPON_LANES),
    makeJob: (i) => claimJob(couponId, i, users),
    warmJob: (i) => claimJob(warmId, i, users),
  };
}

/** An API and a worker (from the sources) on the run's database and prefix, once the worker owns the lane. */
async function startStack(iso: Isolated, children: ManagedProcess[]): Promise<string> {
  const env = { DATABASE_URL: iso.databaseUrl, QUEUE_PREFIX: iso.queuePrefix, LOG_LEVEL: 'info', METRICS_PORT: '0' };
  const port = await freePort();
  const api = new ManagedProcess('apps/api/main.ts', { ...env, PORT: String(port) }, { label: 'api' });
  children.push(api);
  const worker = new ManagedProcess('workers/main.ts', env, { label: 'worker' });
  children.push(worker);
  await Promise.all([api.waitForLog(/api listening/), worker.waitForLog(/lane acquired/)]);
  return `http://127.0.0.1:${port}`;
}

/** Lets the warm-up rush be decided, then adds the backlog at once; a sample of its requests, evenly spread. */
async function fillBacklog(iso: Isolated, redis: RedisClient, lane: Lane, makeJob: MakeJob, warmJob: MakeJob) {
  const queue = createLaneQueue(iso.queuePrefix, lane, redis);
  const decidedKey = laneKeys(iso.queuePrefix, lane).decided;
  const warmed = await prefill(queue, opts.warm, warmJob);
  while (Number((await redis.get(decidedKey)) ?? 0) < Number(warmed.at(-1)?.id ?? 0)) await sleep(50);
  const jobs = await prefill(queue, opts.backlog, makeJob);
  await queue.close();
  const step = Math.max(1, Math.floor(jobs.length / opts.sampleSize));
  return jobs
    .filter((_, i) => i % step === step - 1)
    .map((j) => ({
      sequence: Number(j.id),
      requestId: formatRequestId(lane.code, Number(j.id), (j.data as { nonce: string }).nonce),
    }));
}

/** Polls one request until it is final; every estimate it answered, against the wait measured from that poll. */
async function watch(client: JsonClient, sequence: number, requestId: string): Promise<Observed[]> {
  const estimates: { at: number; eta: number; position: number; retryAfterOk: boolean }[] = [];
  for (;;) {
    const sent = nowMs();
    const res = await client.get<Resource>(`/requests/${requestId}`);
    const at = (sent + nowMs()) / 2;
    const r = res.body;
    if (r.status === 'QUEUED' && r.estimatedWaitMs !== undefined) {
      const retryAfterOk = res.headers['retry-after'] === String(retryAfterSeconds(r.estimatedWaitMs));
      estimates.push({ at, eta: r.estimatedWaitMs, position: r.position ?? 0, retryAfterOk });
    }
    if (r.finishedAt) {
      const finished = Date.parse(r.finishedAt);
      return estimates.map((e, i) => ({
        sequence,
        position: e.position,
        estimatedMs: e.eta,
        measuredMs: finished - e.at,
        retryAfterOk: e.retryAfterOk,
        first: i === 0,
      }));
    }
    await sleep(opts.everyMs);
  }
}

const ratio = (o: Observed) => o.measuredMs / Math.max(1, o.estimatedMs);
const inFactor2 = (o: Observed) => o.measuredMs <= 2 * o.estimatedMs && o.measuredMs >= o.estimatedMs / 2;
const summary = (list: Observed[]) => {
  const r = list.map(ratio).sort((a, b) => a - b);
  return (
    `p10 ${quantile(r, 0.1)?.toFixed(2)}, median ${quantile(r, 0.5)?.toFixed(2)}, p90 ${quantile(r, 0.9)?.toFixed(2)}; ` +
    `within a factor of 2: ${list.filter(inFactor2).length}/${list.length}`
  );
};

function printRun(runNo: number, sampled: number, observed: Observed[]): void {
  const firsts = observed.filter((o) => o.first).sort((a, b) => a.sequence - b.sequence);
  const deep = observed.filter((o) => o.position >= 1000);
  console.log(
    `run ${runNo}: ${opts.lane} lane, backlog ${opts.backlog}, ${firsts.length} of ${sampled} sampled requests seen with an estimate, ${observed.length} estimates`,
  );
  for (const o of firsts.filter((_, i) => i % Math.max(1, Math.floor(firsts.length / 8)) === 0)) {
    console.log(
      `  first estimate at position ${String(o.position).padStart(6)}: ${String(o.estimatedMs).padStart(6)} ms, measured ${String(Math.round(o.measuredMs)).padStart(6)} ms`,
    );
  }
  console.log(`  measured / estimated, every estimate: ${summary(observed)}`);
  console.log(`  every estimate at position >= 1000: ${summary(deep)}`);
  console.log(`  each request's first estimate: ${summary(firsts)}`);
  console.log(
    `  Retry-After matched the estimate: ${observed.filter((o) => o.retryAfterOk).length}/${observed.length}`,
  );
}

/** One run on a database and prefix of its own; the ratios measured / estimated of every estimate. */
async function run(runNo: number): Promise<number[]> {
  const iso = await isolated(base.DATABASE_URL, base.REDIS_URL, 'eta');
  const redis = createRedis(base);
  const children: ManagedProcess[] = [];
  try {
    const { lane, makeJob, warmJob } = await laneJobs(iso);
    const client = new JsonClient(await startStack(iso, children), 50);
    const sampled = await fillBacklog(iso, redis, lane, makeJob, warmJob);
    const observed = (await Promise.all(sampled.map((s) => watch(client, s.sequence, s.requestId)))).flat();
    await client.close();
    printRun(runNo, sampled.length, observed);
    return observed.map(ratio);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    redis.disconnect();
    await iso.close();
  }
}

const all: number[] = [];
for (let i = 1; i <= opts.runs; i++) all.push(...(await run(i)));
all.sort((a, b) => a - b);
console.log(`all runs: median measured / estimated ${quantile(all, 0.5)?.toFixed(2)} over ${all.length} requests`);
