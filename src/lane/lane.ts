// What a lane is, as the engine sees it: a named queue of one kind of request, decided strictly by
// sequence. A kind (LaneKind) says what its jobs carry and how a batch of them is decided; the
// request path and the API add their own parts of a kind elsewhere (src/queues/lane-type.ts).
import { z, type ZodObject, type ZodRawShape, type ZodType } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import type { LaneKeys } from './lane-keys.js';
import type { LaneProcessor } from './lane-processor.js';

/** What every job carries besides the request itself. */
export interface JobEnvelope {
  /** Random part of the request id. */
  nonce: string;
  /** When the API accepted the request (ms since the epoch). */
  acceptedAt: number;
  /** The HTTP request id, for the logs and the dashboard. */
  httpRequestId?: string | undefined;
}

const envelopeShape = {
  nonce: z.string().regex(/^[a-z0-9]{10}$/),
  acceptedAt: z.number().int().positive(),
  httpRequestId: z.string().max(128).optional(),
};

/** A kind's job payload schema: the shared envelope plus the kind's own fields. */
export function jobPayload<S extends ZodRawShape>(shape: S) {
  return z.object({ ...shape, ...envelopeShape }) as ZodObject<S & typeof envelopeShape>;
}

/** A lane's name (its queue, stored with every outcome) and the code that starts its request ids. */
export interface LaneSpec {
  /** e.g. `claims-2` or `orders`. */
  name: string;
  /** A letter and up to three digits, e.g. `c2` or `o`. */
  code: string;
}

/** The settings a kind's lane list may depend on. */
export type LaneConfig = Pick<Config, 'COUPON_LANES'>;

/** What a worker process offers a kind's processor. */
export interface ProcessorContext {
  config: Config;
  db: Db;
  redis: RedisClient;
  lane: Lane;
  /** Asks for an expiry check of unpaid orders at the given time (a delayed job). */
  scheduleExpiry: (at: Date) => Promise<void>;
}

/**
 * A flag in a lane's slot that answers a request at once, without a sequence, while it is set (a
 * coupon sold out, a product out of stock): the answer is the instant answer `answer` of its kind.
 */
export interface FlagGate {
  key: string;
  /**
   * A sticky flag never clears (issued coupons never return), so a submit that sees it set is
   * answered from the view alone; any other is checked by the lane append atomically with the add.
   */
  sticky: boolean;
  answer: string;
}

/** How a kind's submits join its lane, beyond what every submit gets (Idempotency-Key, rate limit). */
export interface SubmitRules<P extends JobEnvelope> {
  /**
   * One place in line: while a request with the same line id waits or runs, a submit returns that
   * request and takes no new sequence (e.g. a user's claim for a coupon).
   */
  line?(payload: Omit<P, 'nonce'>): string;
  /** The flag that may answer this request at once, when there is one. */
  gate?(payload: Omit<P, 'nonce'>, keys: LaneKeys): FlagGate | undefined;
}

/** A kind of queued request, as the lane engine needs it. */
export interface LaneKind<P extends JobEnvelope = JobEnvelope> {
  /** The request type stored with every outcome and shown in a request's status. */
  type: string;
  /** Shown on the dashboard beside each of its lanes. */
  label: string;
  lanes(config: LaneConfig): LaneSpec[];
  /** The job payload, checked again by the lane before deciding (an invalid one is FAILED). */
  payloadSchema: ZodType<P>;
  /** The readable job name on the dashboard, e.g. `claim coupon 7 by user 12`. */
  jobName(payload: Omit<P, 'nonce'>): string;
  processor(ctx: ProcessorContext): LaneProcessor<P>;
  submit?: SubmitRules<P>;
}

/** A lane: one BullMQ queue, decided strictly by sequence by one consumer at a time. */
export interface Lane<P extends JobEnvelope = JobEnvelope> extends LaneSpec {
  /** The request type of every request in the lane, e.g. `COUPON_CLAIM`. */
  type: string;
  laneType: LaneKind<P>;
}
