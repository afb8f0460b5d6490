// The lane's ordering rules as pure functions: which requests of a batch are replayed, which
// contiguous run is decided, when a missing sequence is waited for and when it is skipped, what a
// restarted sequence looks like, and how a failing batch narrows down to its poison request. No I/O
// here; the consumer feeds in what it holds and what the database says.

/** What the sequencer needs to know of a request in hand. */
export interface Sequenced {
  sequence: number;
  requestId: string;
}

/** The requests a batch looks at: the `limit` lowest sequences in hand, in sequence order. */
export function selectCandidates<T extends Sequenced>(held: Iterable<T>, limit: number): T[] {
  return [...held].sort((a, b) => a.sequence - b.sequence).slice(0, limit);
}

export interface BatchPlan<T> {
  /** Already decided by an earlier run of the same batch (an owner died before completing them). */
  replay: T[];
  /** The contiguous run of undecided sequences to decide now, in order. */
  run: T[];
  /**
   * Set when the lane's sequence went backwards (Redis lost its data and BullMQ's counter began
   * again): the run then starts at the first undecided request instead of after `lastSequence`.
   */
  restartedAt?: number;
}

/**
 * Splits `candidates` (in sequence order) into outcomes to replay and the run to decide: only the
 * sequences that directly follow `lastSequence` (the lane's last decided one), so a request that is
 * not in hand is waited for, never overtaken. `skipGap` (the gap was judged permanent) starts the run
 * at the first undecided request instead.
 */
export function planBatch<T extends Sequenced>(
  candidates: readonly T[],
  decided: ReadonlySet<string>,
  lastSequence: number,
  skipGap = false,
): BatchPlan<T> {
  const replay = candidates.filter((c) => decided.has(c.requestId));
  const undecided = candidates.filter((c) => !decided.has(c.requestId));
  const first = undecided[0]?.sequence;
  let expected = lastSequence + 1;
  const restarted = first !== undefined && first < expected;
  if (first !== undefined && (restarted || skipGap)) expected = first;
  const run: T[] = [];
  for (const c of undecided) {
    if (c.sequence !== expected) break;
    run.push(c);
    expected++;
  }
  return restarted && first !== undefined ? { replay, run, restartedAt: first } : { replay, run };
}

export type GapVerdict =
  /** The lowest sequence in hand follows the last decided one: decide. */
  | { kind: 'contiguous' }
  /** An earlier sequence is missing (it may be active under a dead owner): wait for it. */
  | { kind: 'wait' }
  /** Missing for long enough: skip it if its job no longer exists anywhere. */
  | { kind: 'check-permanent'; missing: number };

/**
 * `gapSince` is when the gap was first seen; a gap becomes a candidate for skipping only after
 * `permanentAfterMs` (two lease periods: long enough for a dead owner's jobs to be adopted).
 */
export function judgeGap(input: {
  firstHeld: number;
  lastSequence: number;
  gapSince: number;
  now: number;
  permanentAfterMs: number;
}): GapVerdict {
  const missing = input.lastSequence + 1;
  if (input.firstHeld <= missing) return { kind: 'contiguous' };
  if (input.now - input.gapSince < input.permanentAfterMs) return { kind: 'wait' };
  return { kind: 'check-permanent', missing };
}

export type FailureStep =
  /** Infrastructure trouble: retry the same batch in place after `waitMs`; nothing behind it moves. */
  | { kind: 'retry'; waitMs: number }
  /** The batch failed for a reason of its own: try its first request alone. */
  | { kind: 'isolate' }
  /** The first request fails alone too: record it FAILED and go on. */
  | { kind: 'fail-first' };

const MAX_BACKOFF_MS = 2_000;

/** What to do after attempt number `attempt` (from 0) of a batch of `limit` requests failed. */
export function afterBatchFailure(input: { infrastructure: boolean; limit: number; attempt: number }): FailureStep {
  if (input.infrastructure)
    return { kind: 'retry', waitMs: Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(input.attempt, 6)) };
  return input.limit > 1 ? { kind: 'isolate' } : { kind: 'fail-first' };
}
