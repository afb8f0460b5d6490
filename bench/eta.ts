// How good the estimated wait is: an API and a worker run and have decided a warm-up rush on the
// lane; then a backlog is added to the lane at once (faster than the lane decides, as at a sale's
// start), and while the worker drains it a sample of the queued requests is polled. For each sampled
// request, every poll that carries estimatedWaitMs is compared with the wait measured from that poll
// to the request's finishedAt. Prints the ratio measured / estimated, for every estimate and for each
// request's first one. Pollers are few and slow (--sample, --every) so that they take little of the
// machine the lane runs on.
//   npm run bench:eta -- --backlog 20000 --stock 5000 --sample 100 --every 250 [--lane orders] [--runs 3]
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createRedis } from '../src/redis.js';
import { claimLane, createLaneQueue, laneKeys, ORDER_LANE, type Lane } from '../rush/lanes.js';
import { formatRequestId } from '../src/request/request.ids.js';
import { retryAfterSeconds } from '../src/request/eta.js';
import { claimJob, insertCoupon, orderJob, prefill } from './lib/prefill.js';
import { JsonClient, nowMs, sleep } from '../rush/http.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import { isolated } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    backlog: { type: 'string', default: '20000' },
    stock: { type: 'string', default: '5000' },
    users: { type: 'string', default: '15000' },
    sample: { type: 'string', default: '100' },
    every: { type: 'string', default: '250' },
    lane: { type: 'string', default: 'claims' },
    runs: { type: 'string', default: '1' },
    warm: { type: 'string', default: '3000' },
  },
});
const backlog = Number(values.backlog);
const stock = Number(values.stock);
const users = Number(values.users);
const sampleSize = Number(values.sample);
const orders = values.lane === 'orders';
const warm = Number(values.warm);
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

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function run(runNo: number): Promise<number[]> {
  const iso = await isolated(base.DATABASE_URL, base.REDIS_URL, 'eta');
  const redis = createRedis(base);
  const children: ManagedProcess[] = [];
  try {
    // The warm-up rush goes to a coupon (product) of its own on the same lane.
    let lane: Lane = ORDER_LANE;
    let makeJob: (i: number) => { name: string; data: Record<string, unknown> };
    let warmJob: (i: number) => { name: string; data: Record<string, unknown> };
    if (orders) {
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
      makeJob = (i) => orderJob(id, i, users);
      warmJob = (i) => orderJob(warmId, i, users);
    } else {
      const couponId = await insertCoupon(iso.db, 'eta', stock);
      lane = claimLane(couponId % base.COUPON_LANES);
      let warmId = await insertCoupon(iso.db, 'eta warm-up', warm);
      while (warmId % base.COUPON_LANES !== couponId % base.COUPON_LANES)
        warmId = await insertCoupon(iso.db, 'eta warm-up', warm);
      makeJob = (i) => claimJob(couponId, i, users);
      warmJob = (i) => claimJob(warmId, i, users);
    }

    const env = { DATABASE_URL: iso.databaseUrl, QUEUE_PREFIX: iso.queuePrefix, LOG_LEVEL: 'warn', METRICS_PORT: '0' };
    const port = await freePort();
    const api = new ManagedProcess(
      'apps/api/main.ts',
      { ...env, PORT: String(port), LOG_LEVEL: 'info' },
      { label: 'api' },
    );
    children.push(api);
    const worker = new ManagedProcess('workers/main.ts', { ...env, LOG_LEVEL: 'info' }, { label: 'worker' });
    children.push(worker);
    await Promise.all([api.waitForLog(/api listening/), worker.waitForLog(/lane acquired/)]);
    const client = new JsonClient(`http://127.0.0.1:${port}`, 50);

    const queue = createLaneQueue(iso.queuePrefix, lane, redis);
    const decidedKey = laneKeys(iso.queuePrefix, lane).decided;
    const warmed = await prefill(queue, warm, warmJob);
    while (Number((await redis.get(decidedKey)) ?? 0) < Number(warmed.at(-1)?.id ?? 0)) await sleep(50);
    const jobs = await prefill(queue, backlog, makeJob);
    await queue.close();
    const step = Math.max(1, Math.floor(jobs.length / sampleSize));
    const sampled = jobs
      .filter((_, i) => i % step === step - 1)
      .map((j) => ({
        sequence: Number(j.id),
        requestId: formatRequestId(lane.code, Number(j.id), (j.data as { nonce: string }).nonce),
      }));

    const observed: Observed[] = [];
    await Promise.all(
      sampled.map(async ({ sequence, requestId }) => {
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
            estimates.forEach((e, i) =>
              observed.push({
                sequence,
                position: e.position,
                estimatedMs: e.eta,
                measuredMs: finished - e.at,
                retryAfterOk: e.retryAfterOk,
                first: i === 0,
              }),
            );
            return;
          }
          await sleep(Number(values.every));
        }
      }),
    );
    await client.close();
    const ratio = (o: Observed) => o.measuredMs / Math.max(1, o.estimatedMs);
    const inFactor2 = (o: Observed) => o.measuredMs <= 2 * o.estimatedMs && o.measuredMs >= o.estimatedMs / 2;
    const summary = (list: Observed[]) => {
      const r = list.map(ratio).sort((a, b) => a - b);
      return (
        `p10 ${quantile(r, 0.1)?.toFixed(2)}, median ${quantile(r, 0.5)?.toFixed(2)}, p90 ${quantile(r, 0.9)?.toFixed(2)}; ` +
        `within a factor of 2: ${list.filter(inFactor2).length}/${list.length}`
      );
    };
    const firsts = observed.filter((o) => o.first).sort((a, b) => a.sequence - b.sequence);
    const deep = observed.filter((o) => o.position >= 1000);
    console.log(
      `run ${runNo}: ${values.lane} lane, backlog ${backlog}, ${firsts.length} of ${sampled.length} sampled requests seen with an estimate, ${observed.length} estimates`,
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
    const ratios = observed.map(ratio);
    return ratios;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    redis.disconnect();
    await iso.close();
  }
}

const all: number[] = [];
for (let i = 1; i <= Number(values.runs); i++) all.push(...(await run(i)));
all.sort((a, b) => a - b);
console.log(`all runs: median measured / estimated ${quantile(all, 0.5)?.toFixed(2)} over ${all.length} requests`);
