// The lane consumer: while it holds the lane's lease it takes waiting jobs in batches, decides them
// strictly by sequence in one fenced transaction, and only then completes them in BullMQ.
//
// Order is kept by three things together: the sequence is BullMQ's job id, assigned in the same
// Redis script that appends the job to the wait list; only the lease holder takes jobs; and the
// transaction only accepts the sequences that directly follow the lane's last decided one
// (lanes.last_sequence), so a job that is elsewhere (held by a dead owner) is waited for, never
// overtaken. Infrastructure errors retry the same batch in place; BullMQ's retry is never used.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker, type Job, type Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import type { NewRequestOutcome } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { duplicateRedis, type RedisClient } from '../redis.js';
import { decidedChannel, laneKeys, lanePrefix, type Lane } from '../queues/lanes.js';
import { formatRequestId } from '../request/request.ids.js';
import { findOutcomes, insertOutcomes } from '../request/request.repository.js';
import { isInfrastructureError } from '../shared/infrastructure-errors.js';
import { advanceLane, claimLaneFence, findLaneFence, lockLane } from './lane.repository.js';
import { LaneLease } from './lease.js';
import type { Decision, LaneItem, LaneProcessor } from './lane-processor.js';

export interface LaneConsumerOptions<P> {
  lane: Lane;
  queuePrefix: string;
  queue: Queue;
  redis: RedisClient;
  db: Db;
  logger: Logger;
  processor: LaneProcessor<P>;
  batchSize: number;
  leaseMs: number;
  ownerId?: string;
  hooks?: LaneHooks;
  /** TEST ONLY (UNSAFE_LANE_MODE=reverse): decide each batch newest first, breaking arrival order. */
  unsafeReverseBatches?: boolean;
  /** Consulted before taking a free lane; see LaneBalancer. */
  mayAcquire?: () => boolean;
  /** Told when this consumer gives its lane up on purpose, so other processes can take it at once. */
  onReleased?: (lane: string, reason: 'handoff' | 'shutdown') => void;
}

export interface LaneHooks {
  onBatch?(lane: string, info: { size: number; ms: number; outcomes: Record<string, number> }): void;
  onOwnership?(lane: string, owned: boolean): void;
  onRetry?(lane: string, err: unknown): void;
}

class LeaseLostError extends Error {}

