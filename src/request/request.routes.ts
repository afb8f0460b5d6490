import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { FAILURE_CODES } from '../lane/lane-processor.js';
import type { LaneType } from '../queues/lane-type.js';
import type { Identity } from '../http/identity.js';
import { json, retryAfterWhen, route } from '../http/openapi.js';
import { setResponseHeader } from '../http/response-headers.js';
import { validationHook } from '../http/validation.js';
import { retryAfterSeconds } from './eta.js';
import { REQUEST_STATUSES } from './request.status.js';
import { getRequest, type RequestDeps } from './request.service.js';
import { isFinal, type RequestResource } from './request.resource.js';

const common = {
  requestId: z.string().openapi({ example: 'c2-1892-k3j9x0a1bq' }),
  status: z.enum(REQUEST_STATUSES),
  sequence: z
    .number()
    .int()
    .min(1)
    .nullable()
    .openapi({ description: 'Arrival order within its lane; null for an answer given without queueing' }),
  position: z
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'Only while QUEUED: how many requests of its lane are ahead of it' }),
  estimatedWaitMs: z.number().int().min(0).optional().openapi({
    description: 'Only while QUEUED, once the lane has a recent decide rate: (position + 1) ÷ rate, in ms',
  }),
  preQueued: z
    .boolean()
    .optional()
    .openapi({ description: "Only for a claim waiting in a coupon's pre-queue (sequence null until drawn)" }),
  acceptedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
};

const outcomeError = <C extends readonly [string, ...string[]]>(codes: C, name: string) =>
  z
    .object({ code: z.enum(codes), message: z.string() })
    .optional()
    .openapi(name, {
      description: 'Only when REJECTED (a business outcome) or FAILED (INVALID_PAYLOAD, PROCESSING_ERROR)',
    });

/** One lane type's queued request: its `type` says which result and which error codes it carries. */
function queuedRequestOf(t: LaneType) {
  return z
    .object({
      type: z.literal(t.type),
      ...common,
      result: t.openapi.result.optional(),
      error: outcomeError([...t.openapi.rejections, ...FAILURE_CODES], `${t.openapi.name}Error`),
    })
    .openapi(`${t.openapi.name}Request`);
}

/** A queued request of any of these lane types, as a resource. */
export function requestResourceSchema(types: readonly LaneType[]) {
  return z
    .discriminatedUnion('type', types.map(queuedRequestOf) as [ReturnType<typeof queuedRequestOf>])
    .openapi('QueuedRequest');
}
export type QueuedRequest = z.infer<ReturnType<typeof requestResourceSchema>>;

/** The resource as the document types it: `type` says which result and which error codes it carries. */
export const asQueuedRequest = (resource: RequestResource) => resource as QueuedRequest;

const JSON_TYPE = { 'Content-Type': 'application/json' };

const RequestParams = z.object({
  requestId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'requestId', in: 'path' }, example: 'c2-1892-k3j9x0a1bq' }),
});

const WaitQuery = z.object({
  waitMs: z
    .string()
    .regex(/^[0-9]{1,5}$/, 'waitMs must be an integer')
    .transform(Number)
    .refine((n) => n <= 10_000, 'waitMs must be at most 10000')
    .optional()
    .openapi({
      param: { name: 'waitMs', in: 'query' },
      type: 'integer',
      minimum: 0,
      maximum: 10_000,
      example: 5000,
      description: 'Hold the answer until the request is final or this many ms have passed (long poll)',
    }),
});

export function requestRoutes(deps: RequestDeps & { identity: Identity; resourceSchema: ZodType }) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi(
    route({
      method: 'get',
      path: '/requests/{requestId}',
      operationId: 'getRequest',
      summary: 'The status of a queued request (long poll with waitMs)',
      tags: ['Requests'],
      access: 'any-user',
      identity: deps.identity,
      errors: { 404: ['REQUEST_NOT_FOUND'], 503: ['OVERLOADED'] },
      request: {
        params: RequestParams,
        query: WaitQuery,
      },
      responses: {
        200: {
          ...json(deps.resourceSchema, 'The request; Retry-After while QUEUED or PROCESSING'),
          headers: {
            'Retry-After': retryAfterWhen(
              'while QUEUED or PROCESSING: the estimated wait in whole seconds, 1 … 10 (1 without an estimate)',
            ),
          },
        },
      },
    }),
    async (c) => {
      const { requestId } = c.req.valid('param');
      const waitMs = c.req.valid('query').waitMs ?? 0;
      const resource = await deps.longPolls.hold(waitMs, () => getRequest(deps, requestId, waitMs));
      if (!isFinal(resource)) {
        setResponseHeader(c, 'Retry-After', String(retryAfterSeconds(resource.estimatedWaitMs)));
        return c.json(asQueuedRequest(resource), 200);
      }
      // A final outcome never changes: the cache writes its JSON once (the body c.json would send).
      return c.body(deps.outcomes.json(resource), 200, JSON_TYPE) as unknown as ReturnType<
        typeof c.json<QueuedRequest, 200>
      >;
    },
  );
}
