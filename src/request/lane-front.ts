// The front of a lane, where submits join it, per API process (the lane owner takes from the other
// end, src/lane/): what a submit needs to know about the lane (LaneViews) and its adds, batched per
// event-loop turn into lane-append script calls (LaneAdds).
import type { Lane } from '../lane/lane.js';
import type { LaneKeys } from '../lane/lane-keys.js';
import { appendToLane, type AppendEntry, type Appended } from './lane-append.js';
import { LaneAdds } from './lane-adds.js';
import { LaneViews, type LaneFlag, type LaneSnapshot, type LaneViewDeps } from './lane-view.js';
import type { SubmitRecord } from './submit-dedupe.js';

export type { LaneFlag, LaneSnapshot } from './lane-view.js';

/** What became of one add. */
export type AddAnswer =
  /** Added: the request took this sequence. */
  | { kind: 'added'; sequence: number }
  /** Its intent already holds a request (its Idempotency-Key's, its place in line's): nothing added. */
  | { kind: 'held'; record: SubmitRecord }
  /** The user's rate limit refused it: nothing added; the window ends in `retryInMs`. */
  | { kind: 'refused'; retryInMs: number }
  /** Its gate's flag was set: nothing added, its instant answer holds. */
  | { kind: 'gated' };

function answerOf(entry: AppendEntry, appended: Appended): AddAnswer {
  if (typeof appended === 'number') return { kind: 'added', sequence: appended };
  if ('refused' in appended) return { kind: 'refused', retryInMs: appended.retryInMs };
  if ('gated' in appended) return { kind: 'gated' };
  const own = appended.sequence !== null && appended.nonce === entry.once?.nonce;
  return own && appended.sequence !== null
    ? { kind: 'added', sequence: appended.sequence }
    : { kind: 'held', record: appended };
}

export class LaneFront {
  private readonly views: LaneViews;
  private readonly adds: LaneAdds<AppendEntry, AddAnswer>;

  constructor(deps: LaneViewDeps, refreshMs?: number, maxAgeMs?: number) {
    this.views = new LaneViews(deps, refreshMs, maxAgeMs);
    // Each script answer is read once, here; the view and the submit both take it as it is.
    const send = async (lane: string, entries: readonly AppendEntry[]) => {
      const queue = deps.queues.get(lane);
      if (!queue) throw new Error(`no queue for lane ${lane}`);
      const results = await appendToLane(queue, entries);
      return results.map((r, i) => answerOf(entries[i] as AppendEntry, r));
    };
    this.adds = new LaneAdds(send, {
      adding: (lane) => this.views.adding(lane),
      answered: (lane, entries, answers) => {
        const sequences: number[] = [];
        for (const a of answers ?? []) if (a.kind === 'added') sequences.push(a.sequence);
        this.views.answered(lane, entries.length, sequences);
      },
    });
  }

  /** The lane as this process knows it, read first when the view is too old. */
  snapshot(lane: Lane, flag?: LaneFlag): Promise<LaneSnapshot> {
    return this.views.snapshot(lane.name, flag);
  }

  /** The snapshot without waiting, or undefined when it must be read first (an idle API). */
  current(lane: Lane, flag?: LaneFlag): LaneSnapshot | undefined {
    return this.views.current(lane.name, flag);
  }

  keys(lane: { name: string }): LaneKeys {
    return this.views.keys(lane);
  }

  /** Appends one entry to the lane, in the order of the calls (see AppendEntry). */
  add(lane: Lane, entry: AppendEntry): Promise<AddAnswer> {
    return this.adds.add(lane.name, entry);
  }

  /** Resolves once the adds already made to this lane have been answered. */
  settled(lane: Lane): Promise<void> {
    return this.adds.settled(lane.name);
  }

  watchedFlags(lane: Lane): number {
    return this.views.watchedFlags(lane.name);
  }
}
