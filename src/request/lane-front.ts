// The front of a lane, where submits join it, per API process (the lane owner takes from the other
// end, src/lane/). What a submit needs to know about its lane (how far it is decided, how many
// requests it holds, its recent decide rate, whether the lane flagged what it asks for: a coupon
// sold out, a product out of stock) is kept in memory and refreshed from Redis in one pipeline at
// most every `refreshMs`, instead of three reads on every submit; the adds of
// concurrent submits to one lane go to Redis as script calls of up to MAX_BATCH adds per event-loop
// turn, in order on one connection (lane-append.ts), which gives each job its sequence in the order in
// which submits called add().
import type { Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { laneKeys, type Lane } from '../queues/lanes.js';
import type { LaneProgress } from './lane-progress.js';
import { parseRate } from './eta.js';
import { appendToLane, type AppendEntry, type Appended, type Gated, type Refused } from './lane-append.js';
import type { Once, SubmitRecord } from './submit-dedupe.js';

export interface LaneSnapshot {
  /** Requests accepted into the lane and not yet decided, including adds still on their way. */
  waiting: number;
  decided: number;
  /** Decisions per second lately, when the lane owner published one. */
  rate?: number | undefined;
  /** Whether the watched flag was set at the last read (only when a flag was asked for). */
  flagged?: boolean;
}

/**
 * A flag the lane sets in its slot. A sticky flag never clears (issued coupons never return), so it
 * is not read again once seen; any other is read on every refresh, and only the lane append's own
 * check of it (atomic with the add) may refuse a request.
 */
export interface LaneFlag {
  key: string;
  sticky: boolean;
}

interface LaneView {
  /** The lane's decided sequence at the last read (the published progress may be further). */
  decided: number;
  /** The highest sequence known to be handed out: the lane's counter at the last read, or an add of ours. */
  accepted: number;
  /** Adds sent and not answered yet. */
  inFlight: number;
  /** The highest sequence our own adds got since the current read began. */
  ownSinceRead: number;
  /** The owner's published decide rate at the last read. */
  rate: number | undefined;
  /** Flags set at the last read, and sticky flags ever seen. */
  flagged: Set<string>;
  /** Flags asked about lately, by the time of their last submit: the refresh reads them. */
  watched: Map<string, { at: number; sticky: boolean }>;
  readAt: number;
  reading: Promise<void> | undefined;
  keys: ReturnType<typeof laneKeys>;
}

interface PendingAdd extends AppendEntry {
  resolve: (added: Appended) => void;
  reject: (err: unknown) => void;
}

/**
 * At most this many adds per script call; a fuller turn sends several calls, in order on one
 * connection. Small calls let Redis run one while the API parses the next requests: with one call
 * per turn of up to 500, API and Redis took turns idling (`npm run bench:profile -- --path submit`:
 * 13,400 against 17,000 submits/s with 16).
 */
const MAX_BATCH = 16;
/** A flag nobody asked about for this long is no longer read on refresh. */
const WATCH_MS = 60_000;

export class LaneFront {
  private readonly views = new Map<string, LaneView>();
  private readonly batches = new Map<string, PendingAdd[]>();
  /** Batches sent and not answered yet, per lane. */
  private readonly sending = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly deps: {
      redis: RedisClient;
      queues: Map<string, Queue>;
      progress: LaneProgress;
      config: { QUEUE_PREFIX: string };
      logger: Logger;
    },
    /** A view older than this is refreshed in the background while it answers. */
    private readonly refreshMs = 100,
    /** A view older than this (an idle API) is refreshed before it answers. */
    private readonly maxAgeMs = 1_000,
  ) {}

  /** The lane as this process knows it: at most `maxAgeMs` old, and never ahead of Redis. */
  async snapshot(lane: Lane, flag?: LaneFlag): Promise<LaneSnapshot> {
    const known = this.current(lane, flag);
    if (known) return known;
    const view = this.view(lane);
    await this.read(lane, view);
    return this.answer(view, lane, flag);
  }

  /**
   * The snapshot without waiting, when the view is young enough (a view past `refreshMs` is read
   * again in the background while it answers); undefined when it must be read first (an idle API).
   */
  current(lane: Lane, flag?: LaneFlag): LaneSnapshot | undefined {
    const view = this.view(lane);
    const now = Date.now();
    if (flag && !(flag.sticky && view.flagged.has(flag.key))) {
      const watch = view.watched.get(flag.key);
      if (watch) watch.at = now;
      else view.watched.set(flag.key, { at: now, sticky: flag.sticky });
    }
    const age = now - view.readAt;
    if (age >= this.maxAgeMs) return undefined;
    if (age >= this.refreshMs && !view.reading) {
      this.read(lane, view).catch((err: Error) =>
        this.deps.logger.debug({ err: err.message }, 'lane view refresh failed'),
      );
    }
    return this.answer(view, lane, flag);
  }

  private answer(view: LaneView, lane: Lane, flag: LaneFlag | undefined): LaneSnapshot {
    const decided = Math.max(view.decided, this.deps.progress.decided(lane.name));
    const snapshot: LaneSnapshot = {
      waiting: Math.max(0, view.accepted + view.inFlight - decided),
      decided,
      rate: view.rate,
    };
    if (flag) snapshot.flagged = view.flagged.has(flag.key);
    return snapshot;
  }

  /** The lane's own Redis keys (src/queues/lane-keys.ts). */
  keys(lane: Lane): ReturnType<typeof laneKeys> {
    return this.view(lane).keys;
  }

  /**
   * Appends a job to the lane and resolves with its sequence, with the user's rate limit's refusal,
   * or with its gate's answer (see AppendEntry).
   */
  add(
    lane: Lane,
    name: string,
    data: Record<string, unknown>,
    options: Pick<AppendEntry, 'limit' | 'gate'> = {},
  ): Promise<number | Refused | Gated> {
    return this.enqueue(lane, name, data, undefined, options) as Promise<number | Refused | Gated>;
  }

  /**
   * Appends a job unless its intent already holds a request; resolves with the record of the request
   * that holds it, with the user's rate limit's refusal (a repeat is never refused) or with its
   * gate's answer.
   */
  addOnce(
    lane: Lane,
    name: string,
    data: Record<string, unknown> & { nonce: string; acceptedAt: number },
    once: Once,
    options: Pick<AppendEntry, 'limit' | 'gate'> = {},
  ): Promise<SubmitRecord | Refused | Gated> {
    const rule = { rule: once, nonce: data.nonce, acceptedAt: data.acceptedAt };
    return this.enqueue(lane, name, data, rule, options) as Promise<SubmitRecord | Refused | Gated>;
  }

  /** Resolves once the adds already made to this lane have been answered. */
  async settled(lane: Lane): Promise<void> {
    // A batch opened before this call is sent by then (its send was queued first).
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...(this.sending.get(lane.name) ?? [])]);
  }

  // Every pending add has one shape, built without spreads: this runs for every submit.
  private enqueue(
    lane: Lane,
    name: string,
    data: Record<string, unknown>,
    once: AppendEntry['once'],
    { limit, gate }: Pick<AppendEntry, 'limit' | 'gate'>,
  ): Promise<Appended> {
    const view = this.view(lane);
    view.inFlight++;
    let batch = this.batches.get(lane.name);
    if (!batch) {
      batch = [];
      this.batches.set(lane.name, batch);
      // Sent at the end of this turn unless it fills up first.
      const opened = batch;
      setImmediate(() => this.send(lane, opened));
    }
    const pending = batch;
    return new Promise<Appended>((resolve, reject) => {
      pending.push({ name, data, once, limit, gate, resolve, reject });
      if (pending.length >= MAX_BATCH) this.send(lane, pending);
    });
  }

  /** Sends the batch unless it was sent already; settled() waits for every send in flight. */
  private send(lane: Lane, batch: PendingAdd[]): void {
    if (this.batches.get(lane.name) !== batch) return;
    this.batches.delete(lane.name);
    let inFlight = this.sending.get(lane.name);
    if (!inFlight) {
      inFlight = new Set();
      this.sending.set(lane.name, inFlight);
    }
    const sends = inFlight;
    const sent: Promise<void> = this.flush(lane, batch).finally(() => sends.delete(sent));
    sends.add(sent);
  }

  private async flush(lane: Lane, batch: PendingAdd[]): Promise<void> {
    const view = this.view(lane);
    const added = (sequence: number) => {
      if (sequence > view.accepted) view.accepted = sequence;
      if (sequence > view.ownSinceRead) view.ownSinceRead = sequence;
    };
    try {
      const queue = this.deps.queues.get(lane.name);
      if (!queue) throw new Error(`no queue for lane ${lane.name}`);
      const results = await appendToLane(queue, batch);
      view.inFlight -= batch.length;
      batch.forEach((p, i) => {
        const result = results[i] as Appended;
        if (typeof result === 'number') added(result);
        else if ('refused' in result || 'gated' in result) {
          // Nothing added.
        } else if (result.sequence !== null && result.nonce === p.once?.nonce) added(result.sequence);
        p.resolve(result);
      });
    } catch (err) {
      view.inFlight -= batch.length;
      for (const p of batch) p.reject(err);
    }
  }

  private view(lane: Lane): LaneView {
    let view = this.views.get(lane.name);
    if (!view) {
      view = {
        decided: 0,
        accepted: 0,
        inFlight: 0,
        ownSinceRead: 0,
        rate: undefined,
        flagged: new Set(),
        watched: new Map(),
        readAt: 0,
        reading: undefined,
        keys: laneKeys(this.deps.config.QUEUE_PREFIX, lane),
      };
      this.views.set(lane.name, view);
    }
    return view;
  }

  /** One pipeline in the lane's slot: decided sequence, sequence counter, rate, watched flags. */
  private read(lane: Lane, view: LaneView): Promise<void> {
    view.reading ??= (async () => {
      const { keys } = view;
      const queue = this.deps.queues.get(lane.name);
      if (!queue) throw new Error(`no queue for lane ${lane.name}`);
      const now = Date.now();
      view.ownSinceRead = 0;
      for (const [key, w] of view.watched) {
        if (now - w.at <= WATCH_MS) continue;
        view.watched.delete(key);
        if (!w.sticky) view.flagged.delete(key);
      }
      const flags = [...view.watched].filter(([key, w]) => !(w.sticky && view.flagged.has(key)));
      const pipeline = this.deps.redis.pipeline().get(keys.decided).get(queue.toKey('id')).get(keys.rate);
      for (const [key] of flags) pipeline.exists(key);
      const results = (await pipeline.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
      const value = (i: number) => results[i]?.[1];
      // Taken as Redis has them (a Redis that lost its data starts both again), plus our own adds
      // that Redis ran after this read.
      view.decided = Number(value(0) ?? 0);
      view.accepted = Math.max(Number(value(1) ?? 0), view.ownSinceRead);
      view.rate = parseRate(value(2) as string | null | undefined);
      flags.forEach(([key], i) => {
        if (value(3 + i) === 1) view.flagged.add(key);
        else view.flagged.delete(key);
      });
      view.readAt = now;
    })().finally(() => {
      view.reading = undefined;
    });
    return view.reading;
  }
}
