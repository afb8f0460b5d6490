// A lane type's periodic task for the lane's owner (coupon claims: drawing pre-queues at their
// start), run beside the lane consumer's loop. It runs every `everyMs` while this process owns the lane, never twice at once, and writes
// to MySQL only in transactions that check the owner's fencing token first, so a former owner that
// still believes it owns the lane cannot record anything.
import type { Queue } from 'bullmq';
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { LeaseLostError } from './lease-lost.js';
import { lockLane } from './lane.repository.js';

export interface OwnerTaskContext {
  queue: Queue;
  log: Logger;
  /** Runs `fn` in a transaction that holds the lane row and has checked this owner's token (else LeaseLostError). */
  fenced<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

export interface OwnerTask {
  everyMs: number;
  run(ctx: OwnerTaskContext): Promise<void>;
}

export class OwnerTaskRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly ctx: OwnerTaskContext;

  constructor(
    private readonly deps: {
      task: OwnerTask;
      db: Db;
      lane: string;
      queue: Queue;
      log: Logger;
      isOwner: () => boolean;
      fence: () => number;
    },
  ) {
    const { db, lane, queue, log, fence } = deps;
    this.ctx = {
      queue,
      log,
      fenced: (fn) =>
        db.transaction().execute(async (trx) => {
          const row = await lockLane(trx, lane);
          if (!row || row.fence !== fence()) throw new LeaseLostError();
          return fn(trx);
        }),
    };
  }

  /** The runner of a lane processor's owner task, if it has one. */
  static of(
    opts: {
      processor: { ownerTask?: OwnerTask | undefined };
      db: Db;
      lane: { name: string };
      queue: Queue;
      log: Logger;
    },
    /** The lane's ownership: read at each run, as it changes. */
    owner: { readonly isOwner: boolean; readonly fence: number },
  ): OwnerTaskRunner | undefined {
    const task = opts.processor.ownerTask;
    const who = { isOwner: () => owner.isOwner, fence: () => owner.fence };
    return task && new OwnerTaskRunner({ ...opts, ...who, task, lane: opts.lane.name });
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.deps.task.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || !this.deps.isOwner()) return;
    this.running = this.deps.task
      .run(this.ctx)
      .catch((err: unknown) => this.deps.log.warn({ err }, 'owner task failed; it runs again'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
