// The batch commit: one MySQL transaction that checks the owner's fencing token, replays outcomes
// already written, decides the contiguous run the sequencer picks, and writes the effects and every
// request's outcome keyed by request id, so a batch that runs twice changes nothing the second time.
import type { Db } from '../db/database.js';
import type { NewRequestOutcome } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { JobEnvelope, Lane } from './lane.js';
import { findOutcomes, insertOutcomes } from '../request/request.repository.js';
import { advanceLane, lockLane } from './lane.repository.js';
import type { Held } from './lane-intake.js';
import type { Decision, LaneItem, LaneProcessor } from './lane-processor.js';
import { LeaseLostError } from './lease-lost.js';
import { planBatch } from './sequencer.js';

export interface Decided {
  held: Held;
  outcome: NewRequestOutcome;
}

export interface CommittedBatch {
  /** Replayed and newly decided requests, in sequence order. */
  done: Decided[];
  /** The lane's last decided sequence after this batch, when the batch decided any. */
  lastSequence?: number;
  afterCommit?: () => Promise<void>;
}

type Failure = { status: 'FAILED'; code: string; message: string };

export async function commitBatch<P extends JobEnvelope>(input: {
  db: Db;
  lane: Lane<P>;
  fence: number;
  processor: LaneProcessor<P>;
  /** The requests to look at, in sequence order. */
  candidates: Held[];
  skipGap: boolean;
  /** Record every request of the run FAILED with this code instead of deciding it (a poison request). */
  failWith?: string | undefined;
  log: Logger;
}): Promise<CommittedBatch> {
  const { db, lane, processor, candidates } = input;
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    const laneRow = await lockLane(trx, lane.name);
    if (!laneRow || laneRow.fence !== input.fence) throw new LeaseLostError();

    const stored = await findOutcomes(
      trx,
      candidates.map((c) => c.requestId),
    );
    const existing = new Map(stored.map((o) => [o.request_id, o]));
    const plan = planBatch(candidates, new Set(existing.keys()), laneRow.last_sequence, input.skipGap);
    if (plan.restartedAt !== undefined) {
      input.log.warn(
        { firstUndecided: plan.restartedAt, lastSequence: laneRow.last_sequence },
        'lane sequence restarted (Redis data reset?)',
      );
    }

    const { outcomes, valid } = checkPayloads(lane, plan.run, input.failWith, now);
    const batch =
      valid.length > 0
        ? await processor.decide(
            trx,
            valid.map((v) => v.item),
            now,
          )
        : undefined;
    valid.forEach((v, i) => {
      const d = batch?.decisions[i];
      if (!d) throw new Error('processor returned fewer decisions than items');
      outcomes.set(v.held.sequence, outcomeRow(lane, v.held, now, d));
    });
    const fresh = plan.run.map((held) => ({ held, outcome: outcomes.get(held.sequence)! }));
    await insertOutcomes(
      trx,
      fresh.map((f) => f.outcome),
    );
    const last = plan.run.at(-1)?.sequence;
    if (last !== undefined) await advanceLane(trx, lane.name, last);
    return {
      done: [...plan.replay.map((held) => ({ held, outcome: existing.get(held.requestId)! })), ...fresh],
      ...(last !== undefined ? { lastSequence: last } : {}),
      ...(batch?.afterCommit ? { afterCommit: batch.afterCommit } : {}),
    };
  });
}

/**
 * The run's requests whose payloads pass the lane type's schema, as items to decide; the others (and
 * all of them when the run is failed on purpose) already with their FAILED outcome.
 */
function checkPayloads<P extends JobEnvelope>(lane: Lane<P>, run: Held[], failWith: string | undefined, now: Date) {
  const outcomes = new Map<number, NewRequestOutcome>();
  const valid: { held: Held; item: LaneItem<P> }[] = [];
  for (const held of run) {
    const parsed = lane.laneType.payloadSchema.safeParse(held.job.data);
    if (failWith || !parsed.success) {
      const failure: Failure = failWith
        ? { status: 'FAILED', code: failWith, message: 'The engine could not process this request' }
        : { status: 'FAILED', code: 'INVALID_PAYLOAD', message: 'The queued payload is not valid' };
      outcomes.set(held.sequence, outcomeRow(lane, held, now, failure));
      continue;
    }
    const item = {
      requestId: held.requestId,
      sequence: held.sequence,
      acceptedAt: held.acceptedAt,
      payload: parsed.data,
    };
    valid.push({ held, item });
  }
  return { outcomes, valid };
}

function outcomeRow(lane: Lane, held: Held, now: Date, d: Decision | Failure): NewRequestOutcome {
  return {
    request_id: held.requestId,
    type: lane.type,
    lane: lane.name,
    sequence: held.sequence,
    status: d.status,
    result: d.status === 'SUCCEEDED' ? JSON.stringify(d.result) : null,
    error_code: d.status === 'REJECTED' ? d.error.code : d.status === 'FAILED' ? d.code : null,
    error_message: d.status === 'REJECTED' ? d.error.message.slice(0, 500) : d.status === 'FAILED' ? d.message : null,
    accepted_at: held.acceptedAt,
    finished_at: now,
  };
}
