// An API process dies the instant MySQL acknowledges the commit of a synchronous POST (a charge, a
// payment), before it can answer; the client retries with the same Idempotency-Key on a second API.
// Exactly one effect took place, and the retry gets the answer the dead process would have given.
import { randomInt, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/database.js';
import { orderClient } from '../support/order-client.js';
import { isolatedStack, type Stack } from '../support/processes.js';

const CRASHING_API = 'test/support/crash-after-commit-api.ts';

let stack: Stack | undefined;
let db: Db | undefined;
afterEach(async () => {
  await db?.destroy();
  await stack?.close();
  [db, stack] = [undefined, undefined];
});

interface Keyed {
  status: number | null;
  replayed?: string | null;
  body?: unknown;
}

async function post(url: string, path: string, body: unknown, key: string): Promise<Keyed> {
  try {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, replayed: res.headers.get('Idempotent-Replayed'), body: await res.json() };
  } catch {
    return { status: null };
  }
}

/** A client's retry: waits out `409 IDEMPOTENCY_KEY_IN_PROGRESS` as Retry-After says, for up to 15 s. */
async function retried(url: string, path: string, body: unknown, key: string): Promise<Keyed> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await post(url, path, body, key);
    if (answer.status !== 409 || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Two APIs on one stack: `a` kills itself right after committing a write to balance_history. */
async function crashingAndSpare() {
  stack = await isolatedStack();
  db = createDb(stack.databaseUrl, { connectionLimit: 2 });
  const [a, b] = await Promise.all([
    stack.api({ CRASH_AFTER_COMMIT_OF: 'balance_history' }, { entry: CRASHING_API }),
    stack.api(),
  ]);
  return { a, b, db, stack };
}

const history = (database: Db, userId: number) =>
  database
    .selectFrom('balance_history')
    .select(['kind', 'amount', 'balance_after', 'order_id'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();

describe('API SIGKILL between a synchronous POST commit and its answer', () => {
  it('when the API dies right after a charge commits, then the retry on another API replays that charge and the balance grew once', async () => {
    const { a, b, db } = await crashingAndSpare();
    const userId = randomInt(1, 2 ** 40);
    const [path, body, key] = [`/users/${userId}/balance/charge`, { amount: 700 }, randomUUID()];

    expect((await post(a.url, path, body, key)).status).toBeNull();
    await a.proc.kill();
    expect(a.proc.child.signalCode).toBe('SIGKILL');
    expect(await history(db, userId)).toEqual([{ kind: 'CHARGE', amount: 700, balance_after: 700, order_id: null }]);

    const retry = await retried(b.url, path, body, key);
    expect(retry).toEqual({ status: 200, replayed: 'true', body: { userId, balance: 700, chargedAmount: 700 } });
    expect(await history(db, userId)).toHaveLength(1);
  });

  it('when the API dies right after a payment commits, then the retry on another API replays the payment, not ORDER_NOT_PAYABLE, and the balance paid once', async () => {
    const { a, b, db, stack } = await crashingAndSpare();
    stack.worker();
    const client = orderClient(b.url);
    const userId = randomInt(1, 2 ** 40);
    const productId = await client.product(5, 1_000);
    expect((await client.charge(userId, 5_000)).status).toBe(200);
    const placed = await client.placed({ userId, items: [{ productId, quantity: 2 }] });
    expect(placed.status).toBe('SUCCEEDED');
    const orderId = placed.result?.orderId as number;
    const [path, body, key] = [`/orders/${orderId}/payment`, { userId }, randomUUID()];

    expect((await post(a.url, path, body, key)).status).toBeNull();
    await a.proc.kill();
    expect(a.proc.child.signalCode).toBe('SIGKILL');

    const retry = await retried(b.url, path, body, key);
    const paid = { orderId, status: 'PAID', paidAmount: 2_000, balance: 3_000 };
    expect(retry).toEqual({ status: 200, replayed: 'true', body: paid });
    expect(await history(db, userId)).toEqual([
      { kind: 'CHARGE', amount: 5_000, balance_after: 5_000, order_id: null },
      { kind: 'PAYMENT', amount: 2_000, balance_after: 3_000, order_id: orderId },
    ]);
    expect(await client.balance(userId)).toBe(3_000);
  });
});
