// End-user identity. Off: user ids in paths and bodies are trusted as given. On (a JWT secret or a
// JWKS URL configured): every user route needs a bearer JWT whose `sub` is the acting user; the
// middleware verifies it once and puts the user on the context, and routes resolve "the acting
// user" with actingUserId(), which refuses any other user id named in the path or body.
import type { Context, MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { z } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ForbiddenError, UnavailableError, ValidationError } from '../common/errors.js';
import { positiveId } from './validation.js';
import { problem, problemResponse } from './problem.js';

/**
 * The context variable with the acting user's verified id: a number in identity mode, `null` when
 * identity is off (user ids are trusted as given), absent on routes that are not user routes.
 */
export const VERIFIED_USER = 'verifiedUserId';
export type IdentityVariables = { requestId: string; verifiedUserId?: number | null };
export type IdentityEnv = { Variables: IdentityVariables };

/** Routes that act for a user (`/orders/*` covers `/orders` too); the identity middleware runs on them before idempotency. */
export const USER_ROUTES = ['/users/*', '/orders/*', '/coupons/:couponId/claims', '/requests/*'];

export const USER_BEARER_SCHEME = 'userBearer';

export interface Identity {
  readonly enabled: boolean;
  /** Spread into createRoute() of a user route: the OpenAPI security requirement of this mode. */
  readonly openapi: { security?: { [USER_BEARER_SCHEME]: string[] }[] };
  /** The refusals of this mode that a user route may answer (401 and 403 in identity mode). */
  readonly problems: number[];
  /** A body's `userId`: required when ids are trusted, optional (the token's user) in identity mode. */
  readonly bodyUserId: typeof positiveId | z.ZodOptional<typeof positiveId>;
  readonly middleware: MiddlewareHandler<IdentityEnv>;
}

const BEARER = /^Bearer +(\S*)$/i;
/** A compact JWS of sane size: header and payload up to 4 KiB each, a signature up to 1 KiB. */
const COMPACT_JWS = /^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{0,1024}$/;
const SUB = /^[1-9][0-9]{0,15}$/;
const CLOCK_TOLERANCE_S = 5;
/** Token faults: the caller's to fix, so 401. Anything else while verifying (the JWKS unreachable) is ours: 503. */
const TOKEN_FAULTS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JWKInvalid.code,
]);

type VerificationKey = Promise<CryptoKey> | JWTVerifyGetKey;

export function createIdentity(config: Config): Identity {
  const key = verificationKey(config);
  if (!key) {
    return {
      enabled: false,
      openapi: {},
      problems: [],
      bodyUserId: positiveId,
      // Not async: returning next()'s promise as it is saves the wrapping promise's turns.
      middleware: (c, next) => {
        c.set(VERIFIED_USER, null);
        return next();
      },
    };
  }
  const options = {
    algorithms: config.AUTH_JWT_SECRET ? ['HS256'] : ['RS256', 'ES256'],
    requiredClaims: ['sub', 'exp'],
    clockTolerance: CLOCK_TOLERANCE_S,
    ...(config.AUTH_JWT_ISSUER ? { issuer: config.AUTH_JWT_ISSUER } : {}),
    ...(config.AUTH_JWT_AUDIENCE ? { audience: config.AUTH_JWT_AUDIENCE } : {}),
  };
  return {
    enabled: true,
    openapi: { security: [{ [USER_BEARER_SCHEME]: [] }] },
    problems: [401, 403],
    bodyUserId: positiveId.optional(),
    middleware: async (c, next) => {
      const token = BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
      if (!token) return refuse(c, 'A bearer token is required', false);
      if (!COMPACT_JWS.test(token)) return refuse(c, 'The bearer token is not a JWT', true);
      let sub: string | undefined;
      try {
        const { payload } = await (typeof key === 'function'
          ? jwtVerify(token, key, options)
          : jwtVerify(token, await key, options));
        sub = payload.sub;
      } catch (err) {
        if (err instanceof errors.JOSEError && TOKEN_FAULTS.has(err.code)) return refuse(c, describe(err), true);
        if (typeof key !== 'function') return refuse(c, 'The token could not be verified', true);
        throw new UnavailableError('IDENTITY_UNAVAILABLE', 'The identity provider keys cannot be fetched now', 1);
      }
      // `sub` is a string by RFC 7519; a JSON number there is refused rather than coerced.
      const userId = typeof sub === 'string' && SUB.test(sub) ? Number(sub) : NaN;
      if (!Number.isSafeInteger(userId)) return refuse(c, 'The token subject is not a user id', true);
      c.set(VERIFIED_USER, userId);
      await next();
    },
  };
}

function verificationKey(config: Config): VerificationKey | undefined {
  if (config.AUTH_JWT_SECRET) {
    // Imported once: jose would import a raw secret again on every verification.
    return crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.AUTH_JWT_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
  }
  // Keys are cached and their import reused; an unknown `kid` refetches (at most every 30 s), and
  // the set is refetched when older than 10 minutes.
  if (config.AUTH_JWKS_URL) return createRemoteJWKSet(new URL(config.AUTH_JWKS_URL));
  return undefined;
}

function describe(err: errors.JOSEError): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `The token's "${err.claim}" claim is not accepted`;
  return 'The token is invalid or wrongly signed';
}

function refuse(c: Context, detail: string, invalid: boolean): Response {
  const challenge = invalid ? 'Bearer realm="users", error="invalid_token"' : 'Bearer realm="users"';
  return problemResponse(c, problem(401, 'UNAUTHORIZED', detail), { 'WWW-Authenticate': challenge });
}

/**
 * The user a user route acts for. In identity mode, the token's user; a different `given` id (from
 * the path or body) is 403 FORBIDDEN. With identity off, the given id as trusted.
 */
export function actingUserId(c: Context<IdentityEnv>, given: number | undefined): number {
  const verified = c.get(VERIFIED_USER);
  // Fail closed: a user route the identity middleware did not cover is a bug, never a free pass.
  if (verified === undefined) throw new Error(`identity middleware did not run for ${c.req.path}`);
  if (verified === null) {
    if (given === undefined) {
      throw new ValidationError('userId is required', [{ path: 'json.userId', message: 'Required' }]);
    }
    return given;
  }
  if (given !== undefined && given !== verified) {
    throw new ForbiddenError('FORBIDDEN', 'The signed-in user may act only for itself');
  }
  return verified;
}

/** Startup line of the API saying which mode it runs in. */
export function logIdentityMode(config: Config, logger: Logger): void {
  if (config.AUTH_JWT_SECRET) logger.info({ alg: 'HS256' }, 'identity: user routes require a verified JWT');
  else if (config.AUTH_JWKS_URL) {
    logger.info({ jwks: config.AUTH_JWKS_URL, alg: 'RS256/ES256' }, 'identity: user routes require a verified JWT');
  } else {
    logger.warn(
      'identity is off: user ids in paths and bodies are trusted as given; set AUTH_JWT_SECRET or AUTH_JWKS_URL to verify them',
    );
  }
}
