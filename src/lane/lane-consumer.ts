// The lane consumer: while it owns the lane it takes waiting jobs in batches, decides them strictly
// by sequence in one fenced transaction, and only then completes them in BullMQ.
//
// Order is kept by three things together: the sequence is BullMQ's job id, assigned in the same Redis
// script that appends the job to the wait list; only the lease holder takes jobs (lane-ownership.ts);
// and the transaction only accepts the sequences that directly follow the lane's last decided one
// (sequencer.ts), so a job that is elsewhere (held by a dead owner) is waited for, never overtaken.
// Infrastructure errors retry the same batch in place; BullMQ's retry is never used.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { decidedChannel, laneKeys } from './lane-keys.js';
import type { JobEnvelope, Lane } from './lane.js';
import { DecideRate, RATE_TTL_MS } from './decide-rate.js';
import { isInfrastructureError } from '../common/infrastructure-errors.js';
import { findLastSequence } from './lane.repository.js';
import { countOutcomes, logDecisions, round2 } from './batch-report.js';
import { commitBatch, type CommittedBatch } from './lane-commit.js';
import { LeaseLostError } from './lease-lost.js';
import { LaneIntake } from './lane-intake.js';
import { LaneOwnership } from './lane-ownership.js';
import type { LaneProcessor } from './lane-processor.js';
import { afterBatchFailure, judgeGap, selectCandidates } from './sequencer.js';
import { LaneLease } from './lease.js';
import { OwnerTaskRunner } from './owner-task.js';

export interface LaneConsumerOptions<P extends JobEnvelope> {
  lane: Lane<P>;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LaneConsumer<P extends JobEnvelope> {
  private readonly ownership: LaneOwnership;
  private readonly intake: LaneIntake;
  private readonly keys: ReturnType<typeof laneKeys>;
  private readonly log: Logger;
  private lastSequence = 0;
  private gapSince: number | null = null;
  private completing: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private fetchMs = 0;
  private readonly rate = new DecideRate();
  private readonly ownerTask: OwnerTaskRunner | undefined;

  constructor(private readonly opts: LaneConsumerOptions<P>) {
    const { lane, queuePrefix, redis } = opts;
    this.keys = laneKeys(queuePrefix, lane);
    this.log = opts.logger.child({ lane: lane.name });
    const ownerId = opts.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.ownership = new LaneOwnership({
      lane: lane.name,
      lease: new LaneLease(redis, this.keys, ownerId, opts.leaseMs),
      db: opts.db,
      leaseMs: opts.leaseMs,
      log: this.log,
      mayAcquire: opts.mayAcquire,
    });
    this.intake = new LaneIntake({ ...opts, keys: this.keys, token: randomUUID(), log: this.log });
    this.ownerTask = OwnerTaskRunner.of({ ...opts, log: this.log }, this.ownership);
  }

  get laneName(): string {
    return this.opts.lane.name;
  }

  get isOwner(): boolean {
    return this.ownership.isOwner;
  }

  start(): void {
    this.loop ??= this.run();
    this.ownerTask?.start();
  }

  /** Finishes the batch in hand, hands the lane over at once, and closes the BullMQ worker. */
  async stop(): Promise<void> {
    this.ownership.stop();
    await this.ownerTask?.stop();
    // An owner waiting for jobs blocks for up to a second; BullMQ's wake-up marker ends the wait now.
    if (this.ownership.holdsLease) await this.intake.interrupt();
    await this.loop;
    await this.intake.close();
  }

  /** Asks the owner to give the lane up after the batch in hand (the balancer moves lanes this way). */
  handOff(): void {
    this.ownership.handOff();
  }

  /** Try to take the lane right away (another process just released it). */
  acquireNow(): void {
    this.ownership.acquireNow();
  }

  private async run(): Promise<void> {
    while (this.ownership.state !== 'stopping') {
      try {
        if (this.ownership.state === 'handing-off') await this.release('handoff');
        else if (this.ownership.state === 'owner') await this.round();
        else if (!(await this.acquire())) await this.ownership.idle();
      } catch (err) {
        if (err instanceof LeaseLostError) this.lose();
        else {
          this.log.warn({ err }, 'lane loop error; retrying');
          await sleep(500);
        }
      }
    }
    await this.release('shutdown');
  }

  /** One batch: fill the hand, wait out or skip a gap before it, decide it. */
  private async round(): Promise<void> {
    if (!this.isOwner) throw new LeaseLostError();
    const fetchStarted = performance.now();
    this.rate.idle(await this.intake.fill());
    if (this.intake.held.size === 0) return;
    this.fetchMs = performance.now() - fetchStarted;
    const gap = await this.settleGap();
    if (gap === 'wait') return sleep(50);
    await this.decide(gap === 'skip');
  }

  private async acquire(): Promise<boolean> {
    if (!(await this.ownership.tryAcquire())) return false;
    this.intake.held.clear();
    this.rate.reset(performance.now());
    this.gapSince = null;
    this.lastSequence = await findLastSequence(this.opts.db, this.opts.lane.name);
    await this.intake.adoptOrphans();
    const info = { fence: this.ownership.fence, lastSequence: this.lastSequence, adopted: this.intake.held.size };
    this.log.info(info, 'lane acquired');
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, true);
    return true;
  }

