import type { Transaction } from 'kysely';
import type { ZodType } from 'zod';
import type { Database } from '../db/schema.js';

/** One accepted request of a lane, its payload validated. */
export interface LaneItem<P> {
  requestId: string;
  sequence: number;
  acceptedAt: Date;
  payload: P;
}

export type Decision =
  | { status: 'SUCCEEDED'; result: Record<string, unknown> }
  | { status: 'REJECTED'; error: { code: string; message: string } };

/**
 * What a lane decides. `decide` runs inside the lane's batch transaction, receives the items in
 * strict sequence order, writes their effects and returns one decision per item, in the same order.
 */
export interface LaneProcessor<P> {
  payloadSchema: ZodType<P>;
  decide(trx: Transaction<Database>, items: LaneItem<P>[], now: Date): Promise<Decision[]>;
  /** Runs after the batch committed (for example to publish sold-out flags); failures are only logged. */
  afterCommit?(items: LaneItem<P>[], decisions: Decision[]): Promise<void>;
  /** A short readable name of a payload for logs and the dashboard. */
  describe?(payload: P): string;
}
