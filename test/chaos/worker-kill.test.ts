// A worker process killed with SIGKILL in the middle of an order rush: the other worker takes the
// orders lane over, adopts the jobs the dead owner held, and the orders oracle passes over
// everything the lane decided. Measures the takeover time.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ORDER_LANE } from '../support/lanes.js';
import { verifyOrders, type StoredOrderObservation } from '../../src/verify/orders.oracle.js';
import { pool } from '../../rush/pool.js';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';
import { type ManagedProcess } from '../../rush/processes.js';
import { finalsOrLost } from '../../rush/poll.js';
import { laneDecisions, killLaneOwnerAfterCommit, orderObservations, send, type Answer } from '../support/chaos.js';
import { pacedPool } from '../../rush/pool.js';
import { sleep } from '../../rush/http.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const LEASE_MS = 3_000;

async function createProduct(url: string, stock: number): Promise<number> {
  const res = await fetch(`${url}/admin/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ name: `chaos ${stock}`, price: 1000, stock }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

interface PlannedOrder {
  userId: number;
  items: { productId: number; quantity: number }[];
}

/** Orders of one or two distinct products, 1 to 3 units each, from `users` users. */
function orderPlan(productIds: number[], users: number, count: number): PlannedOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const first = Math.floor(Math.random() * productIds.length);
    const chosen = Math.random() < 0.3 ? [first, (first + 1) % productIds.length] : [first];
    return {
      userId: 400_000 + (i % users),
      items: chosen.map((p) => ({ productId: productIds[p] as number, quantity: 1 + Math.floor(Math.random() * 3) })),
    };
  });
}

describe('worker SIGKILL mid-rush (orders)', () => {
  it('when the owner of the orders lane is killed with SIGKILL mid-rush, then the standby takes the lane over within seconds and the orders oracle passes', async () => {
    stack = await isolatedStack();
    // Debug logs carry a `decided` line per request, written right after the batch commits.
    const env = { LANE_BATCH_SIZE: '50', LANE_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'debug' };
    const workers = [stack.worker(env), stack.worker(env)];
    const { url } = await stack.api();
    await Promise.all(workers.map((w) => w.waitForLog(/worker started/, 30_000)));
    const stocks = [60, 40, 25];
    const productIds = await Promise.all(stocks.map((s) => createProduct(url, s)));

    // Let the two processes settle their share of the lanes (LaneBalancer) before the rush.
    await sleep(3 * LEASE_MS);
    const plan = orderPlan(productIds, 400, 1_200);
    let killed: Promise<{ owner: ManagedProcess | undefined; killedAt: number }> | undefined;
    const answers: Answer<PlannedOrder>[] = await pacedPool(plan, { concurrency: 50, perSecond: 300 }, (order, i) => {
      // Kill the orders lane's owner right after it commits a batch, before it completes those jobs.
      if (i === 500) killed = killLaneOwnerAfterCommit(workers, stack?.queuePrefix ?? '', ORDER_LANE);
      return send(url, 'POST', '/orders', order, order, i);
    });
    const { owner, killedAt } = (await killed)!;
    expect(owner).toBeDefined();
    const standby = workers.find((w) => w !== owner) as ManagedProcess;
    const acquired = await standby.waitForLog(
      /lane acquired/,
      30_000,
      (l) => l.lane === ORDER_LANE.name && Number(l.time) >= killedAt,
    );
    const takeoverMs = Number(acquired.time) - killedAt;

    // Queued (202), or answered at once once the lane left the product without stock (200).
    expect(answers.filter((a) => a.status !== 202 && a.status !== 200).map((a) => [a.status, a.body?.code])).toEqual(
      [],
    );
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body?.requestId as string);
    const states = await finalsOrLost(url, accepted);
    const notFinal = accepted.filter((id) => {
      const s = states.get(id);
      return s === 'LOST' || !s || !['SUCCEEDED', 'REJECTED'].includes(s.status);
    });
    expect(notFinal).toEqual([]);

    const decisions = await laneDecisions(stack.databaseUrl, inject('redisUrl'), stack.queuePrefix, ORDER_LANE);
    expect(decisions.map((d) => d.requestId).sort()).toEqual([...accepted].sort());
    const observations = orderObservations(decisions, answers);
    const stored: StoredOrderObservation[] = [];
    await pool(
      observations.filter((o) => o.orderId !== undefined),
      20,
      async (o) => {
        const order = (await (await fetch(`${url}/orders/${o.orderId}`)).json()) as StoredOrderObservation & {
          id: number;
        };
        stored.push({ orderId: order.id, userId: order.userId, status: order.status, items: order.items });
      },
    );
    const products = await Promise.all(
      productIds.map(async (productId, i) => ({
        productId,
        initialStock: stocks[i] as number,
        stock: ((await (await fetch(`${url}/products/${productId}`)).json()) as { stock: number }).stock,
      })),
    );
    const report = verifyOrders(observations, products, stored);

    expect(report.violations).toEqual([]);
    expect(report.succeeded).toBeGreaterThan(0);
    expect(report.codes.INSUFFICIENT_STOCK ?? 0).toBeGreaterThan(0);
    expect(takeoverMs).toBeLessThan(15_000);
    console.log(
      `orders lane owner SIGKILL -> standby acquired the lane after ${takeoverMs} ms (lease ${LEASE_MS} ms, ` +
        `adopted ${String(acquired.adopted)} active jobs); ${accepted.length} orders, ${report.succeeded} placed, oracle passed`,
    );
  });
});
