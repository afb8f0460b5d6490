import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problem, problemResponse } from './problem.js';

/** Compares secrets in constant time: both sides are hashed first, so length does not leak either. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`; closed to everyone when no token is configured. */
export function adminBearer(adminToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
    if (!adminToken || !match?.[1] || !safeEqual(match[1], adminToken)) {
      return problemResponse(c, problem(401, 'UNAUTHORIZED', 'A valid admin bearer token is required'), {
        'WWW-Authenticate': 'Bearer realm="admin"',
      });
    }
    return next();
  };
}

/** The dashboard: HTTP Basic with user `admin` and the admin token as password. */
export function adminBasic(adminToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(header);
    let ok = false;
    if (adminToken && match?.[1]) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      ok = sep >= 0 && safeEqual(decoded.slice(0, sep), 'admin') && safeEqual(decoded.slice(sep + 1), adminToken);
    }
    if (!ok) {
      return problemResponse(c, problem(401, 'UNAUTHORIZED', 'Dashboard credentials required'), {
        'WWW-Authenticate': 'Basic realm="queues"',
      });
    }
    return next();
  };
}
