// The engine on a real 3-master Redis Cluster: two API processes, three worker processes, a rush
// over eight lanes, the fairness oracle for every coupon, and where the lanes' keys ended up.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedis, masterNodes, whenReady } from '../../src/redis.js';
import { verifyClaims } from '../../src/verify/claims.oracle.js';
import { adminCreateCoupon, makePlan, observeCoupon, submitClaim, toObservations } from '../../rush/claims.js';
import type { RequestResource } from '../../rush/request-resource.js';
import { awaitFinal } from '../../rush/poll.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { type ManagedProcess } from '../../rush/processes.js';
import { slotOwners, startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';

const LANES = 8;

let cluster: RedisClusterHandle | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  await cluster?.stop();
  stack = undefined;
  cluster = undefined;
});

/** Resolves once every lane in `lanes` has been acquired by one of the workers. */
async function allLanesOwned(workers: ManagedProcess[], lanes: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owned = new Set(workers.flatMap((w) => w.lines.filter((l) => l.msg === 'lane acquired').map((l) => l.lane)));
    if (lanes.every((l) => owned.has(l))) return;
    if (Date.now() > deadline)
      throw new Error(`lanes never acquired: ${lanes.filter((l) => !owned.has(l)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lane → the master ports holding its keys and how many keys, found by SCAN on every master. */
async function laneKeysPerMaster(nodes: string, queuePrefix: string) {
  const redis = createRedis(loadConfig({ REDIS_CLUSTER_NODES: nodes }), { maxRetriesPerRequest: 1 });
  try {
    await whenReady(redis, 10_000);
    const lanes = new Map<string, Map<number, number>>();
    for (const node of masterNodes(redis)) {
      const port = Number(node.options.port);
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${queuePrefix}:{*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const lane = /\{([^}]+)\}/.exec(key)?.[1] ?? '?';
          const perMaster = lanes.get(lane) ?? new Map<number, number>();
          perMaster.set(port, (perMaster.get(port) ?? 0) + 1);
          lanes.set(lane, perMaster);
        }
      } while (cursor !== '0');
    }
    return lanes;
  } finally {
    redis.disconnect();
  }
}

describe('Redis Cluster', () => {
  it('when two APIs and three workers rush eight lanes on a 3-master cluster, then every coupon is fair and the lanes spread over the masters', async () => {
    const started = Date.now();
    const redisCluster = await startRedisCluster(3);
    cluster = redisCluster;
    const clusterUp = Date.now();
    const local = await isolatedStack({ redisClusterNodes: redisCluster.nodes });
    stack = local;
    const env = { COUPON_LANES: String(LANES), LANE_BATCH_SIZE: '100' };
    // Five processes start at once on a small machine: give them time.
    const workers = [0, 1, 2].map(() => local.worker(env));
    const apis = await Promise.all([0, 1].map(() => local.api(env, { startTimeoutMs: 60_000 })));
    const urls = apis.map((a) => a.url);
    const claimLanes = Array.from({ length: LANES }, (_, i) => `claims-${i}`);
    await allLanesOwned(workers, claimLanes, 60_000);
    const processesUp = Date.now();

    // One coupon per lane at least: ids are consecutive, so eight in a row cover every lane.
    const stocks = [12, 25, 8, 30, 17, 20, 10, 40];
    const coupons: { id: number; stock: number }[] = [];
    for (const [i, stock] of stocks.entries()) {
      const { id } = await adminCreateCoupon(urls[i % 2] as string, ADMIN_TOKEN, {
        name: `cluster rush ${i}`,
        discountType: 'FIXED',
        discountValue: 500,
        totalQuantity: stock,
        validDays: 7,
      });
      coupons.push({ id, stock });
    }
    const ids = coupons.map((c) => c.id);
    expect(new Set(ids.map((id) => id % LANES)).size).toBe(LANES);

    const plan = makePlan(ids, 200, 1_200, 70_000);
    const submitted = await pool(plan, 100, (item, i) => submitClaim(urls[i % 2] as string, item));
    expect(submitted.filter((s) => s.httpStatus !== 202 && s.httpStatus !== 200)).toEqual([]);
    const deadline = Date.now() + 45_000;
    const finals = new Map<string, RequestResource>();
    await pool(
      submitted.filter((s) => s.requestId),
      50,
      async (s, i) =>
        finals.set(s.requestId as string, await awaitFinal(urls[i % 2] as string, s.requestId as string, deadline)),
    );
    const observed = await Promise.all(
      ids.map((id, i) =>
        observeCoupon(
          urls[i % 2] as string,
          id,
          submitted.filter((s) => s.couponId === id).map((s) => s.userId),
        ),
      ),
    );
    const report = verifyClaims(toObservations(submitted, finals), observed);
    const rushDone = Date.now();

    expect(report.violations).toEqual([]);
    expect(report.perCoupon.map((c) => c.succeeded)).toEqual(stocks);

    // Where the lanes live: every lane in one slot (one master), the lanes over at least two masters.
    const owners = await slotOwners(redisCluster);
    const lanes = await laneKeysPerMaster(redisCluster.nodes, local.queuePrefix);
    const rows = await Promise.all(
      claimLanes.map(async (lane) => {
        const slot = Number(await redisCluster.cli(redisCluster.ports[0] as number, 'cluster', 'keyslot', lane));
        const owner = owners.find((o) => o.ranges.some(([a, b]) => slot >= a && slot <= b))?.port;
        const perMaster = lanes.get(lane) ?? new Map<number, number>();
        return {
          lane,
          slot,
          owner,
          masters: [...perMaster.keys()],
          keys: [...perMaster.values()].reduce((a, b) => a + b, 0),
        };
      }),
    );
    const ownersOf = (lane: string) =>
      workers
        .map((w, i) => (w.lines.some((l) => l.msg === 'lane acquired' && l.lane === lane) ? `worker ${i}` : null))
        .filter(Boolean)
        .join(', ');
    const s = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
    console.log(
      `cluster ${s(started, clusterUp)}, processes ${s(clusterUp, processesUp)}, rush and oracle ${s(processesUp, rushDone)}\n` +
        'lane      slot   master  keys  owned by\n' +
        rows
          .map(
            (r) =>
              `${r.lane.padEnd(9)} ${String(r.slot).padStart(5)}  ${String(r.owner)}  ${String(r.keys).padStart(4)}  ${ownersOf(r.lane)}`,
          )
          .join('\n'),
    );
    for (const r of rows) {
      expect(r.keys).toBeGreaterThan(0);
      expect(r.masters).toEqual([r.owner]);
    }
    expect(new Set(rows.map((r) => r.owner)).size).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
