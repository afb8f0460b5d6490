// Idempotency-Key for every POST: the first answer to a key is stored and replayed for 24 hours;
// the same key with another body is refused. Records of synchronous POSTs live in MySQL
// (idempotency_keys): the middleware claims the key with a PENDING record, and a POST with an effect
// answers through answerInTransaction(), which stores the answer in the effect's own transaction, so
// a crash leaves the effect with its answer or neither. Queued submits (claims, orders) keep their
// records in Redis, written in the same transaction as their job (src/request/submit.service.ts),
// so they only have the key checked here.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler, Next, TypedResponse } from 'hono';
import type { Selectable, Transaction } from 'kysely';
import { matchedRoutes } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import { transactionOf, type Db, type Transact } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { IdentityEnv } from './identity.js';
import { ConflictError, UnprocessableError, ValidationError } from '../common/errors.js';

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** A PENDING record older than this belongs to a request that died; a retry may take it over. */
const STALE_PENDING_MS = 60_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after'];

interface Stored {
  headers: Record<string, string>;
  body: string;
}

/** The PENDING record this request holds; `created_at` tells it from a later holder's record of the same key. */
interface Held {
  scope: string;
  key: string;
  createdAt: Date;
  /** Set once the answer is committed with the effect; the middleware then leaves the record alone. */
  answered: boolean;
}

declare module 'hono' {
  interface ContextVariableMap {
    idempotencyKey?: Held;
  }
}

/** Paths of the queued submits, whose keys are recorded with their job. */
const QUEUED_SUBMIT = /^\/(orders|coupons\/[^/]+\/claims)$/;

/** `ttlMs`: how long a key's answer is replayed (IDEMPOTENCY_TTL_S, 24 hours by default). */
export function idempotency(db: Db, ttlMs: number): MiddlewareHandler<IdentityEnv> {
  // The common case (no key, or a queued submit's key, recorded by the lane append) returns next()
  // as it is: an async middleware would wrap it in one more promise on every POST.
  return (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (key === undefined || c.req.method !== 'POST') return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters', [
        { path: 'header.Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
    // A POST no route takes is answered 404 and changes nothing: its key is not worth a write.
    if (QUEUED_SUBMIT.test(c.req.path) || !routed(c)) return next();
    return withKey(db, ttlMs, c, next, key);
  };
}

/**
 * Whether a route takes this request, not only middleware such as this one: middleware is mounted
 * on patterns that end in `*`, and every route of the API on a path that does not.
 */
function routed(c: Context): boolean {
  return matchedRoutes(c).some((r) => !r.path.endsWith('*'));
}

async function withKey(db: Db, ttlMs: number, c: Context<IdentityEnv>, next: Next, key: string) {
  // A key is the caller's: in identity mode two users' keys never meet, even on the same path and body.
  const user = c.get('verifiedUserId');
  const scope = `${typeof user === 'number' ? `user ${user} ` : ''}${c.req.method} ${c.req.path}`.slice(0, 200);
  const hash = createHash('sha256')
    .update(await c.req.text())
    .digest('hex');
  const claimed = await claimKey(db, ttlMs, scope, key, hash);
  if ('request_hash' in claimed) return replay(c, claimed, hash);
  c.set('idempotencyKey', claimed);
  try {
    await next();
  } catch (err) {
    await release(db, claimed);
    throw err;
  }
  if (claimed.answered) return;
  const res = c.res;
  // Refused input (400, 415) and a caller refused as not the user (401, 403) never ran, and a
  // server error wrote nothing: none leaves a record, so a retry with the same key runs afresh.
  // Any other answer that did not come through answerInTransaction() changed nothing in MySQL (a
  // refusal such as 409), so storing it after the fact loses nothing in a crash.
  if (res.status >= 500 || [400, 401, 403, 415].includes(res.status)) {
    await release(db, claimed);
    return;
  }
  await storeAnswer(db, claimed, res);
}

type KeyRecord = Selectable<Database['idempotency_keys']>;

/**
 * Takes the key with a PENDING record, or returns the record already there. A record past `ttlMs`,
 * or a PENDING one whose request died, is taken over.
 */
async function claimKey(db: Db, ttlMs: number, scope: string, key: string, hash: string): Promise<Held | KeyRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const createdAt = new Date();
    const inserted = await db
      .insertInto('idempotency_keys')
      .ignore()
      .values({ scope, idem_key: key, request_hash: hash, state: 'PENDING', created_at: createdAt })
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { scope, key, createdAt, answered: false };

    const existing = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('idem_key', '=', key)
      .where('scope', '=', scope)
      .executeTakeFirst();
    if (!existing) continue;
    const age = Date.now() - existing.created_at.getTime();
    if (age > ttlMs || (existing.state === 'PENDING' && age > STALE_PENDING_MS)) {
      // Only the record as read: a PENDING one that its request answered meanwhile is replayed, not taken.
      await db
        .deleteFrom('idempotency_keys')
        .where('idem_key', '=', key)
        .where('scope', '=', scope)
        .where('created_at', '=', existing.created_at)
        .where('state', '=', existing.state)
        .execute();
      continue;
    }
    return existing;
  }
  throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', 'This Idempotency-Key is contended', 1);
}

