// Lane ownership: a Redis lease with a fencing token. Whoever holds `lease` owns the lane; each
// acquisition takes a larger token from `fence`, and the database refuses commits carrying a token
// older than the newest it has seen (lane.repository.ts), so an owner that lost its lease cannot
// write even if it does not know yet.
import type { RedisClient } from '../redis.js';
import { loadScript, runScript } from '../lua/scripts.js';

const ACQUIRE = loadScript('lease-acquire');
const RENEW = loadScript('lease-renew');
const RELEASE = loadScript('lease-release');

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
      await runScript(this.redis, ACQUIRE, [this.keys.lease, this.keys.fence], [this.ownerId, this.leaseMs, minFence]),
    );
    if (fence <= 0) return null;
    this.value = `${this.ownerId}:${fence}`;
    return fence;
  }

  /** Extends the lease; false when it was lost (expired and possibly taken by another process). */
  async renew(): Promise<boolean> {
    if (!this.value) return false;
    const ok = Number(await runScript(this.redis, RENEW, [this.keys.lease], [this.value, this.leaseMs])) === 1;
    if (!ok) this.value = null;
    return ok;
  }

  /** Gives the lease up at once so a standby takes over without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.value) return;
    const value = this.value;
    this.value = null;
    await runScript(this.redis, RELEASE, [this.keys.lease], [value]);
  }

  get held(): boolean {
    return this.value !== null;
  }
}
