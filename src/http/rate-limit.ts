// Rate limits on queued submits (claims, orders): per user and, when TRUST_PROXY names the header
// that carries it, per client address. Counters live in Redis, so every API process shares them: a
// window of one second per key that starts with its first submit (the fixed window of
// rate-limiter-flexible's Redis store, which this replaced). The checks made in one event-loop turn
// go to Redis as one pipeline, one socket write for all concurrent submits: a script call of its own
// per submit cost a tenth of the API's CPU in a rush.
import type { Context } from 'hono';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import { isCluster, type RedisClient } from '../redis.js';
import { RateLimitedError } from '../shared/errors.js';

/** Admits one queued submit or throws RateLimitedError; given to a submit so it runs beside its other reads. */
export type Admit = () => Promise<void>;

export interface SubmitLimiter {
  /** An admission check for this user's submit from this request. */
  admission(c: Context, userId: number): Admit;
}

type LimitName = 'user' | 'address';

const WINDOW_MS = 1_000;

// One submit counted in its key's window: the count so far and the ms left in the window.
const HIT = `redis.call('SET', KEYS[1], 0, 'PX', ARGV[1], 'NX')
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

type Hit = [count: number, msLeft: number];
/** The script as a command: on a client it answers the hit, on a pipeline it appends it. */
type Hitting<R> = { ceRateHit(key: string, windowMs: number): R };

interface PendingHit {
  key: string;
  resolve: (hit: Hit) => void;
  reject: (err: unknown) => void;
}

/** Counts submits per key in Redis; the counts asked for in one event-loop turn go out together. */
class WindowCounter {
  private pending: PendingHit[] | undefined;

  constructor(private readonly redis: RedisClient) {
    redis.defineCommand('ceRateHit', { numberOfKeys: 1, lua: HIT });
  }

  hit(key: string): Promise<Hit> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = [];
        setImmediate(() => this.flush());
      }
      this.pending.push({ key, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending ?? [];
    this.pending = undefined;
    // On a cluster the keys of one pipeline must share a node: there each count goes on its own.
    if (isCluster(this.redis)) {
      for (const p of batch)
        (this.redis as unknown as Hitting<Promise<Hit>>).ceRateHit(p.key, WINDOW_MS).then(p.resolve, p.reject);
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const p of batch) (pipeline as unknown as Hitting<unknown>).ceRateHit(p.key, WINDOW_MS);
    pipeline.exec().then(
      (results) =>
        batch.forEach((p, i) => {
          const [err, hit] = results?.[i] ?? [new Error('no answer to a rate limit count')];
          if (err) p.reject(err);
          else p.resolve(hit as Hit);
        }),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
}

export function createSubmitLimiter(
  redis: RedisClient,
  config: Pick<Config, 'QUEUE_PREFIX' | 'RATE_LIMIT_USER_PER_SECOND' | 'RATE_LIMIT_ADDRESS_PER_SECOND' | 'TRUST_PROXY'>,
  registry: Registry,
): SubmitLimiter {
  const refused = new Counter({
    name: 'ce_rate_limited_total',
    help: 'Queued submits refused with 429 RATE_LIMITED, by the limit that refused them',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const counter = new WindowCounter(redis);
  const perUser = config.RATE_LIMIT_USER_PER_SECOND;
  const header = config.TRUST_PROXY;
  const perAddress = header ? config.RATE_LIMIT_ADDRESS_PER_SECOND : 0;

  async function consume(name: LimitName, perSecond: number, key: string): Promise<void> {
    const [count, msLeft] = await counter.hit(`${config.QUEUE_PREFIX}:rate:${name}:${key}`);
    if (count <= perSecond) return;
    refused.inc({ limit: name });
    throw new RateLimitedError(
      `Too many queued submits for this ${name === 'user' ? 'user' : 'client address'}; retry shortly`,
      Math.max(1, Math.ceil(msLeft / 1000)),
    );
  }

  return {
    admission(c, userId) {
      const address = header && perAddress > 0 ? clientAddress(c.req.header(header)) : undefined;
      return async () => {
        await Promise.all([
          perUser > 0 ? consume('user', perUser, String(userId)) : undefined,
          address ? consume('address', perAddress, address) : undefined,
        ]);
      };
    },
  };
}

/** The address the trusted proxy saw: the last entry of a list such as X-Forwarded-For. */
export function clientAddress(value: string | undefined): string | undefined {
  const last = value?.split(',').pop()?.trim();
  return last && last.length <= 64 ? last : undefined;
}
