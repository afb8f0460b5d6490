// Domain errors: one class per meaning, each with a stable UPPER_SNAKE `code`. The HTTP layer maps
// them to problem+json in one place (src/http/problem.ts); lane workers map them to REJECTED outcomes.

/**
 * Every `code` a problem+json answer of the API can carry. The OpenAPI document lists them as an
 * enum, so a code missing here is a compile error where it is thrown, not a surprise for a client.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'REQUEST_NOT_FOUND',
  'PRODUCT_NOT_FOUND',
  'ORDER_NOT_FOUND',
  'COUPON_NOT_FOUND',
  'REQUEST_TIMEOUT',
  'BALANCE_LIMIT_EXCEEDED',
  'INSUFFICIENT_BALANCE',
  'INSUFFICIENT_STOCK',
  'ORDER_NOT_PAYABLE',
  'ORDER_NOT_CANCELLABLE',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'REQUEST_HEADERS_TOO_LARGE',
  'HTTP_ERROR',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'IDENTITY_UNAVAILABLE',
  'OVERLOADED',
  'NOT_READY',
  'PRE_QUEUE_WINDOW_INVALID',
  'NO_PRE_QUEUE',
  'PRE_QUEUE_DRAWING',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class DomainError extends Error {
  abstract readonly kind:
    'VALIDATION' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNPROCESSABLE' | 'RATE_LIMITED' | 'UNAVAILABLE';
  /** Seconds a client should wait before trying again, sent as Retry-After when set. */
  readonly retryAfterSeconds?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that passed the schema but breaks a rule checked later (e.g. duplicate product ids). */
export class ValidationError extends DomainError {
  readonly kind = 'VALIDATION' as const;
  constructor(
    message: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super('VALIDATION_FAILED', message);
  }
}

/** The named resource does not exist. */
export class NotFoundError extends DomainError {
  readonly kind = 'NOT_FOUND' as const;
}

/** The request is well-formed but conflicts with the resource's current state; nothing changed. */
export class ConflictError extends DomainError {
  readonly kind = 'CONFLICT' as const;
  constructor(
    code: ErrorCode,
    message: string,
    override readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
  }
}

/** The caller may not act on this resource (e.g. another user's order). */
export class ForbiddenError extends DomainError {
  readonly kind = 'FORBIDDEN' as const;
}

/** Semantically refused, such as an Idempotency-Key reused with a different body. */
export class UnprocessableError extends DomainError {
  readonly kind = 'UNPROCESSABLE' as const;
}

/** The caller sent more queued submits than its limit allows; nothing was queued. */
export class RateLimitedError extends DomainError {
  readonly kind = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}

/** The engine cannot take the request right now (lanes full, a dependency down); retry later. */
export class UnavailableError extends DomainError {
  readonly kind = 'UNAVAILABLE' as const;
  constructor(
    code: ErrorCode,
    message: string,
    override readonly retryAfterSeconds = 1,
  ) {
    super(code, message);
  }
}
