// What a submit needs to know about its lane, per API process: how far it is decided, how many
// requests it holds, its recent decide rate and whether a flag it asks about is set. Kept in memory
// and refreshed from Redis in one pipeline at most every `refreshMs`, instead of reads on every submit.
import type { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { laneKeys, type LaneKeys } from '../lane/lane-keys.js';
import type { LaneProgress } from './lane-progress.js';
import { parseRate } from './eta.js';
import { FlagWatch } from './flag-watch.js';

export interface LaneSnapshot {
  /** Requests accepted into the lane and not yet decided, including adds still on their way. */
  waiting: number;
  decided: number;
  /** Decisions per second lately, when the lane owner published one. */
  rate?: number | undefined;
  /** Whether the asked flag was set at the last read (only when a flag was asked about). */
  flagged?: boolean;
}

/** A flag of the lane a submit asks about (see FlagWatch). */
export interface LaneFlag {
  key: string;
  sticky: boolean;
}

interface View {
  /** The lane's decided sequence at the last read (the published progress may be further). */
  decided: number;
  /** The highest sequence known to be handed out: the lane's counter at the last read, or an add of ours. */
  accepted: number;
  /** Adds sent and not answered yet. */
  inFlight: number;
  /** The highest sequence our own adds got since the current read began. */
  ownSinceRead: number;
  rate: number | undefined;
  flags: FlagWatch;
  readAt: number;
  reading: Promise<void> | undefined;
  keys: LaneKeys;
}

export interface LaneViewDeps {
  redis: RedisClient;
  queues: Map<string, Queue>;
  progress: LaneProgress;
  config: { QUEUE_PREFIX: string };
  logger: Logger;
}

export class LaneViews {
  private readonly views = new Map<string, View>();

  constructor(
    private readonly deps: LaneViewDeps,
    /** A view older than this is refreshed in the background while it answers. */
    private readonly refreshMs = 100,
    /** A view older than this (an idle API) is refreshed before it answers. */
    private readonly maxAgeMs = 1_000,
  ) {}

  /** The lane as this process knows it: at most `maxAgeMs` old, and never ahead of Redis. */
  async snapshot(lane: string, flag?: LaneFlag): Promise<LaneSnapshot> {
    const known = this.current(lane, flag);
    if (known) return known;
    const view = this.view(lane);
    await this.read(lane, view);
    return this.answer(lane, view, flag);
  }

  /** The snapshot without waiting when the view is young enough; undefined when it must be read first. */
  current(lane: string, flag?: LaneFlag): LaneSnapshot | undefined {
    const view = this.view(lane);
    const now = Date.now();
    if (flag) view.flags.ask(flag.key, flag.sticky, now);
    const age = now - view.readAt;
    if (age >= this.maxAgeMs) return undefined;
    if (age >= this.refreshMs && !view.reading) {
      this.read(lane, view).catch((err: Error) =>
        this.deps.logger.debug({ err: err.message }, 'lane view refresh failed'),
      );
    }
    return this.answer(lane, view, flag);
  }

  /** The lane's own Redis keys. */
  keys(lane: { name: string }): LaneKeys {
    return this.view(lane.name).keys;
  }

  /** An add is on its way: it counts as waiting until answered. */
  adding(lane: string): void {
    this.view(lane).inFlight++;
  }

  /** Adds were answered: `count` of them, which took these sequences. */
  answered(lane: string, count: number, sequences: readonly number[]): void {
    const view = this.view(lane);
    view.inFlight -= count;
    for (const sequence of sequences) {
      if (sequence > view.accepted) view.accepted = sequence;
      if (sequence > view.ownSinceRead) view.ownSinceRead = sequence;
    }
  }

  /** How many flags the lane's view watches (bounded: only those asked about lately). */
  watchedFlags(lane: string): number {
    return this.view(lane).flags.size;
  }

  private answer(lane: string, view: View, flag: LaneFlag | undefined): LaneSnapshot {
    const decided = Math.max(view.decided, this.deps.progress.decided(lane));
    const snapshot: LaneSnapshot = {
      waiting: Math.max(0, view.accepted + view.inFlight - decided),
      decided,
      rate: view.rate,
    };
    if (flag) snapshot.flagged = view.flags.isSet(flag.key);
    return snapshot;
  }

  private view(lane: string): View {
    let view = this.views.get(lane);
    if (!view) {
      const keys = laneKeys(this.deps.config.QUEUE_PREFIX, { name: lane });
      view = {
        decided: 0,
        accepted: 0,
        inFlight: 0,
        ownSinceRead: 0,
        rate: undefined,
        flags: new FlagWatch(),
        readAt: 0,
        reading: undefined,
        keys,
      };
      this.views.set(lane, view);
    }
    return view;
  }

  /** One pipeline in the lane's slot: decided sequence, sequence counter, rate, watched flags. */
  private read(lane: string, view: View): Promise<void> {
    view.reading ??= this.readNow(lane, view).finally(() => {
      view.reading = undefined;
    });
    return view.reading;
  }

  private async readNow(lane: string, view: View): Promise<void> {
    const queue = this.deps.queues.get(lane);
    if (!queue) throw new Error(`no queue for lane ${lane}`);
    const now = Date.now();
    view.ownSinceRead = 0;
    const flags = view.flags.toRead(now);
    const pipeline = this.deps.redis.pipeline().get(view.keys.decided).get(queue.toKey('id')).get(view.keys.rate);
    for (const key of flags) pipeline.exists(key);
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const value = (i: number) => results[i]?.[1];
    // Taken as Redis has them (a Redis that lost its data starts both again), plus our own adds
    // that Redis ran after this read.
    view.decided = Number(value(0) ?? 0);
    view.accepted = Math.max(Number(value(1) ?? 0), view.ownSinceRead);
    view.rate = parseRate(value(2) as string | null | undefined);
    flags.forEach((key, i) => view.flags.record(key, value(3 + i) === 1));
    view.readAt = now;
  }
}
