// A lane type: everything that varies by kind of queued request, declared once in its feature
// folder (src/coupon/claim.lane.ts, src/order/order.lane.ts) and listed by the composition roots
// (apps/lane-types.ts). The lane engine takes its lanes, payload schema, job name and processor
// (LaneKind); the submit path its place-in-line rule and gates (`submit`); the API its submit
// routes, its instant answers, its OpenAPI entry and any request ids of its own form (`api`).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { JobEnvelope, LaneConfig, LaneKind } from '../lane/lane.js';
import type { LaneSet } from '../lane/lane-set.js';
import type { Identity, IdentityEnv } from '../http/identity.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import type { RequestDeps } from '../request/request.service.js';
import type { RequestLookup } from '../request/request.resource.js';

export interface LaneType<P extends JobEnvelope = JobEnvelope> extends LaneKind<P> {
  /** For the OpenAPI description: the schema names' stem (`CouponClaim`), the result when SUCCEEDED, the REJECTED codes. */
  openapi: { name: string; result: ZodType; rejections: readonly [string, ...string[]] };
  /** Answers its gates give at once, by kind (two lowercase letters, part of the answer's id). */
  instantAnswers?: Record<string, { code: string; message: string }>;
  /** The API's part of the kind: its submit routes and, when it has request ids of its own form, their reader. */
  api(deps: LaneApiDeps): LaneApi;
}

export interface LaneApi {
  routes: OpenAPIHono<IdentityEnv>;
  lookup?: RequestLookup;
}

/** What the API hands a lane type. */
export type LaneApiDeps = Omit<RequestDeps, 'config'> & {
  config: RequestDeps['config'] & LaneConfig;
  identity: Identity;
  limiter: SubmitLimiter;
  lanes: LaneSet<LaneType>;
  /** The queued request resource of every lane type the API serves, for the routes' OpenAPI answers. */
  resourceSchema: ZodType;
};
