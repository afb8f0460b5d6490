import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Identity } from '../http/identity.js';
import { json, problemResponses, validationHook } from '../http/validation.js';
import { getRequest, isFinal, type RequestDeps } from './request.service.js';

export const RequestResourceSchema = z
  .object({
    requestId: z.string(),
    type: z.enum(['COUPON_CLAIM', 'ORDER']),
    status: z.enum(['QUEUED', 'PROCESSING', 'SUCCEEDED', 'REJECTED', 'FAILED']),
    sequence: z.number().int().nullable().openapi({ description: 'Arrival order within its lane' }),
    position: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Only while QUEUED: requests of its lane ahead of it' }),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    acceptedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('QueuedRequest');

export function requestRoutes(deps: RequestDeps & { identity: Identity }) {
  return new OpenAPIHono({ defaultHook: validationHook }).openapi(
    createRoute({
      method: 'get',
      path: '/requests/{requestId}',
      tags: ['Requests'],
      ...deps.identity.openapi,
      request: {
        params: z.object({
          requestId: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: 'requestId', in: 'path' } }),
        }),
        query: z.object({
          waitMs: z
            .string()
            .regex(/^[0-9]{1,5}$/, 'waitMs must be an integer')
            .transform(Number)
            .refine((n) => n <= 10_000, 'waitMs must be at most 10000')
            .optional()
            .openapi({ param: { name: 'waitMs', in: 'query' }, type: 'integer', description: 'Long poll up to N ms' }),
        }),
      },
      responses: {
        200: json(RequestResourceSchema, 'The request; Retry-After: 1 while QUEUED or PROCESSING'),
        ...problemResponses(400, ...(deps.identity.enabled ? [401] : []), 404),
      },
    }),
    async (c) => {
      const resource = await getRequest(deps, c.req.valid('param').requestId, c.req.valid('query').waitMs ?? 0);
      if (!isFinal(resource)) c.header('Retry-After', '1');
      return c.json(resource, 200);
    },
  );
}
