// The README's one-command run on a machine without Docker: `npm run dev` itself, through npm, on a
// database it has never seen and a key prefix of its own. It must create the schema, answer
// /readyz and decide a claim, and Ctrl-C must stop all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../../src/db/migrate.js';
import { adminCreateCoupon, submitClaim } from '../../rush/claims.js';
import { awaitFinal } from '../../rush/poll.js';
import { freePort } from '../../rush/processes.js';
import { deleteKeysWithPrefix } from '../../rush/redis-cleanup.js';
import { ADMIN_TOKEN } from '../support/context.js';

const suffix = randomBytes(3).toString('hex');
const databaseUrl = `${inject('databaseUrl')}_dev${suffix}`;
const queuePrefix = `${inject('queuePrefix')}-dev${suffix}`;

let dev: ChildProcess | undefined;
let output = '';

/** Whether any process of the group npm leads still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks `probe` every 250 ms until it finds something; gives up at the timeout or when `hopeless`. */
async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  hopeless: () => boolean = () => false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline || hopeless()) {
      throw new Error(`${what} not seen within ${timeoutMs} ms; npm run dev said:\n${output.slice(-3_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

afterAll(async () => {
  if (dev?.pid && groupAlive(dev.pid)) process.kill(-dev.pid, 'SIGKILL');
  await dropDatabase(databaseUrl);
  await deleteKeysWithPrefix(inject('redisUrl'), queuePrefix);
});

describe('npm run dev', () => {
  it('when started on a new database, then /readyz answers 200, a claim is decided, and Ctrl-C stops the API and the worker with exit 0 and leaves nothing running', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    // Its own process group, so Ctrl-C can be sent to all of it as a terminal would.
    dev = spawn('npm', ['run', 'dev'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: queuePrefix,
        PORT: new URL(url).port,
        METRICS_PORT: '0',
        ADMIN_TOKEN,
      },
    });
    const exited = new Promise<void>((resolve) => dev?.once('exit', () => resolve()));
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    const ready = await until(
      'GET /readyz 200',
      90_000,
      async () => {
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 ? res.status : undefined;
      },
      () => dev?.exitCode !== null,
    );
    expect(ready).toBe(200);

    const coupon = await adminCreateCoupon(url, ADMIN_TOKEN, {
      name: 'one command',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 1,
      validDays: 7,
    });
    const submitted = await submitClaim(url, { couponId: coupon.id, userId: 2_424 });
    expect(submitted.httpStatus).toBe(202);
    const final = await awaitFinal(url, submitted.requestId ?? '', Date.now() + 60_000);
    expect(final.status).toBe('SUCCEEDED');

    // npm itself ends by the signal whatever its script answers, so the script's own report of how
    // the API and the worker ended is what says the stop was clean.
    const pgid = dev.pid ?? -1;
    process.kill(-pgid, 'SIGINT');
    await exited;
    await until('every process of npm run dev gone', 15_000, () =>
      Promise.resolve(groupAlive(pgid) ? undefined : true),
    );
    expect(output).toContain('dev: api exited (code 0)');
    expect(output).toContain('dev: worker exited (code 0)');
  }, 180_000);
});
