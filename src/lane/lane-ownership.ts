// Who owns a lane, the way BullMQ's LockManager keeps a worker's job locks apart from the worker:
// the Redis lease and its renewal timer, the fencing token recorded in the database before any job
// is touched, when a standby tries to take a free lane, and one explicit state.
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { claimLaneFence, findLaneFence } from './lane.repository.js';
import type { LaneLease } from './lease.js';

/**
 * - `standby`: does not own the lane; tries to take it when the acquisition policy says so.
 * - `owner`: holds the lease, renews it and decides batches.
 * - `handing-off`: an owner asked to give the lane up after the batch in hand (the balancer).
 * - `stopping`: shutting down; never takes the lane again.
 */
export type OwnershipState = 'standby' | 'owner' | 'handing-off' | 'stopping';

export interface AcquisitionPolicyInput {
  now: number;
  /** Until when this process stays away after giving the lane up (so another can take it). */
  quietUntil: number;
  /** Another process just released the lane: try now. */
  eager: boolean;
  /** Below its fair share of lanes (LaneBalancer); without a balancer always true. */
  belowShare: boolean;
  lastSlowAttempt: number;
  leaseMs: number;
}

/**
 * A standby polls a free lane quickly while it is below its fair share and slowly (once a lease
 * period) when it is not, so a lane is never left without an owner while the live count is stale.
 */
export function acquisitionDue(p: AcquisitionPolicyInput): boolean {
  if (p.now < p.quietUntil) return false;
  return p.eager || p.belowShare || p.now - p.lastSlowAttempt >= p.leaseMs;
}

export class LaneOwnership {
  private current: OwnershipState = 'standby';
  private fenceToken = 0;
  private minFence = 0;
  private lastRenewedAt = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private quietUntil = 0;
  private eager = false;
  private lastSlowAttempt = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: {
      lane: string;
      lease: LaneLease;
      db: Db;
      leaseMs: number;
      log: Logger;
      /** Consulted before taking a free lane; see LaneBalancer. */
      mayAcquire?: (() => boolean) | undefined;
    },
  ) {}

  get state(): OwnershipState {
    return this.current;
  }

  /** The fencing token every batch transaction of this owner carries. */
  get fence(): number {
    return this.fenceToken;
  }

  get holdsLease(): boolean {
    return this.deps.lease.held;
  }

  /** Holds the lease and renewed it within one lease period (a paused process may not know it lost it). */
  get isOwner(): boolean {
    return this.deps.lease.held && Date.now() - this.lastRenewedAt < this.deps.leaseMs;
  }

  /**
   * Takes the lane if the policy says it is due and nobody holds it: the lease, then the fencing
   * token in the database. Returns false when the lane stays with someone else.
   */
  async tryAcquire(): Promise<boolean> {
    if (this.current !== 'standby') return false;
    const now = Date.now();
    const belowShare = this.deps.mayAcquire?.() ?? true;
    const due = acquisitionDue({
      now,
      quietUntil: this.quietUntil,
      eager: this.eager,
      belowShare,
      lastSlowAttempt: this.lastSlowAttempt,
      leaseMs: this.deps.leaseMs,
    });
    if (now >= this.quietUntil) this.eager = false;
    if (!due) return false;
    if (!belowShare) this.lastSlowAttempt = now;

    const fence = await this.deps.lease.tryAcquire(this.minFence);
    if (fence === null) return false;
    this.lastRenewedAt = Date.now();
    this.startRenewing();
    if (!(await claimLaneFence(this.deps.db, this.deps.lane, fence))) {
      // The database knows a newer token than Redis handed out (Redis lost its counter): go past it.
      this.minFence = await findLaneFence(this.deps.db, this.deps.lane);
      this.stopRenewing();
      await this.deps.lease.release();
      return false;
    }
    this.fenceToken = fence;
    // stop() may have come while this attempt was under way; the loop then releases the lane.
    if (this.current === 'standby') this.current = 'owner';
    return true;
  }

  /** Gives the lease up at once; returns false when there was nothing to give up. */
  async release(): Promise<boolean> {
    if (this.current === 'handing-off') this.current = 'standby';
    if (!this.deps.lease.held) return false;
    this.stopRenewing();
    await this.deps.lease.release().catch(() => undefined);
    if (this.current === 'owner') this.current = 'standby';
    // Stay away from the lane for a lease period so another process can take it.
    this.quietUntil = Date.now() + this.deps.leaseMs;
    return true;
  }

  /** The lease ran out or the database refused the fence: stand down without waiting. */
  lose(): void {
    this.stopRenewing();
    void this.deps.lease.release().catch(() => undefined);
    if (this.current === 'owner' || this.current === 'handing-off') this.current = 'standby';
  }

  /** Asks the owner to give the lane up after the batch in hand (the balancer moves lanes this way). */
  handOff(): void {
    if (this.current === 'owner' && this.deps.lease.held) this.current = 'handing-off';
  }

  /** Try to take the lane right away (another process just released it). */
  acquireNow(): void {
    if (this.current !== 'standby' || this.deps.lease.held) return;
    this.eager = true;
    this.wake?.();
  }

  stop(): void {
    this.current = 'stopping';
    this.wake?.();
  }

  /** A standby's pause between attempts; `acquireNow` and `stop` end it early. */
  idle(): Promise<void> {
    const ms = Math.max(100, Math.floor(this.deps.leaseMs / 4));
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private startRenewing(): void {
    this.stopRenewing();
    const every = Math.max(50, Math.floor(this.deps.leaseMs / 3));
    this.renewTimer = setInterval(() => {
      this.deps.lease.renew().then(
        (ok) => {
          if (ok) this.lastRenewedAt = Date.now();
        },
        (err: Error) => this.deps.log.warn({ err: err.message }, 'lease renewal failed'),
      );
    }, every);
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }
}