/** The answer for a key whose record stands: its stored answer, 422 for another body, 409 while its first request runs. */
function replay(c: Context, existing: KeyRecord, hash: string): Response {
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

/**
 * Answers a synchronous POST with `status` and what `run` returns. `run` gets the transaction its
 * service must make its effect in, and returns what that transaction returned: the answer is stored
 * with the request's Idempotency-Key in the same transaction, so a process killed after the commit
 * leaves a record a retry replays, and one killed before it leaves no effect. When a retry has taken
 * the key over meanwhile (this request outlived STALE_PENDING_MS), the effect is rolled back: 409.
 */
export async function answerInTransaction<T extends object, S extends ContentfulStatusCode>(
  c: Context,
  db: Db,
  status: S,
  run: (transact: Transact) => Promise<T>,
): Promise<Response & TypedResponse<JSONParsed<T>, S, 'json'>> {
  const held = c.get('idempotencyKey');
  let answer: { result: unknown; res: Response } | undefined;
  const transact: Transact = async (work) => {
    if (answer) throw new Error('answerInTransaction: a service may commit its answer once');
    let rendered: { result: unknown; res: Response } | undefined;
    const result = await db.transaction().execute(async (trx) => {
      const value = await work(trx);
      rendered = { result: value, res: c.json(value as object, status) };
      if (held && !(await storeAnswer(trx, held, rendered.res))) {
        throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A retry with this Idempotency-Key took it over', 1);
      }
      return value;
    });
    answer = rendered;
    return result;
  };
  const result = await run(held ? transact : transactionOf(db));
  if (!held) return c.json(result as T, status);
  if (!answer || answer.result !== result) {
    throw new Error('answerInTransaction: the answer must be what the service committed');
  }
  held.answered = true;
  return answer.res as Response & TypedResponse<JSONParsed<T>, S, 'json'>;
}

/** A queued submit's key (checked by the middleware above), with its route and validated body. */
export function submittedKey(c: Context, body: unknown): { key: string; scope: string; body: unknown } | undefined {
  const key = c.req.header('Idempotency-Key');
  return key === undefined ? undefined : { key, scope: `POST ${c.req.path}`, body };
}

/** Turns the held PENDING record into the stored answer; false when the record is no longer this request's. */
async function storeAnswer(db: Db | Transaction<Database>, held: Held, res: Response): Promise<boolean> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const text = await res.clone().text();
  const updated = await db
    .updateTable('idempotency_keys')
    .set({
      state: 'DONE',
      response_status: res.status,
      response_body: JSON.stringify({ headers, body: text } satisfies Stored),
    })
    .where('idem_key', '=', held.key)
    .where('scope', '=', held.scope)
    .where('state', '=', 'PENDING')
    .where('created_at', '=', held.createdAt)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

async function release(db: Db, held: Held): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('idem_key', '=', held.key)
    .where('scope', '=', held.scope)
    .where('state', '=', 'PENDING')
    .where('created_at', '=', held.createdAt)
    .execute()
    .catch(() => undefined);
}
