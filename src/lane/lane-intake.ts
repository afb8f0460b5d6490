// Intake over BullMQ: the jobs the owner holds, taken from the wait list in batches (no processor,
// no BullMQ retries, no stalled-job checker), jobs a dead owner left active adopted, and decided
// jobs completed once their outcomes are durable.
import { ErrorCode, Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import { duplicateRedis, type RedisClient } from '../redis.js';
import { lanePrefix, type laneKeys } from './lane-keys.js';
import type { Lane } from './lane.js';
import { formatRequestId } from '../request/request.ids.js';
import type { Sequenced } from './sequencer.js';
import { IDLE_WAIT_MS } from './decide-rate.js';
import { completeJobs, takeJobs } from './lane-finish.js';

/** A job in hand. Its request id and acceptance time are read defensively; the payload is validated in the batch. */
export interface Held extends Sequenced {
  job: Job;
  acceptedAt: Date;
}

export interface Completion {
  held: Held;
  returnValue: { status: string; code: string | undefined };
}

/** Jobs completed per script call. */
const COMPLETE_CHUNK = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LaneIntake {
  readonly held = new Map<number, Held>();
  private readonly worker: Worker;

  constructor(
    private readonly deps: {
      lane: Lane;
      queuePrefix: string;
      queue: Queue;
      redis: RedisClient;
      keys: ReturnType<typeof laneKeys>;
      batchSize: number;
      /** BullMQ's token for the jobs this consumer takes. */
      token: string;
      log: Logger;
    },
  ) {
    this.worker = new Worker(deps.lane.name, null, {
      connection: duplicateRedis(deps.redis),
      prefix: lanePrefix(deps.queuePrefix, deps.lane),
      autorun: false,
      drainDelay: 1,
      skipStalledCheck: true,
      skipLockRenewal: true,
      lockDuration: 60_000,
    });
    this.worker.on('error', (err) => deps.log.warn({ err: err.message }, 'lane worker connection error'));
  }

  /** The lowest sequence in hand. */
  get first(): number | undefined {
    let min: number | undefined;
    for (const s of this.held.keys()) if (min === undefined || s < min) min = s;
    return min;
  }

  /**
   * Tops the jobs in hand up to a batch: blocks (up to a second) for the first, then takes what waits.
   * Returns how long it waited for work (an empty lane), in ms.
   */
  async fill(): Promise<number> {
    const { batchSize, token, redis, keys } = this.deps;
    if (this.held.size >= batchSize) return 0;
    let idleMs = 0;
    if (this.held.size === 0) {
      const asked = performance.now();
      const first = await this.worker.getNextJob(token, { block: true });
      const waited = performance.now() - asked;
      // A job already waiting comes back in one round trip; a longer call waited for work.
      if (!first || waited > IDLE_WAIT_MS) idleMs = waited;
      if (!first) return idleMs;
      this.hold(first);
    }
    // Ask only for as many jobs as are waiting, so a quiet lane does not pay for empty fetches.
    const want = Math.min(await redis.llen(keys.wait), batchSize - this.held.size);
    if (want <= 0) return idleMs;
    for (const job of await takeJobs(redis, this.worker, token, want)) this.hold(job);
    return idleMs;
  }

  /** Jobs left active by an owner that died: they come before anything still waiting. */
  async adoptOrphans(): Promise<void> {
    const ids = await this.deps.redis.lrange(this.deps.keys.active, 0, -1);
    for (const id of ids) {
      const sequence = Number(id);
      if (!Number.isSafeInteger(sequence) || this.held.has(sequence)) continue;
      const job = await this.deps.queue.getJob(id);
      if (job) this.hold(job);
    }
  }

  /** Whether the job of a sequence still exists anywhere in the lane (wait, active, completed…). */
  async exists(sequence: number): Promise<boolean> {
    return (await this.deps.queue.getJob(String(sequence))) !== undefined;
  }

  /** Ends an owner's blocking wait for jobs at once (BullMQ's wake-up marker). */
  async interrupt(): Promise<void> {
    await this.deps.redis.zadd(this.deps.queue.toKey('marker'), 0, '0').catch(() => undefined);
  }

  /**
   * Marks decided jobs completed in BullMQ. The outcomes are already durable, so this only tidies
   * up: a job already completed (an earlier run of the same batch) or removed is left alone, other
   * failures are retried until they succeed or `giveUp` says so.
   */
  async complete(done: readonly Completion[], giveUp: (attempt: number) => boolean = () => false): Promise<void> {
    let pending = done;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const failed: Completion[] = [];
      // In chunks, so that no one script call holds Redis for long.
      for (let i = 0; i < pending.length; i += COMPLETE_CHUNK) {
        const chunk = pending.slice(i, i + COMPLETE_CHUNK);
        try {
          const codes = await completeJobs(
            this.deps.redis,
            this.worker,
            chunk.map((d) => ({ job: d.held.job, returnValue: d.returnValue })),
          );
          chunk.forEach((d, k) => {
            if (!isDoneCode(codes[k] ?? 0)) failed.push(d);
          });
        } catch {
          failed.push(...chunk);
        }
      }
      pending = failed;
      if (pending.length === 0 || giveUp(attempt)) break;
      this.deps.log.warn({ attempt, left: pending.length }, 'completing jobs failed; retrying');
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  async close(): Promise<void> {
    await this.worker.close().catch(() => undefined);
  }

  private hold(job: Job): void {
    const sequence = Number(job.id);
    const data = (job.data ?? {}) as { nonce?: unknown; acceptedAt?: unknown };
    const nonce = typeof data.nonce === 'string' && /^[a-z0-9]{10}$/.test(data.nonce) ? data.nonce : 'invalid000';
    const acceptedAt = new Date(typeof data.acceptedAt === 'number' ? data.acceptedAt : job.timestamp);
    this.held.set(sequence, {
      job,
      sequence,
      requestId: formatRequestId(this.deps.lane.code, sequence, nonce),
      acceptedAt,
    });
  }
}

/** Completed now (0), or BullMQ's code for a job that is gone or no longer active: nothing left to complete. */
function isDoneCode(code: number): boolean {
  return code >= 0 || code === Number(ErrorCode.JobNotExist) || code === Number(ErrorCode.JobNotInState);
}
