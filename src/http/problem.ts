// The one place that turns errors into HTTP: RFC 9457 problem+json with a stable `code`.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../logger.js';
import { DomainError, ValidationError, type ErrorCode } from '../common/errors.js';
import { isInfrastructureError } from '../common/infrastructure-errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: { path: string; message: string }[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const STATUS_BY_KIND: Record<DomainError['kind'], ContentfulStatusCode> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export function problem(status: number, code: ErrorCode, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: `https://coupon-engine.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function problemResponse(c: Context, p: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
    ...headers,
  });
}

/** Any thrown error to a problem+json response; internals of unexpected errors never leave the process. */
export function errorToResponse(err: unknown, c: Context, log: Logger): Response {
  if (err instanceof DomainError) {
    const status = STATUS_BY_KIND[err.kind];
    const errors = err instanceof ValidationError ? err.errors : undefined;
    const headers: Record<string, string> =
      err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : {};
    return problemResponse(c, problem(status, err.code, err.message, errors), headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400) {
      return problemResponse(c, problem(400, 'VALIDATION_FAILED', err.message || 'Malformed request'));
    }
    if (status === 401)
      return problemResponse(c, problem(401, 'UNAUTHORIZED', 'Missing or invalid credentials'), {
        'WWW-Authenticate': 'Bearer',
      });
    if (status === 413) return problemResponse(c, problem(413, 'PAYLOAD_TOO_LARGE', 'Request body exceeds 64 KiB'));
    if (status === 415) {
      return problemResponse(c, problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
    }
    if (status < 500)
      return problemResponse(c, problem(status, 'HTTP_ERROR', err.message || TITLES[status] || 'Error'));
  }
  if (isInfrastructureError(err)) {
    log.warn({ err }, 'dependency unavailable');
    return problemResponse(
      c,
      problem(503, 'SERVICE_UNAVAILABLE', 'A dependency of the engine is unavailable; retry shortly'),
      {
        'Retry-After': '1',
      },
    );
  }
  log.error({ err }, 'unhandled error');
  return problemResponse(c, problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred'));
}
