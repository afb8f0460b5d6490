import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OwnerTask } from './owner-task.js';

/** One accepted request of a lane, its payload validated. */
export interface LaneItem<P> {
  requestId: string;
  sequence: number;
  acceptedAt: Date;
  payload: P;
}

/** The codes of a FAILED request: the engine could not process it (a poison payload). */
export const FAILURE_CODES = ['INVALID_PAYLOAD', 'PROCESSING_ERROR'] as const;

export type Decision =
  | { status: 'SUCCEEDED'; result: Record<string, unknown> }
  | { status: 'REJECTED'; error: { code: string; message: string } };

export interface BatchDecisions {
  /** One decision per item, in the items' order. */
  decisions: Decision[];
  /**
   * Runs after the batch committed, with what the decisions left to announce (sold-out flags, an
   * expiry check); a failure is only logged, the outcomes are already durable.
   */
  afterCommit?: () => Promise<void>;
}

/**
 * What a lane decides. `decide` runs inside the lane's batch transaction, receives the items in
 * strict sequence order (their payloads checked against the lane type's schema) and writes their
 * effects.
 */
export interface LaneProcessor<P> {
  decide(trx: Transaction<Database>, items: LaneItem<P>[], now: Date): Promise<BatchDecisions>;
  /** Work only the lane's owner may do, run periodically while it owns the lane (the pre-queue draw). */
  ownerTask?: OwnerTask;
}
