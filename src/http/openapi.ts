// The OpenAPI document: what every operation shares (security, Idempotency-Key, X-Request-Id, the
// problem answers each request can get), so a route declares only what is its own. The schemas are
// the zod schemas that validate; the document is generated from them by @hono/zod-openapi.
import { createRoute, z, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { ERROR_CODES, type ErrorCode } from '../common/errors.js';
import type { Identity } from './identity.js';
import { header, registerComponents, REQUEST_ID_PATTERN } from './openapi-components.js';

export const BODY_LIMIT_BYTES = 64 * 1024;
export { REQUEST_ID_PATTERN };

/**
 * Who may call an operation: anyone, the admin, or a user. In identity mode a user route needs a
 * user's bearer JWT (`identity.openapi.security`); `user` routes act for the userId in the path or
 * body (another user's is 403), `any-user` routes only need the token.
 */
type AccessDoc =
  | { access: 'public' | 'admin'; identity?: never }
  | { access: 'user' | 'any-user'; identity: Pick<Identity, 'enabled' | 'openapi'> };

const ADMIN_SECURITY = [{ adminBearer: [] }];

export const TAGS = [
  { name: 'Balance', description: "A user's balance: read, charge (top up) and its history." },
  { name: 'Products', description: 'The catalogue and the best sellers of the last days.' },
  { name: 'Coupons', description: 'First-come coupons: claim (queued), read, and the coupons a user holds.' },
  { name: 'Orders', description: 'Orders (queued, decided in arrival order), payment and cancellation.' },
  { name: 'Requests', description: 'The status of a queued request (a coupon claim or an order).' },
  { name: 'Admin', description: 'Catalogue and campaign administration; `Authorization: Bearer <ADMIN_TOKEN>`.' },
  { name: 'Operations', description: 'Liveness, readiness and Prometheus metrics.' },
] as const;
type Tag = (typeof TAGS)[number]['name'];

export const ErrorCodeSchema = z.enum(ERROR_CODES).openapi('ErrorCode', {
  description: 'A stable name of what went wrong; switch on it, not on `title` or `detail`.',
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    code: ErrorCodeSchema,
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'With VALIDATION_FAILED: each offending field (`body.items.0.quantity`)' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

const ref = (kind: 'headers' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** Retry-After in seconds on an answer that may ask the client to come back (429 and 503 always do). */
export const retryAfterWhen = (when: string) =>
  header(`Seconds to wait before asking again; ${when}`, { type: 'string', pattern: '^[0-9]+$' }, false);

const TITLE_OF: Partial<Record<number, string>> = {
  400: 'Malformed HTTP, or a field is missing, of the wrong type or out of range',
  401: 'Credentials are missing or wrong',
  403: 'The resource belongs to another user',
  404: 'The resource does not exist',
  409: 'The request conflicts with the current state; nothing changed',
  413: `The body exceeds ${BODY_LIMIT_BYTES / 1024} KiB`,
  415: 'The body is not application/json',
  422: 'The Idempotency-Key was used with another body',
  429: 'Too many queued submits by this user; retry after Retry-After',
  500: 'An unexpected error; nothing was written',
  503: 'The engine cannot take the request now; retry after Retry-After',
};

function problemResponse(status: number, codes: readonly ErrorCode[]) {
  const unique = [...new Set(codes)];
  return {
    description: `${TITLE_OF[status] ?? 'Problem details'}: ${unique.join(', ')}`,
    headers: {
      'X-Request-Id': ref('headers', 'X-Request-Id'),
      ...(status === 429 || status === 503 ? { 'Retry-After': ref('headers', 'Retry-After') } : {}),
      ...(status === 409 ? { 'Retry-After': retryAfterWhen('with IDEMPOTENCY_KEY_IN_PROGRESS') } : {}),
    },
    content: {
      'application/problem+json': { schema: ProblemSchema.extend({ code: z.enum(unique as [ErrorCode]) }) },
    },
  };
}

type Errors = Partial<Record<number, ErrorCode[]>>;

/** What a route declares beyond a plain createRoute: who may call it and its own problem answers. */
type RouteDoc = AccessDoc & {
  operationId: string;
  summary: string;
  tags: [Tag];
  /** Problem answers of this operation beyond those every operation of its kind has. */
  errors?: Errors;
  /** A queued submit: 202 with Location, rate limited, refused with 503 when its lane is full. */
  queued?: boolean;
};

function standardErrors(config: RouteConfig, doc: RouteDoc): Errors {
  const req = config.request;
  // Any request can be refused as malformed HTTP before it reaches its operation.
  const errors: Errors = { 400: ['MALFORMED_REQUEST'], 500: ['INTERNAL_ERROR'], 503: ['SERVICE_UNAVAILABLE'] };
  const add = (status: number, ...codes: ErrorCode[]) => (errors[status] = [...(errors[status] ?? []), ...codes]);
  if (req?.params || req?.query || req?.body) add(400, 'VALIDATION_FAILED');
  if (req?.body) {
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (config.method === 'post') {
    add(409, 'IDEMPOTENCY_KEY_IN_PROGRESS');
    add(422, 'IDEMPOTENCY_KEY_REUSED');
  }
  if (doc.access === 'admin') add(401, 'UNAUTHORIZED');
  if (doc.identity?.enabled) {
    add(401, 'UNAUTHORIZED');
    if (doc.access === 'user') add(403, 'FORBIDDEN');
    add(503, 'IDENTITY_UNAVAILABLE');
  }
  if (doc.queued) {
    add(429, 'RATE_LIMITED');
    add(503, 'OVERLOADED');
  }
  for (const [status, codes] of Object.entries(doc.errors ?? {})) add(Number(status), ...(codes ?? []));
  return errors;
}

/** A queued submit's `Prefer: wait=N` (RFC 7240): the answer is held until the request is final or N seconds pass. */
const PREFER_WAIT = {
  name: 'Prefer',
  in: 'header' as const,
  required: false,
  description:
    '`wait=N` (1 … 10 seconds; more is taken as 10): the request is queued as without it and the answer held ' +
    'until it is final (200 with the final resource and Preference-Applied) or N seconds pass (202 as usual)',
  schema: { type: 'string' as const, maxLength: 255 },
  example: 'wait=5',
};

const PREFERENCE_APPLIED = header(
  'With `Prefer: wait`, on a final answer: the wait that was applied',
  { type: 'string', pattern: '^wait=([1-9]|10)$' },
  false,
);

/** Every answer carries X-Request-Id; a queued submit's 202 also Location. */
function withHeaders(status: string, response: RouteConfig['responses'][string], queued: boolean) {
  if ('$ref' in response) return response;
  const headers = {
    'X-Request-Id': ref('headers', 'X-Request-Id'),
    ...(queued && (status === '202' || status === '200') ? { Location: ref('headers', 'Location') } : {}),
    ...(queued && status === '200' ? { 'Preference-Applied': PREFERENCE_APPLIED } : {}),
    ...(response.headers as Record<string, unknown> | undefined),
  };
  return { ...response, headers };
}

/**
 * createRoute with what every operation shares: its security, Idempotency-Key on a POST, the body
 * limit, X-Request-Id on every answer and the problem answers its kind of operation can give.
 */
export function route<const R extends RouteConfig>(config: R & RouteDoc): R {
  const { access, identity, errors: _errors, queued = false, ...rest } = config;
  const responses = Object.fromEntries(
    Object.entries(rest.responses).map(([status, r]) => [status, withHeaders(status, r, queued)]),
  );
  for (const [status, codes] of Object.entries(standardErrors(config, config))) {
    // An answer the route declares itself (the readiness 503) stays as declared.
    responses[status] ??= problemResponse(Number(status), codes ?? []);
  }
  const body = rest.request?.body;
  return createRoute({
    ...rest,
    security: access === 'admin' ? ADMIN_SECURITY : (identity?.openapi.security ?? []),
    parameters: [
      ref('parameters', 'X-Request-Id'),
      ...(rest.method === 'post' ? [ref('parameters', 'Idempotency-Key')] : []),
      ...(queued ? [PREFER_WAIT] : []),
    ],
    ...(body
      ? {
          request: {
            ...rest.request,
            body: { ...body, description: `JSON, at most ${BODY_LIMIT_BYTES / 1024} KiB (larger: 413)` },
          },
        }
      : {}),
    responses,
  }) as unknown as R;
}

/** A JSON answer. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body (not required where every field is optional, as in identity mode). */
export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

/** Registers the shared components and serves the document at /openapi.json. */
export function documentApi<E extends Env>(app: OpenAPIHono<E>, version: string, identityEnabled: boolean) {
  registerComponents(app.openAPIRegistry, identityEnabled);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Coupon engine',
      version,
      description:
        'A fair, queue-based coupon and order engine for flash sales. Coupon claims and orders are queued and ' +
        'decided strictly in arrival order; poll `GET /requests/{requestId}` for the outcome. Errors are RFC 9457 ' +
        `problem details with a stable \`code\`. Request bodies are JSON of at most ${BODY_LIMIT_BYTES / 1024} KiB.`,
      // OpenAPI 3.1 has `identifier` (an SPDX expression); the generator's type knows only 3.0's fields.
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' } as { name: string },
    },
    servers: [
      { url: '/', description: 'The API that serves this document' },
      { url: 'http://127.0.0.1:3000', description: 'A local API (`npm start`, `docker compose up`)' },
    ],
    tags: [...TAGS],
  });
}
