// Idempotency-Key for every POST: the first answer to a key is stored and replayed for 24 hours;
// the same key with another body is refused. Records of synchronous POSTs live in MySQL
// (idempotency_keys); queued submits (claims, orders) keep theirs in Redis, written in the same
// transaction as their job (src/request/submit.service.ts), so they only have the key checked here.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/database.js';
import type { IdentityEnv } from './identity.js';
import { ConflictError, UnprocessableError, ValidationError } from '../shared/errors.js';

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** A PENDING record older than this belongs to a request that died; a retry may take it over. */
const STALE_PENDING_MS = 60_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after'];

interface Stored {
  headers: Record<string, string>;
  body: string;
}

/** Paths of the queued submits, whose keys are recorded with their job. */
const QUEUED_SUBMIT = /^\/(orders|coupons\/[^/]+\/claims)$/;

/** `ttlMs`: how long a key's answer is replayed (IDEMPOTENCY_TTL_S, 24 hours by default). */
export function idempotency(db: Db, ttlMs: number): MiddlewareHandler<IdentityEnv> {
  return async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (key === undefined || c.req.method !== 'POST') return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters', [
        { path: 'header.Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
    if (QUEUED_SUBMIT.test(c.req.path)) return next();
    // A key is the caller's: in identity mode two users' keys never meet, even on the same path and body.
    const user = c.get('verifiedUserId');
    const scope = `${typeof user === 'number' ? `user ${user} ` : ''}${c.req.method} ${c.req.path}`.slice(0, 200);
    const body = await c.req.text();
    const hash = createHash('sha256').update(body).digest('hex');

    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await db
        .insertInto('idempotency_keys')
        .ignore()
        .values({ scope, idem_key: key, request_hash: hash, state: 'PENDING', created_at: new Date() })
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) break;

      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('idem_key', '=', key)
        .where('scope', '=', scope)
        .executeTakeFirst();
      if (!existing) continue;
      const age = Date.now() - existing.created_at.getTime();
      if (age > ttlMs || (existing.state === 'PENDING' && age > STALE_PENDING_MS)) {
        await db
          .deleteFrom('idempotency_keys')
          .where('idem_key', '=', key)
          .where('scope', '=', scope)
          .where('created_at', '=', existing.created_at)
          .execute();
        continue;
      }
      if (existing.request_hash !== hash) {
        throw new UnprocessableError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request body',
        );
      }
      if (existing.state === 'PENDING') {
        throw new ConflictError(
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'A request with this Idempotency-Key is still in progress',
          1,
        );
      }
      const stored = JSON.parse(existing.response_body ?? '{}') as Stored;
      return c.body(stored.body, (existing.response_status ?? 200) as 200, {
        ...stored.headers,
        'Idempotent-Replayed': 'true',
      });
    }

    try {
      await next();
    } catch (err) {
      await release(db, scope, key);
      throw err;
    }
    const res = c.res;
    // Refused input (400, 415) and a caller refused as not the user (401, 403) never ran, and a
    // server error wrote nothing: none leaves a record, so a retry with the same key runs afresh.
    if (res.status >= 500 || [400, 401, 403, 415].includes(res.status)) {
      await release(db, scope, key);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const text = await res.clone().text();
    await db
      .updateTable('idempotency_keys')
      .set({
        state: 'DONE',
        response_status: res.status,
        response_body: JSON.stringify({ headers, body: text } satisfies Stored),
      })
      .where('idem_key', '=', key)
      .where('scope', '=', scope)
      .execute();
  };
}

/** A queued submit's key (checked by the middleware above), with its route and validated body. */
export function submittedKey(c: Context, body: unknown): { key: string; scope: string; body: unknown } | undefined {
  const key = c.req.header('Idempotency-Key');
  return key === undefined ? undefined : { key, scope: `POST ${c.req.path}`, body };
}

async function release(db: Db, scope: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('idem_key', '=', key)
    .where('scope', '=', scope)
    .where('state', '=', 'PENDING')
    .execute()
    .catch(() => undefined);
}
