// Rate limits on queued submits (claims, orders): per user and, when TRUST_PROXY names the header
// that carries it, per client address. Counters live in Redis, so every API process shares them.
// A submit into a lane has its user's limit counted by the lane append itself, per user and lane, in
// the same script call that adds it (lane-append.ts): no round trip of its own. The address limit,
// and the user's limit where no lane append follows (a coupon's pre-queue, a lane type's own route),
// are rate-limiter-flexible counters, one script call each; the API gives the limiter a connection
// of its own with ioredis auto-pipelining, so the counts of one event-loop turn leave in one write.
import type { Context } from 'hono';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { RedisClient } from '../redis.js';
import { RateLimitedError } from '../common/errors.js';

/** Admits one queued submit or throws RateLimitedError; given to a submit so it runs beside its other reads. */
export type Admit = () => Promise<void>;

/** The user's limit as a lane append counts it, and what a refusal becomes. */
export interface LaneLimit {
  userId: number;
  perSecond: number;
  /** The 429 for a submit the lane append refused (counted in ce_rate_limited_total). */
  refused(retryInMs: number): RateLimitedError;
  /** The same limit through the limiter, for a submit that no lane append follows. */
  admitUser: Admit;
}

export interface SubmitLimiter {
  /** An admission check for this user's submit from this request (user and address, through the limiter). */
  admission(c: Context, userId: number): Admit;
  /** For a submit into a lane: the address check through the limiter, and the user's limit for the lane append. */
  queued(c: Context, userId: number): { admit?: Admit; userLimit?: LaneLimit };
}

type LimitName = 'user' | 'address';
type LimiterConfig = Pick<
  Config,
  'QUEUE_PREFIX' | 'RATE_LIMIT_USER_PER_SECOND' | 'RATE_LIMIT_ADDRESS_PER_SECOND' | 'TRUST_PROXY'
>;
type Refusal = (name: LimitName, msBeforeNext: number) => RateLimitedError;

export function createSubmitLimiter(redis: RedisClient, config: LimiterConfig, registry: Registry): SubmitLimiter {
  const refusal = refusals(registry);
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

  const addressAdmit = (c: Context): Admit | undefined => {
    const address = header && byAddress ? clientAddress(c.req.header(header)) : undefined;
    return byAddress && address ? () => consume(refusal, 'address', byAddress, address) : undefined;
  };
  const userAdmit = (userId: number): Admit | undefined =>
    byUser ? () => consume(refusal, 'user', byUser, String(userId)) : undefined;
  const refuseUser = (msBeforeNext: number) => refusal('user', msBeforeNext);

  return {
    admission(c, userId) {
      const checks = [userAdmit(userId), addressAdmit(c)].filter((check): check is Admit => check !== undefined);
      return async () => {
        await Promise.all(checks.map((check) => check()));
      };
    },
    queued(c, userId) {
      const admit = addressAdmit(c);
      const admitUser = userAdmit(userId);
      const userLimit: LaneLimit | undefined = admitUser
        ? { userId, perSecond: config.RATE_LIMIT_USER_PER_SECOND, refused: refuseUser, admitUser }
        : undefined;
      return { admit, userLimit };
    },
  };
}

/** The 429 of a limit, each one counted in ce_rate_limited_total by the limit that refused. */
function refusals(registry: Registry): Refusal {
  const refused = new Counter({
    name: 'ce_rate_limited_total',
    help: 'Queued submits refused with 429 RATE_LIMITED, by the limit that refused them',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  return (name, msBeforeNext) => {
    refused.inc({ limit: name });
    return new RateLimitedError(
      `Too many queued submits for this ${name === 'user' ? 'user' : 'client address'}; retry shortly`,
      Math.max(1, Math.ceil(msBeforeNext / 1000)),
    );
  };
}

async function consume(refusal: Refusal, name: LimitName, rl: RateLimiterRedis, key: string): Promise<void> {
  try {
    await rl.consume(key);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw refusal(name, err.msBeforeNext);
  }
}

/** The address the trusted proxy saw: the last entry of a list such as X-Forwarded-For. */
export function clientAddress(value: string | undefined): string | undefined {
  const last = value?.split(',').pop()?.trim();
  return last && last.length <= 64 ? last : undefined;
}