  /** Gives the lease up at once; jobs still in hand stay active and the next owner adopts them. */
  private async release(reason: 'handoff' | 'shutdown'): Promise<void> {
    await this.completing;
    if (!(await this.ownership.release())) return;
    this.intake.held.clear();
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, false);
    this.opts.onReleased?.(this.opts.lane.name, reason);
    this.log.info(reason === 'handoff' ? 'lane handed over' : 'lane released');
  }

  private lose(): void {
    this.ownership.lose();
    this.intake.held.clear();
    this.opts.hooks?.onOwnership?.(this.opts.lane.name, false);
    this.log.warn({ reason: 'lease lost' }, 'lane ownership lost');
  }

  /** An earlier sequence than any in hand may sit in `active` under a dead owner: adopt, wait or skip. */
  private async settleGap(): Promise<'none' | 'wait' | 'skip'> {
    const verdict = () =>
      judgeGap({
        firstHeld: this.intake.first ?? 0,
        lastSequence: this.lastSequence,
        gapSince: this.gapSince ?? Date.now(),
        now: Date.now(),
        permanentAfterMs: 2 * this.opts.leaseMs,
      });
    if (verdict().kind !== 'contiguous') {
      this.gapSince ??= Date.now();
      await this.intake.adoptOrphans();
    }
    const v = verdict();
    if (v.kind === 'wait') return 'wait';
    if (v.kind === 'check-permanent') {
      if (await this.intake.exists(v.missing)) return 'wait';
      this.log.error(
        { missing: v.missing },
        'sequence missing from the lane for too long and its job is gone; skipping it',
      );
    }
    this.gapSince = null;
    return v.kind === 'contiguous' ? 'none' : 'skip';
  }

  /** Decides the batch in hand, retrying in place on infrastructure trouble and isolating a poison request. */
  private async decide(skipGap: boolean): Promise<void> {
    let limit = this.intake.held.size;
    for (let attempt = 0; ; attempt++) {
      if (!this.isOwner) throw new LeaseLostError();
      try {
        return await this.finish(await this.commit(limit, skipGap));
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        this.opts.hooks?.onRetry?.(this.opts.lane.name, err);
        const step = afterBatchFailure({ infrastructure: isInfrastructureError(err), limit, attempt });
        if (step.kind === 'retry') {
          const info = { err: (err as Error).message, attempt, wait: step.waitMs };
          this.log.warn(info, 'batch failed on infrastructure; retrying the same batch');
          await sleep(step.waitMs);
        } else if (step.kind === 'isolate') {
          this.log.error({ err }, 'batch failed; isolating the first request');
          limit = 1;
        } else {
          this.log.error({ err }, 'request cannot be processed; marking it FAILED');
          return this.finish(await this.commit(1, skipGap, 'PROCESSING_ERROR'));
        }
      }
    }
  }

  private async commit(limit: number, skipGap: boolean, failWith?: string): Promise<CommittedBatch & { ms: number }> {
    const started = performance.now();
    const { db, lane, processor } = this.opts;
    const candidates = selectCandidates(this.intake.held.values(), limit);
    const batch = await commitBatch({
      db,
      lane,
      processor,
      candidates,
      skipGap,
      failWith,
      fence: this.ownership.fence,
      log: this.log,
    });
    if (batch.lastSequence !== undefined) this.lastSequence = batch.lastSequence;
    await batch.afterCommit?.().catch((err: unknown) => this.log.warn({ err }, 'after-commit step failed'));
    return { ...batch, ms: performance.now() - started };
  }

  /** After the commit: drop the jobs from the hand, announce progress, complete them while the next batch runs. */
  private async finish(batch: CommittedBatch & { ms: number }): Promise<void> {
    const { done } = batch;
    logDecisions(this.log, done);
    for (const d of done) this.intake.held.delete(d.held.sequence);
    this.rate.record(performance.now(), done.length);
    if (done.length > 0) this.announce(Math.max(...done.map((d) => d.held.sequence)));
    await this.completing;
    const completions = done.map((d) => ({
      held: d.held,
      returnValue: { status: d.outcome.status, code: d.outcome.error_code ?? undefined },
    }));
    this.completing = this.intake
      .complete(completions, (attempt) => this.ownership.state === 'stopping' && attempt > 20)
      .catch((err: unknown) => this.log.warn({ err }, 'completing jobs failed'));
    this.opts.hooks?.onBatch?.(this.opts.lane.name, { size: done.length, ms: batch.ms, outcomes: countOutcomes(done) });
    this.log.debug({ size: done.length, fetchMs: round2(this.fetchMs), commitMs: round2(batch.ms) }, 'batch decided');
  }

  /** Tells polls how far the lane is decided (outcomes committed) and its recent rate, which lapses. */
  private announce(sequence: number): void {
    const rate = this.rate.perSecond();
    const multi = this.opts.redis.multi();
    if (rate !== undefined) multi.set(this.keys.rate, rate.toFixed(2), 'PX', RATE_TTL_MS);
    multi
      .set(this.keys.decided, String(sequence))
      .publish(decidedChannel(this.opts.queuePrefix), `${this.opts.lane.name}:${sequence}`)
      .exec()
      .catch((err: Error) => this.log.warn({ err: err.message }, 'could not publish lane progress'));
  }
}
