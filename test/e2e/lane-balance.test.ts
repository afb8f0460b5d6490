// Lane ownership spreads over worker processes and moves to the survivors when one dies.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { leaseHolderPid } from '../../src/lane/lease.js';
import { allLanes, laneKeys } from '../support/lanes.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Which process (pid) holds each lane's lease right now. */
async function owners(redis: Redis, prefix: string): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>();
  for (const lane of allLanes(4)) {
    const value = await redis.get(laneKeys(prefix, lane).lease);
    result.set(lane.name, leaseHolderPid(value));
  }
  return result;
}

const countBy = (m: Map<string, number | null>) => {
  const counts = new Map<number | null, number>();
  for (const pid of m.values()) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  return counts;
};

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

describe('lane balancing', () => {
  it('when two worker processes run, then they share the five lanes 3/2, and when one is killed, then the other owns all five', async () => {
    stack = await isolatedStack();
    const env = { LANE_LEASE_MS: '1000', COUPON_LANES: '4' };
    const first = stack.worker(env);
    await first.waitForLog(/worker started/, 30_000);
    const second = stack.worker(env);
    await second.waitForLog(/worker started/, 30_000);
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    try {
      const split = await until(
        () => owners(redis, stack!.queuePrefix),
        (m) => {
          const c = countBy(m);
          return [c.get(first.pid), c.get(second.pid)].sort().join('/') === '2/3';
        },
        15_000,
      );
      expect([...countBy(split).values()].sort()).toEqual([2, 3]);

      const killedAt = Date.now();
      const victim = countBy(split).get(first.pid) === 3 ? first : second;
      const survivor = victim === first ? second : first;
      await victim.kill('SIGKILL');
      const after = await until(
        () => owners(redis, stack!.queuePrefix),
        (m) => countBy(m).get(survivor.pid) === 5,
        15_000,
      );
      expect(countBy(after).get(survivor.pid)).toBe(5);
      console.log(`all lanes owned by the survivor ${Date.now() - killedAt} ms after SIGKILL`);
    } finally {
      redis.disconnect();
    }
  });
});
