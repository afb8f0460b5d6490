// What a kind of queued request declares once: its request type, lanes, job payload schema, job
// name, processor, label and, when it brings one, its submit route. The lane list, the request type,
// the dashboard, the workers and the OpenAPI description of a queued request derive from these
// declarations (src/queues/lane-types.ts lists them).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { LaneProcessor } from '../lane/lane-processor.js';
import type { Identity, IdentityEnv } from '../http/identity.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import type { RedisClient } from '../redis.js';
import type { RequestDeps } from '../request/request.service.js';

/** What every job carries besides the request itself. */
export interface JobEnvelope {
  /** Random part of the request id. */
  nonce: string;
  /** When the API accepted the request (ms since the epoch). */
  acceptedAt: number;
  /** The HTTP request id, for the logs and the dashboard. */
  httpRequestId?: string | undefined;
}

/** A lane: one BullMQ queue, decided strictly by sequence by one consumer at a time. */
export interface Lane<P extends JobEnvelope = JobEnvelope> {
  /** Queue name and lane id stored with every outcome, e.g. `claims-2` or `orders`. */
  name: string;
  /** Short code that starts every request id of the lane, e.g. `c2` or `o`. */
  code: string;
  /** The request type of every request in the lane, e.g. `COUPON_CLAIM`. */
  type: string;
  laneType: LaneType<P>;
}

/** What a worker process offers a lane type's processor. */
export interface ProcessorContext {
  config: Config;
  db: Db;
  redis: RedisClient;
  lane: Lane;
  /** Asks for an expiry check of unpaid orders at the given time (a delayed job). */
  scheduleExpiry: (at: Date) => Promise<void>;
}

export interface LaneType<P extends JobEnvelope = JobEnvelope> {
  /** The request type stored with every outcome and shown in a request's status. */
  type: string;
  /** Shown on the dashboard beside each of its lanes. */
  label: string;
  /** Its lanes' names and codes (codes: a letter and up to three digits). */
  lanes(config: { COUPON_LANES: number }): { name: string; code: string }[];
  /** The job payload, checked again by the lane before deciding (an invalid one is FAILED). */
  payloadSchema: ZodType<P>;
  /** For the OpenAPI description: the schema names' stem (`CouponClaim`), the result when SUCCEEDED, the REJECTED codes. */
  openapi: { name: string; result: ZodType; rejections: readonly [string, ...string[]] };
  /** The readable job name on the dashboard, e.g. `claim coupon 7 by user 12`. */
  jobName(payload: Omit<P, 'nonce'>): string;
  processor(ctx: ProcessorContext): LaneProcessor<P>;
  /**
   * A submit route of its own, mounted by the API. The built-in types have theirs beside their
   * feature's other routes (src/coupon, src/order).
   */
  routes?(deps: SubmitRouteDeps): OpenAPIHono<IdentityEnv>;
}

/** What the API hands a submit route. */
export type SubmitRouteDeps = RequestDeps & { identity: Identity; limiter: SubmitLimiter };