interface Held {
  job: Job;
  sequence: number;
  requestId: string;
  acceptedAt: Date;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LaneConsumer<P> {
  private readonly worker: Worker;
  private readonly lease: LaneLease;
  private readonly keys: ReturnType<typeof laneKeys>;
  private readonly log: Logger;
  private readonly token = randomUUID();
  private readonly held = new Map<number, Held>();
  private fence = 0;
  private lastSequence = 0;
  private lastRenewedAt = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private gapSince: number | null = null;
  private fetchMs = 0;
  private completing: Promise<void> = Promise.resolve();
  private handingOff = false;
  private quietUntil = 0;
  private minFence = 0;
  private eager = false;
  private lastSlowAttempt = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: LaneConsumerOptions<P>) {
    const { lane, queuePrefix, redis } = opts;
    this.keys = laneKeys(queuePrefix, lane);
    const ownerId = opts.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.lease = new LaneLease(redis, this.keys, ownerId, opts.leaseMs);
    this.log = opts.logger.child({ lane: lane.name });
    this.worker = new Worker(lane.name, null, {
      connection: duplicateRedis(redis),
      prefix: lanePrefix(queuePrefix, lane),
      autorun: false,
      drainDelay: 1,
      skipStalledCheck: true,
      skipLockRenewal: true,
      lockDuration: 60_000,
    });
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'lane worker connection error'));
    if (opts.unsafeReverseBatches)
      this.log.warn('UNSAFE_LANE_MODE=reverse: batches are decided newest first (test only)');
  }

  get isOwner(): boolean {
    return this.lease.held && Date.now() - this.lastRenewedAt < this.opts.leaseMs;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in hand, hands the lane over at once, and closes the BullMQ worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    // An owner waiting for jobs blocks for up to a second; BullMQ's wake-up marker ends the wait now.
    if (this.lease.held) await this.opts.redis.zadd(this.opts.queue.toKey('marker'), 0, '0').catch(() => undefined);
    await this.loop;
    await this.worker.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.handingOff) {
          await this.release('handoff');
          continue;
        }
        if (!this.lease.held) {
          if (!(await this.acquireIfDue())) {
            await this.idle(Math.max(100, Math.floor(this.opts.leaseMs / 4)));
            continue;
          }
        }
        await this.round();
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.loseOwnership('lease lost');
        } else {
          this.log.warn({ err }, 'lane loop error; retrying');
          await sleep(500);
        }
      }
    }
    await this.release('shutdown');
  }

  /**
   * A standby polls a free lane quickly while it is below its fair share, slowly (once a lease
   * period) when it is not, so a lane is never left without an owner; `acquireNow` skips the wait.
   */
  private async acquireIfDue(): Promise<boolean> {
    if (Date.now() < this.quietUntil) return false;
    const eager = this.eager;
    this.eager = false;
    const belowShare = !this.opts.mayAcquire || this.opts.mayAcquire();
    if (!eager && !belowShare && Date.now() - this.lastSlowAttempt < this.opts.leaseMs) return false;
    if (!belowShare) this.lastSlowAttempt = Date.now();
    return this.acquire();
  }

  /** Try to take the lane right away (another process just released it). */
  acquireNow(): void {
    if (this.lease.held || this.stopping) return;
    this.eager = true;
    this.wake?.();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Asks the owner to give the lane up after the batch in hand (the balancer moves lanes this way). */
  handOff(): void {
    if (this.lease.held) this.handingOff = true;
  }

  get laneName(): string {
    return this.opts.lane.name;
  }

  /** Gives the lease up at once; jobs still in hand stay active and the next owner adopts them. */
  private async release(reason: 'handoff' | 'shutdown'): Promise<void> {
    this.handingOff = false;
    await this.completing;
    if (!this.lease.held) return;
    this.stopRenewing();
    await this.lease.release().catch(() => undefined);
    this.held.clear();
    // Stay away from the lane for a lease period so another process can take it.
    this.quietUntil = Date.now() + this.opts.leaseMs;
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, false);
    this.opts.onReleased?.(this.opts.lane.name, reason);
    this.log.info(reason === 'handoff' ? 'lane handed over' : 'lane released');
  }

  private async acquire(): Promise<boolean> {
    const fence = await this.lease.tryAcquire(this.minFence);
    if (fence === null) return false;
    this.lastRenewedAt = Date.now();
    this.startRenewing();
    if (!(await claimLaneFence(this.opts.db, this.opts.lane.name, fence))) {
      // The database knows a newer token than Redis handed out (Redis lost its counter): go past it.
      this.minFence = await findLaneFence(this.opts.db, this.opts.lane.name);
      this.stopRenewing();
      await this.lease.release();
      return false;
    }
    this.fence = fence;
    this.held.clear();
    this.gapSince = null;
    const lane = await this.opts.db
      .selectFrom('lanes')
      .select('last_sequence')
      .where('name', '=', this.opts.lane.name)
      .executeTakeFirst();
    this.lastSequence = lane?.last_sequence ?? 0;
    await this.adoptOrphans();
    this.log.info({ fence, lastSequence: this.lastSequence, adopted: this.held.size }, 'lane acquired');
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, true);
    return true;
  }

  private startRenewing(): void {
    this.stopRenewing();
    const every = Math.max(50, Math.floor(this.opts.leaseMs / 3));
    this.renewTimer = setInterval(() => {
      this.lease.renew().then(
        (ok) => {
          if (ok) this.lastRenewedAt = Date.now();
        },
        (err: Error) => this.log.warn({ err: err.message }, 'lease renewal failed'),
      );
    }, every);
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private loseOwnership(reason: string): void {
    this.stopRenewing();
    void this.lease.release().catch(() => undefined);
    this.held.clear();
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, false);
    this.log.warn({ reason }, 'lane ownership lost');
  }

  /** Jobs left active by an owner that died: they come before anything still waiting. */
  private async adoptOrphans(): Promise<void> {
    const ids = await this.opts.redis.lrange(this.keys.active, 0, -1);
    for (const id of ids) {
      const sequence = Number(id);
      if (!Number.isSafeInteger(sequence) || this.held.has(sequence)) continue;
      const job = await this.opts.queue.getJob(id);
      if (job) this.hold(job);
    }
  }

  /**
   * Keeps a job in hand. Its request id and acceptance time are read defensively: the payload is
   * validated only inside the batch transaction, where a bad one becomes a FAILED outcome.
   */
  private hold(job: Job): void {
    const sequence = Number(job.id);
    const data = (job.data ?? {}) as { nonce?: unknown; acceptedAt?: unknown };
    const nonce = typeof data.nonce === 'string' && /^[a-z0-9]{10}$/.test(data.nonce) ? data.nonce : 'invalid000';
    const acceptedAt = new Date(typeof data.acceptedAt === 'number' ? data.acceptedAt : job.timestamp);
    this.held.set(sequence, {
      job,
      sequence,
      requestId: formatRequestId(this.opts.lane.code, sequence, nonce),
      acceptedAt,
    });
  }

  private async fetch(): Promise<void> {
    if (this.held.size >= this.opts.batchSize) return;
    if (this.held.size === 0) {
      const first = await this.worker.getNextJob(this.token, { block: true });
      if (!first) return;
      this.hold(first);
    }
    // Ask only for as many jobs as are waiting, so a quiet lane does not pay for empty fetches.
    const waiting = await this.opts.redis.llen(this.keys.wait);
    const want = Math.min(waiting, this.opts.batchSize - this.held.size);
    if (want <= 0) return;
    const more = await Promise.all(
      Array.from({ length: want }, () => this.worker.getNextJob(this.token, { block: false })),
    );
    for (const job of more) if (job) this.hold(job);
  }

  private async round(): Promise<void> {
    if (!this.isOwner) throw new LeaseLostError();
    const fetchStarted = performance.now();
    await this.fetch();
    if (this.held.size === 0) return;
    this.fetchMs = performance.now() - fetchStarted;

    const first = Math.min(...this.held.keys());
    let skipGap = false;
    if (first > this.lastSequence + 1) {
      // An earlier sequence is not in hand: it may sit in `active` under a dead owner.
      this.gapSince ??= Date.now();
      await this.adoptOrphans();
      if (Math.min(...this.held.keys()) > this.lastSequence + 1) {
        skipGap = await this.gapIsPermanent();
        if (!skipGap) {
          await sleep(50);
          return;
        }
      }
    }
    this.gapSince = null;
    await this.decideHeld(skipGap);
  }

  /** A missing sequence is skipped only when its job no longer exists anywhere (deleted by hand). */
  private async gapIsPermanent(): Promise<boolean> {
    if (this.gapSince === null || Date.now() - this.gapSince < 2 * this.opts.leaseMs) return false;
    const missing = this.lastSequence + 1;
    const job = await this.opts.queue.getJob(String(missing));
    if (job) return false;
    this.log.error({ missing }, 'sequence missing from the lane for too long and its job is gone; skipping it');
    return true;
  }

  private async decideHeld(skipGap: boolean): Promise<void> {
    let limit = this.held.size;
    for (let attempt = 0; ; attempt++) {
      if (!this.isOwner) throw new LeaseLostError();
      try {
        const started = performance.now();
        const done = await this.commit(limit, skipGap);
        this.logDecisions(done);
        const committed = performance.now();
        for (const d of done) this.held.delete(d.held.sequence);
        if (done.length > 0) this.announce(Math.max(...done.map((d) => d.held.sequence)));
        await this.completing;
        this.completing = this.complete(done).catch((err: unknown) => this.log.warn({ err }, 'completing jobs failed'));
        const ms = performance.now() - started;
        this.opts.hooks?.onBatch?.(this.opts.lane.name, { size: done.length, ms, outcomes: countOutcomes(done) });
        this.log.debug(
          {
            size: done.length,
            fetchMs: round2(this.fetchMs),
            commitMs: round2(committed - started),
            waitCompleteMs: round2(ms - (committed - started)),
          },
          'batch decided',
        );
        return;
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        this.opts.hooks?.onRetry?.(this.opts.lane.name, err);
        if (isInfrastructureError(err)) {
          const wait = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
          this.log.warn(
            { err: (err as Error).message, attempt, wait },
            'batch failed on infrastructure; retrying the same batch',
          );
          await sleep(wait);
          continue;
        }
        if (limit > 1) {
          this.log.error({ err }, 'batch failed; isolating the first request');
          limit = 1;
          continue;
        }
        this.log.error({ err }, 'request cannot be processed; marking it FAILED');
        const done = await this.commit(1, skipGap, 'PROCESSING_ERROR');
        this.logDecisions(done);
        for (const d of done) this.held.delete(d.held.sequence);
        if (done.length > 0) this.announce(Math.max(...done.map((d) => d.held.sequence)));
        await this.complete(done);
        return;
      }
    }
  }

  /**
   * One transaction: check the fence, replay outcomes already written, decide the contiguous run
   * of sequences that follows the lane's last decided one, write effects and outcomes.
   */
  private async commit(
    limit: number,
    skipGap: boolean,
    failWith?: string,
  ): Promise<{ held: Held; outcome: NewRequestOutcome }[]> {
    const { db, processor, lane } = this.opts;
    const candidates = [...this.held.values()].sort((a, b) => a.sequence - b.sequence).slice(0, limit);
    const now = new Date();
    const result = await db.transaction().execute(async (trx) => {
      const laneRow = await lockLane(trx, lane.name);
      if (!laneRow || laneRow.fence !== this.fence) throw new LeaseLostError();

      const existing = new Map(
        (
          await findOutcomes(
            trx,
            candidates.map((c) => c.requestId),
          )
        ).map((o) => [o.request_id, o]),
      );
      const done: { held: Held; outcome: NewRequestOutcome }[] = [];
      const undecided: Held[] = [];
      for (const c of candidates) {
        const outcome = existing.get(c.requestId);
        if (outcome) done.push({ held: c, outcome });
        else undecided.push(c);
      }

      let expected = laneRow.last_sequence + 1;
      const firstUndecided = undecided[0]?.sequence;
      if (firstUndecided !== undefined && (firstUndecided < expected || skipGap)) {
        if (firstUndecided < expected) {
          this.log.warn(
            { firstUndecided, lastSequence: laneRow.last_sequence },
            'lane sequence restarted (Redis data reset?)',
          );
        }
        expected = firstUndecided;
      }
      const run: Held[] = [];
      for (const c of undecided) {
        if (c.sequence !== expected) break;
        run.push(c);
        expected++;
      }

      const valid: { held: Held; item: LaneItem<P> }[] = [];
      const fresh: NewRequestOutcome[] = [];
      for (const held of run) {
        const parsed = processor.payloadSchema.safeParse(held.job.data);
        if (failWith || !parsed.success) {
          fresh.push(
            this.outcomeRow(held, now, {
              status: 'FAILED',
              code: failWith ?? 'INVALID_PAYLOAD',
              message: failWith ? 'The engine could not process this request' : 'The queued payload is not valid',
            }),
          );
          continue;
        }
        valid.push({
          held,
          item: {
            requestId: held.requestId,
            sequence: held.sequence,
            acceptedAt: held.acceptedAt,
            payload: parsed.data,
          },
        });
      }
      // TEST ONLY: lets the load-script tests show that the oracle catches a lane deciding out of order.
      if (this.opts.unsafeReverseBatches) valid.reverse();
      const decisions =
        valid.length > 0
          ? await processor.decide(
              trx,
              valid.map((v) => v.item),
              now,
            )
          : [];
      valid.forEach((v, i) => {
        const d = decisions[i];
        if (!d) throw new Error('processor returned fewer decisions than items');
        fresh.push(this.outcomeRow(v.held, now, d));
      });
      fresh.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
      await insertOutcomes(trx, fresh);
      const last = run.at(-1);
      if (last) await advanceLane(trx, lane.name, last.sequence);
      return {
        done: [...done, ...run.map((held, i) => ({ held, outcome: fresh[i]! }))],
        items: valid.map((v) => v.item),
        decisions,
        last: last?.sequence,
      };
    });
    if (result.last !== undefined) this.lastSequence = result.last;
    if (processor.afterCommit && result.items.length > 0) {
      await processor
        .afterCommit(result.items, result.decisions)
        .catch((err: unknown) => this.log.warn({ err }, 'after-commit step failed'));
    }
    return result.done;
  }

  /** At debug, a line per decided request with both its ids: one grep finds submit, decision, outcome. */
  private logDecisions(done: { held: Held; outcome: NewRequestOutcome }[]): void {
    if (!this.log.isLevelEnabled('debug')) return;
    for (const { held, outcome } of done) {
      const httpRequestId = (held.job.data as { httpRequestId?: unknown } | undefined)?.httpRequestId;
      this.log.debug(
        {
          requestId: held.requestId,
          httpRequestId,
          sequence: held.sequence,
          status: outcome.status,
          code: outcome.error_code ?? undefined,
        },
        'decided',
      );
    }
  }

  private outcomeRow(
    held: Held,
    now: Date,
    d: Decision | { status: 'FAILED'; code: string; message: string },
  ): NewRequestOutcome {
    return {
      request_id: held.requestId,
      type: this.opts.lane.type,
      lane: this.opts.lane.name,
      sequence: held.sequence,
      status: d.status,
      result: d.status === 'SUCCEEDED' ? JSON.stringify(d.result) : null,
      error_code: d.status === 'REJECTED' ? d.error.code : d.status === 'FAILED' ? d.code : null,
      error_message: d.status === 'REJECTED' ? d.error.message.slice(0, 500) : d.status === 'FAILED' ? d.message : null,
      accepted_at: held.acceptedAt,
      finished_at: now,
    };
  }

  /** Tells long polls that the lane has been decided up to `sequence` (the outcomes are committed). */
  private announce(sequence: number): void {
    this.opts.redis
      .multi()
      .set(this.keys.decided, String(sequence))
      .publish(decidedChannel(this.opts.queuePrefix), `${this.opts.lane.name}:${sequence}`)
      .exec()
      .catch((err: Error) => this.log.warn({ err: err.message }, 'could not publish lane progress'));
  }

  /**
   * Marks decided jobs completed in BullMQ. The outcomes are already durable, so this only tidies
   * up; it runs while the next batch is fetched and decided, one batch at a time.
   */
  private async complete(done: { held: Held; outcome: NewRequestOutcome }[]): Promise<void> {
    let pending = done;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const failed: typeof pending = [];
      await Promise.all(
        pending.map(async (d) => {
          try {
            await d.held.job.moveToCompleted(
              { status: d.outcome.status, code: d.outcome.error_code ?? undefined },
              '0',
              false,
            );
          } catch (err) {
            // Already completed (an earlier run of the same batch) or removed: nothing left to do.
            if (!/Missing key|not in the active state|-3|-1/.test((err as Error).message)) failed.push(d);
          }
        }),
      );
      pending = failed;
      if (pending.length === 0 || (this.stopping && attempt > 20)) break;
      this.log.warn({ attempt, left: pending.length }, 'completing jobs failed; retrying');
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function countOutcomes(done: { outcome: NewRequestOutcome }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of done) {
    const key = outcome.error_code ?? outcome.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
