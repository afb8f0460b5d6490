// Lane ownership: a Redis lease with a fencing token. Whoever holds `lease` owns the lane; each
// acquisition takes a larger token from `fence`, and the database refuses commits carrying a token
// older than the newest it has seen (lane.repository.ts), so an owner that lost its lease cannot
// write even if it does not know yet.
import type { RedisClient } from '../redis.js';

const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then return 0 end
local fence = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if fence <= floor then
  fence = floor + 1
  redis.call('SET', KEYS[2], fence)
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The process id in a lease value. A lane consumer's owner id is `<host>:<pid>:<uuid8>` and the
 * lease holds `<owner id>:<fence>`; the host is counted from the end, so a host name with a colon
 * does not matter. Null when nobody holds the lease or the value is another shape.
 */
export function leaseHolderPid(value: string | null | undefined): number | null {
  const parts = value?.split(':') ?? [];
  const pid = parts.length >= 4 ? Number(parts[parts.length - 3]) : NaN;
  return Number.isSafeInteger(pid) ? pid : null;
}

export class LaneLease {
  private value: string | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: { lease: string; fence: string },
    private readonly ownerId: string,
    private readonly leaseMs: number,
  ) {}

  /** Takes the lease if nobody holds it; returns the fencing token, or null. */
  async tryAcquire(minFence: number): Promise<number | null> {
    const fence = Number(
      await this.redis.eval(ACQUIRE, 2, this.keys.lease, this.keys.fence, this.ownerId, this.leaseMs, minFence),
    );
    if (fence <= 0) return null;
    this.value = `${this.ownerId}:${fence}`;
    return fence;
  }

  /** Extends the lease; false when it was lost (expired and possibly taken by another process). */
  async renew(): Promise<boolean> {
    if (!this.value) return false;
    const ok = Number(await this.redis.eval(RENEW, 1, this.keys.lease, this.value, this.leaseMs)) === 1;
    if (!ok) this.value = null;
    return ok;
  }

  /** Gives the lease up at once so a standby takes over without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.value) return;
    const value = this.value;
    this.value = null;
    await this.redis.eval(RELEASE, 1, this.keys.lease, value);
  }

  get held(): boolean {
    return this.value !== null;
  }
}
