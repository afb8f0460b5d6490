// A queued request as a resource: what a submit answers and a poll reads.
import type { RequestType } from '../db/schema.js';
import { isFinalStatus, type RequestStatus } from './request.status.js';

export interface RequestResource {
  requestId: string;
  type: RequestType;
  status: RequestStatus;
  sequence: number | null;
  position?: number;
  estimatedWaitMs?: number;
  /** A claim taken into a coupon's pre-queue (its sequence is null until the draw). */
  preQueued?: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  acceptedAt: string;
  finishedAt: string | null;
}

export function isFinal(r: RequestResource): boolean {
  return isFinalStatus(r.status);
}

/** What a submit answers. */
export interface Submitted {
  resource: RequestResource;
  /** false when the answer is final at once (an instant answer, or a repeat of a request already decided). */
  queued: boolean;
  /** true when this is a repeat that returns an existing request. */
  replayed: boolean;
}

/**
 * Request ids of a form a kind keeps outside its lane (a coupon's pre-queue: `p-<couponId>-<nonce>`):
 * the kind reads them itself.
 */
export interface RequestLookup {
  owns(requestId: string): boolean;
  get(requestId: string, waitMs: number): Promise<RequestResource>;
}
