// Rate limits on queued submits (claims, orders): per user and, when TRUST_PROXY names the header
// that carries it, per client address. Counters live in Redis (rate-limiter-flexible, one script
// call per limit), so every API process shares them. The API gives the limiter a connection of its
// own with ioredis auto-pipelining: the counts of every submit of one event-loop turn leave in one
// socket write (a write per submit was a tenth of the API's CPU in a rush).
import type { Context } from 'hono';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { RedisClient } from '../redis.js';
import { RateLimitedError } from '../shared/errors.js';

/** Admits one queued submit or throws RateLimitedError; given to a submit so it runs beside its other reads. */
export type Admit = () => Promise<void>;

export interface SubmitLimiter {
  /** An admission check for this user's submit from this request. */
  admission(c: Context, userId: number): Admit;
}

type LimitName = 'user' | 'address';

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
  const limiter = (name: LimitName, perSecond: number) =>
    perSecond > 0
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${config.QUEUE_PREFIX}:rate:${name}`,
          points: perSecond,
          duration: 1,
        })
      : undefined;
  const byUser = limiter('user', config.RATE_LIMIT_USER_PER_SECOND);
  const header = config.TRUST_PROXY;
  const byAddress = header ? limiter('address', config.RATE_LIMIT_ADDRESS_PER_SECOND) : undefined;

  async function consume(name: LimitName, rl: RateLimiterRedis, key: string): Promise<void> {
    try {
      await rl.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      refused.inc({ limit: name });
      throw new RateLimitedError(
        `Too many queued submits for this ${name === 'user' ? 'user' : 'client address'}; retry shortly`,
        Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
      );
    }
  }

  return {
    admission(c, userId) {
      const address = header && byAddress ? clientAddress(c.req.header(header)) : undefined;
      return async () => {
        await Promise.all([
          byUser ? consume('user', byUser, String(userId)) : undefined,
          byAddress && address ? consume('address', byAddress, address) : undefined,
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
