// Property-based fuzzing of every endpoint of the HTTP contract through app.request(), against a database and a
// Redis prefix of this file's own. Only inputs the contract refuses are generated (invalid ids, bodies,
// queries, credentials, headers; ids that cannot exist in the empty database), so each answer must be a
// 4xx from the allowed set, as problem+json with a `code` and a clean X-Request-Id, and afterwards
// every table has the same row count and CHECKSUM and Redis holds no new key. Two more apps on the same
// database and prefix run in identity mode (HS256, and ES256 from a JWKS) and get forged tokens on
// requests that would otherwise succeed: each must be 401, and nothing may change.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/common/cursor.js';
import { scanPrefix } from '../../src/redis.js';
import { es256Signer, hs256Signer, serveJwks, type TokenSigner } from '../../rush/tokens.js';
import { ADMIN_TOKEN, createTestContext, type TestContext } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
let ctx: TestContext;
let baseline: Snapshot;
let sent = 0;
const counts: Record<string, number> = {};
const statuses: Record<string, Record<number, number>> = {};
const FAMILIES = 10;

beforeAll(async () => {
  stack = await isolatedStack();
  ctx = createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix });
  baseline = await snapshot();
});
afterAll(async () => {
  await ctx?.close();
  await stack?.close();
  console.log(
    `hostile input: ${sent} requests, by family ${JSON.stringify(counts)}, answers by family ${JSON.stringify(statuses)}`,
  );
  // The whole file (not a -t selection) sends at least 10,000 requests.
  if (Object.keys(counts).length === FAMILIES) expect(sent).toBeGreaterThanOrEqual(10_000);
});

interface Snapshot {
  rows: Record<string, number>;
  checksums: Record<string, string>;
  redisKeys: string[];
}

async function snapshot(): Promise<Snapshot> {
  const tables = (await sql<Record<string, string>>`SHOW TABLES`.execute(ctx.db)).rows.map(
    (r) => Object.values(r)[0] as string,
  );
  const rows: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(ctx.db);
    rows[t] = Number(r.rows[0]?.n);
  }
  const sums = await sql<{ Table: string; Checksum: string | number | null }>`CHECKSUM TABLE ${sql.join(
    tables.map((t) => sql.table(t)),
  )}`.execute(ctx.db);
  const checksums = Object.fromEntries(sums.rows.map((r) => [r.Table.split('.').pop() as string, String(r.Checksum)]));
  const redisKeys: string[] = [];
  for await (const page of scanPrefix(ctx.redis, stack.queuePrefix)) redisKeys.push(...page.keys);
  redisKeys.sort();
  return { rows, checksums, redisKeys };
}

// ---------------------------------------------------------------------------------------------------
// Values

/** A JSON tree whose leaves may be raw number tokens JSON.stringify cannot write (1e309, 9007199254740993). */
type Raw = { raw: string };
type J = Raw | string | boolean | null | J[] | { [key: string]: J };

const isRaw = (v: unknown): v is Raw =>
  typeof v === 'object' && v !== null && 'raw' in v && Object.keys(v).length === 1;

function write(v: J): string {
  if (isRaw(v)) return v.raw;
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const FRAGMENTS = [
  "' OR '1'='1",
  '1; DROP TABLE products; --',
  "1' UNION SELECT user_id, balance FROM balances --",
  '"; SHUTDOWN; --',
  '\\x27 OR 1=1 /*',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '${7*7}',
  '{{7*7}}',
  '../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e\u0041\u0042',
  '🙂👩‍👩‍👧‍👦',
  'ＡＢＣ１２３',
  '١٢٣',
  '\ud800',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  'Infinity',
  '',
  ' ',
  'x'.repeat(5_000),
];

const NUMBER_TOKENS = [
  '0',
  '-0',
  '-1',
  '1.5',
  '0.1',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '9007199254740992',
  '-9007199254740993',
  '18446744073709551616',
  '1e21',
  '10000001',
  '1000000001',
  '100000001',
  '1E+2',
  '2e0',
  '4.0',
  '3.0000000000000001',
  '0x10',
  '01',
  '.5',
  'NaN',
  'Infinity',
];

const numberToken: fc.Arbitrary<J> = fc
  .oneof(
    fc.constantFrom(...NUMBER_TOKENS),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  )
  .map((raw) => ({ raw }));

const text = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 40 }));

const { value: hostileValue } = fc.letrec<{ value: J }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberToken,
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('__proto__', 'amount', 'userId'), fc.string({ maxLength: 6 })),
      tie('value'),
      {
        maxKeys: 3,
      },
    ),
  ),
}));

/** An object with some of `fields` (and maybe others), each holding a hostile value. */
const hostileObject = (fields: readonly string[]) =>
  fc
    .tuple(
      fc.subarray([...fields]),
      fc.array(hostileValue, { minLength: fields.length, maxLength: fields.length }),
      fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 2 }),
    )
    .map(([keys, values, extra]) => {
      const o: { [key: string]: J } = { ...extra };
      keys.forEach((k, i) => {
        const v = values[i];
        if (v !== undefined) o[k] = v;
      });
      return o;
    });

interface Body {
  text: string | Uint8Array;
  contentType?: string;
  /** Statuses this body alone can cause before the route's own checks. */
  refused: number[];
}

const OVER_LIMIT = 64 * 1024;

/** Bodies of every kind; `isValid` (the route's rule, over-approximated) discards any that might be accepted. */
function hostileBody(fields: readonly string[], isValid: (parsed: unknown) => boolean): fc.Arbitrary<Body> {
  const json = (t: string): Body => ({ text: t, contentType: 'application/json', refused: [400] });
  return fc
    .oneof(
      { arbitrary: hostileObject(fields).map((o) => json(write(o))), weight: 6 },
      { arbitrary: fc.jsonValue().map((v) => json(JSON.stringify(v))), weight: 2 },
      { arbitrary: fc.oneof(text, fc.constantFrom('{', '{"amount":', '[1,', 'amount=5', '<a/>')).map(json), weight: 2 },
      {
        arbitrary: fc.uint8Array({ maxLength: 200 }).map((b): Body => ({ ...json(''), text: b })),
        weight: 1,
      },
      {
        arbitrary: fc.tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean()).map(([n, arr]): Body => ({
          ...json(arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
          refused: [400, 413],
        })),
        weight: 1,
      },
      {
        arbitrary: fc
          .integer({ min: OVER_LIMIT + 1, max: 3 * OVER_LIMIT })
          .map((n): Body => ({ ...json(`{"amount":5,"userId":5,"pad":"${'x'.repeat(n)}"}`), refused: [413] })),
        weight: 1,
      },
      {
        // A body the route might take, but not sent as JSON: refused before anything runs.
        arbitrary: fc
          .tuple(
            hostileObject(fields),
            fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
          )
          .map(([o, ct]): Body => ({ text: write(o), contentType: ct, refused: [400, 415] })),
        weight: 1,
      },
    )
    .filter((b) => {
      if (b.refused.includes(413) || b.contentType !== 'application/json' || typeof b.text !== 'string') return true;
      try {
        return !isValid(JSON.parse(b.text));
      } catch {
        return true;
      }
    });
}

const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intIn = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const validCharge = (b: unknown) => isObject(b) && intIn(b.amount, 1, 10_000_000);
const validUserRef = (b: unknown) => isObject(b) && isId(b.userId);
const validOrder = (b: unknown) =>
  isObject(b) &&
  isId(b.userId) &&
  Array.isArray(b.items) &&
  b.items.length >= 1 &&
  b.items.length <= 20 &&
  b.items.every((i) => isObject(i) && isId(i.productId) && intIn(i.quantity, 1, 1_000)) &&
  (b.userCouponId === undefined || isId(b.userCouponId));
const validProduct = (b: unknown) =>
  isObject(b) && typeof b.name === 'string' && intIn(b.price, 0, 1e9) && intIn(b.stock, 0, 1e9);
const validDelta = (b: unknown) => isObject(b) && intIn(b.delta, -1e9, 1e9) && b.delta !== 0;
// Over-approximated: anything that might pass is discarded.
const validCoupon = (b: unknown) =>
  isObject(b) &&
  typeof b.name === 'string' &&
  (b.discountType === 'FIXED' || b.discountType === 'PERCENT') &&
  intIn(b.discountValue, 1, 1e9) &&
  intIn(b.totalQuantity, 1, 1e8) &&
  intIn(b.validDays, 1, 3650);

// ---------------------------------------------------------------------------------------------------
// Ids, queries, credentials

/** encodeURIComponent that survives lone surrogates (they become U+FFFD). */
const enc = (s: string) =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const isValidIdText = (s: string) => /^[1-9][0-9]{0,15}$/.test(s) && Number.isSafeInteger(Number(s));
const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A path segment that is not a valid id (or not even one segment). */
const badId = fc
  .oneof(
    fc.constantFrom(
      '0',
      '-1',
      '1e309',
      '9007199254740993',
      '9007199254740992',
      '1.5',
      '1e3',
      'abc',
      '007',
      '+1',
      '%201',
      '0x1F',
      '1_000',
      '%EF%BC%91%EF%BC%92',
      'NaN',
      'Infinity',
      'null',
      '%00',
      '..',
      '%2e%2e',
      '1%2F2',
      '1%20OR%201%3D1',
      "1'OR'1'%3D'1",
      '%3Cscript%3E',
      '%F0%9F%99%82',
      '9'.repeat(40),
      '-0',
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(enc),
  )
  .filter((s) => !isValidIdText(safeDecode(s)));

/** A valid id that no row can have: the fuzz database is empty. */
const missingId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(String);
const validUserId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(String);

const intQueryValid = (s: string, min: number, max: number) =>
  /^-?[0-9]{1,16}$/.test(s) && Number(s) >= min && Number(s) <= max;
const queryText = fc.oneof(
  fc.constantFrom(...NUMBER_TOKENS, '', ' 5', '5 ', '1,2', '[5]', '{}', 'true'),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const badIntQuery = (min: number, max: number) => queryText.filter((s) => !intQueryValid(s, min, max));
const badCursor = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 300 }),
    fc.constantFrom('i:1', 'aTow', 'aTotMQ', 'aTo5MDA3MTk5MjU0NzQwOTkz', 'x'.repeat(201)),
    fc.string({ maxLength: 20 }).map((s) => Buffer.from(`i:${s}`).toString('base64url')),
  )
  .filter((c) => {
    if (c === '' || c.length > 200) return c !== '';
    try {
      decodeCursor(c);
      return false;
    } catch {
      return true;
    }
  });
const q = (name: string, value: string) => `${name}=${enc(value)}`;

const latin1 = (min: number, max: number) =>
  fc.integer({ min, max }).map((c) => String.fromCharCode(c === 0x7f ? 0x7e : c));
const headerText = (maxLength: number) => fc.string({ unit: latin1(0x20, 0xff), maxLength });
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Authorization values that must not open the admin routes (bearer) or the dashboard (basic). */
const badAuthorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'Bearer',
    'Bearer x',
    `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
    `Bearer ${ADMIN_TOKEN}x`,
    `Bearer ${ADMIN_TOKEN.toUpperCase()}`,
    `bearer ${ADMIN_TOKEN}`,
    `Bearer  ${ADMIN_TOKEN}`,
    `Bearer "${ADMIN_TOKEN}"`,
    `Token ${ADMIN_TOKEN}`,
    `Bearer ${ADMIN_TOKEN},Bearer ${ADMIN_TOKEN}`,
    `Basic ${b64(`admin:${ADMIN_TOKEN}x`)}`,
    `Basic ${b64(`Admin:${ADMIN_TOKEN}`)}`,
    `Basic ${b64(`:${ADMIN_TOKEN}`)}`,
    `Basic ${b64(`admin${ADMIN_TOKEN}`)}`,
    `Basic ${b64('admin:')}`,
    'Basic !!!',
    `Basic ${'A'.repeat(2_000)}`,
    `Bearer ${'a'.repeat(10_000)}`,
  ),
  headerText(200),
  headerText(30).map((s) => `Bearer ${s}`),
  headerText(30).map((s) => `Basic ${b64(s)}`),
);
const opensBearer = (h: string | undefined) => h?.trim() === `Bearer ${ADMIN_TOKEN}`;
const opensBasic = (h: string | undefined) => {
  const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(h?.trim() ?? '');
  return m?.[1] !== undefined && Buffer.from(m[1], 'base64').toString('utf8') === `admin:${ADMIN_TOKEN}`;
};

// ---------------------------------------------------------------------------------------------------
// Requests

interface Attempt {
  method: string;
  path: string;
  body?: Body;
  headers?: Record<string, string>;
  /** Every status the contract allows for this input; all 4xx. */
  allowed: number[];
  /**
   * Whether a valid Idempotency-Key may be added: only where the request is refused before any
   * handler runs (a handler's 4xx answer, e.g. a 404, is recorded for replay under its key).
   */
  keySafe: boolean;
}

const get = (path: string, allowed: number[]): Attempt => ({ method: 'GET', path, allowed, keySafe: false });
/** A body request: the body's own refusals join what the route would answer. */
const withBody = (method: string, path: string, body: Body, allowed: number[]): Attempt => ({
  method,
  path,
  body,
  allowed: [...new Set([...allowed, ...body.refused])],
  keySafe: allowed.every((s) => s === 400) && body.refused.every((s) => [400, 413, 415].includes(s)),
});

const STRUCTURAL = [400, 404];

/** Headers nobody should trust, added at random; they widen what a request may be answered with. */
const hostileHeaders = (attempt: Attempt) =>
  fc
    .record(
      {
        requestId: fc.oneof(
          headerText(64),
          fc.integer({ min: 129, max: 8_192 }).map((n) => 'r'.repeat(n)),
          fc.constantFrom('<script>', "'; DROP TABLE x; --", 'a b', 'é', '../..'),
        ),
        badKey: fc.oneof(
          fc.integer({ min: 256, max: 4_096 }).map((n) => 'k'.repeat(n)),
          headerText(20).map((s) => `key-${s}\u00e9`),
          fc.constantFrom('', ' ', '\u00ff\u00fe', 'a\u0001b', 'a\tb\u0080'),
        ),
        validKey: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 255 }).map((s) => s.replace(/\s/g, '_')),
        authorization: headerText(100),
        accept: fc.constantFrom('*/*', 'text/html', 'application/xml', '', 'application/problem+json;q=0'),
        junk: headerText(4_000),
      },
      { requiredKeys: [] },
    )
    .map((h): Attempt => {
      const headers: Record<string, string> = { ...attempt.headers };
      const allowed = [...attempt.allowed];
      if (h.requestId !== undefined) headers['X-Request-Id'] = h.requestId;
      if (h.accept !== undefined) headers.Accept = h.accept;
      if (h.junk !== undefined) headers['X-Junk'] = h.junk;
      if (h.authorization !== undefined && !attempt.path.startsWith('/admin') && !headers.Authorization) {
        headers.Authorization = h.authorization;
      }
      if (attempt.method === 'POST' && h.badKey !== undefined) {
        headers['Idempotency-Key'] = h.badKey;
        if (!allowed.includes(400)) allowed.push(400);
      } else if (attempt.method === 'POST' && attempt.keySafe && h.validKey !== undefined) {
        headers['Idempotency-Key'] = `fuzz-${h.validKey}`.slice(0, 255);
      }
      return { ...attempt, headers, allowed };
    });

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

async function check(family: string, a: Attempt, app: TestContext['app']): Promise<void> {
  sent++;
  counts[family] = (counts[family] ?? 0) + 1;
  const headers: Record<string, string> = { ...a.headers };
  if (a.body?.contentType) headers['Content-Type'] = a.body.contentType;
  const res = await app.request(a.path, {
    method: a.method,
    headers,
    ...(a.body ? { body: a.body.text } : {}),
  });
  const raw = await res.text();
  const byStatus = (statuses[family] ??= {});
  byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
  const where = `${a.method} ${a.path.slice(0, 200)} -> ${res.status} ${raw.slice(0, 300)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(a.allowed, where).toContain(res.status);
  expect(res.headers.get('content-type'), where).toBe('application/problem+json');
  const problem = JSON.parse(raw) as Record<string, unknown>;
  expect(problem, where).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    status: res.status,
    code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/),
  });
  expect(res.headers.get('x-request-id') ?? '', where).toMatch(REQUEST_ID);
  if (a.allowed.length === 1 && a.allowed[0] === 401) expect(problem.code).toBe('UNAUTHORIZED');
  if (res.status === 401) expect(res.headers.get('www-authenticate'), where).toMatch(/^(Bearer|Basic) realm=/);
}

async function fuzz(
  family: string,
  attempts: fc.Arbitrary<Attempt>,
  numRuns: number,
  app: TestContext['app'] = ctx.app,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      attempts.chain((a) => hostileHeaders(a)),
      (a) => check(family, a, app),
    ),
    { numRuns, endOnFailure: false },
  );
  expect(await snapshot()).toEqual(baseline);
}

// ---------------------------------------------------------------------------------------------------

const FUZZ_TIMEOUT = 240_000;

describe('hostile input (fast-check through app.request)', () => {
  it(
    'when balance routes get bad user ids, queries or bodies, then each answer is a 4xx problem+json and nothing changes',
    async () => {
      const charge = hostileBody(['amount'], validCharge);
      await fuzz(
        'balance',
        fc.oneof(
          badId.map((id) => get(`/users/${id}/balance`, STRUCTURAL)),
          badId.map((id) => get(`/users/${id}/balance/history`, STRUCTURAL)),
          fc
            .tuple(validUserId, badIntQuery(1, 100))
            .map(([u, l]) => get(`/users/${u}/balance/history?${q('limit', l)}`, [400])),
          fc.tuple(validUserId, badCursor).map(([u, c]) => get(`/users/${u}/balance/history?${q('cursor', c)}`, [400])),
          validUserId.map((u) => get(`/users/${u}/balance/history?limit=1&limit=2`, [400])),
          fc.tuple(badId, charge).map(([id, b]) => withBody('POST', `/users/${id}/balance/charge`, b, STRUCTURAL)),
          fc.tuple(validUserId, charge).map(([u, b]) => withBody('POST', `/users/${u}/balance/charge`, b, [400])),
        ),
        1_800,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when product routes get bad ids or queries, or ids that do not exist, then each answer is a 4xx problem+json and nothing changes',
    async () => {
      await fuzz(
        'products',
        fc.oneof(
          badIntQuery(1, 100).map((l) => get(`/products?${q('limit', l)}`, [400])),
          badCursor.map((c) => get(`/products?${q('cursor', c)}`, [400])),
          badId.map((id) => get(`/products/${id}`, STRUCTURAL)),
          missingId.map((id) => get(`/products/${id}`, [404])),
          badIntQuery(1, 30).map((d) => get(`/products/top?${q('days', d)}`, [400])),
          badIntQuery(1, 50).map((l) => get(`/products/top?${q('limit', l)}`, [400])),
        ),
        1_200,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when order and payment routes get bad bodies or ids, or orders that do not exist, then each answer is a 4xx problem+json and nothing changes',
    async () => {
      const order = hostileBody(['userId', 'items', 'userCouponId'], validOrder);
      const itemsLike = fc
        .tuple(validUserId, fc.array(hostileObject(['productId', 'quantity']), { minLength: 0, maxLength: 25 }))
        .map(([u, items]) => ({ text: write({ userId: { raw: u }, items }), contentType: 'application/json' }))
        .filter((b) => {
          try {
            return !validOrder(JSON.parse(b.text));
          } catch {
            return true;
          }
        })
        .map((b): Body => ({ ...b, refused: [400] }));
      const userRef = hostileBody(['userId'], validUserRef);
      const anyUserRef = fc.oneof(
        userRef.map((b) => ({ b, valid: false })),
        validUserId.map((u) => ({
          b: { text: JSON.stringify({ userId: Number(u) }), contentType: 'application/json', refused: [] },
          valid: true,
        })),
      );
      await fuzz(
        'orders',
        fc.oneof(
          order.map((b) => withBody('POST', '/orders', b, [400])),
          itemsLike.map((b) => withBody('POST', '/orders', b, [400])),
          badId.map((id) => get(`/orders/${id}`, STRUCTURAL)),
          missingId.map((id) => get(`/orders/${id}`, [404])),
          fc
            .tuple(fc.constantFrom('payment', 'cancel'), badId, anyUserRef)
            .map(([op, id, { b }]) => withBody('POST', `/orders/${id}/${op}`, b, STRUCTURAL)),
          fc
            .tuple(fc.constantFrom('payment', 'cancel'), missingId, anyUserRef)
            .map(([op, id, { b, valid }]) => withBody('POST', `/orders/${id}/${op}`, b, valid ? [404] : [400])),
        ),
        2_200,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when coupon and request routes get bad ids, bodies or queries, then each answer is a 4xx problem+json and nothing is queued',
    async () => {
      const claim = hostileBody(['userId'], validUserRef);
      const requestIdText = fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
        fc
          .tuple(
            fc.constantFrom('c0', 'c3', 'c4', 'c999', 'o', 'x', 'z1', 'C1'),
            fc.oneof(fc.constantFrom('0', '1', '9007199254740993', '-1'), fc.nat().map(String)),
            fc.string({
              unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
              minLength: 9,
              maxLength: 11,
            }),
          )
          .map(([lane, seq, nonce]) => `${lane}-${seq}-${nonce}`),
        fc
          .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 10, maxLength: 10 })
          .map((n) => `x-${n}`),
      );
      await fuzz(
        'coupons+requests',
        fc.oneof(
          fc.tuple(badId, claim).map(([id, b]) => withBody('POST', `/coupons/${id}/claims`, b, STRUCTURAL)),
          fc.tuple(missingId, claim).map(([id, b]) => withBody('POST', `/coupons/${id}/claims`, b, [400])),
          badId.map((id) => get(`/coupons/${id}`, STRUCTURAL)),
          missingId.map((id) => get(`/coupons/${id}`, [404])),
          badId.map((id) => get(`/users/${id}/coupons`, STRUCTURAL)),
          fc
            .tuple(
              validUserId,
              queryText.filter((s) => !['AVAILABLE', 'RESERVED', 'USED', 'EXPIRED'].includes(s)),
            )
            .map(([u, s]) => get(`/users/${u}/coupons?${q('status', s)}`, [400])),
          requestIdText.map((id) => get(`/requests/${enc(id)}`, STRUCTURAL)),
          fc
            .tuple(
              requestIdText,
              queryText.filter((s) => !/^[0-9]{1,5}$/.test(s) || Number(s) > 10_000),
            )
            .map(([id, w]) => get(`/requests/${enc(id)}?${q('waitMs', w)}`, STRUCTURAL)),
        ),
        1_800,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when admin routes and the dashboard are called without valid credentials, then every answer is 401 and nothing changes',
    async () => {
      const bearerPaths = fc.oneof(
        fc.constant({ method: 'POST', path: '/admin/products' }),
        fc.constant({ method: 'POST', path: '/admin/coupons' }),
        fc.oneof(missingId, badId).map((id) => ({ method: 'PATCH', path: `/admin/products/${id}/stock` })),
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT').map((method) => ({ method, path: '/admin/products' })),
        fc.string({ maxLength: 20 }).map((s) => ({ method: 'GET', path: `/admin/x${enc(s)}` })),
      );
      const dashboardPaths = fc.oneof(
        fc.constantFrom(
          '/admin/queues',
          '/admin/queues/',
          '/admin/queues/api/queues',
          '/admin/queues/api/queues/claims-0/1',
          '/admin/queues/queue/orders',
          '/admin/queues/static/js/main.js',
        ),
        fc.string({ maxLength: 30 }).map((s) => `/admin/queues/${enc(s)}`),
      );
      const asBearerCall = fc
        .tuple(bearerPaths, badAuthorization, fc.option(hostileBody(['name', 'price', 'stock', 'delta'], () => false)))
        .filter(([, auth]) => !opensBearer(auth))
        .map(([{ method, path }, auth, body]): Attempt => {
          const headers: Record<string, string> = auth === undefined ? {} : { Authorization: auth };
          const a = body && method !== 'GET' ? withBody(method, path, body, [401]) : get(path, [401]);
          // Authentication comes first: only an over-limit body is refused before it.
          return { ...a, method, headers, allowed: a.allowed.filter((s) => s === 401 || s === 413), keySafe: true };
        });
      const asDashboardCall = fc
        .tuple(dashboardPaths, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), badAuthorization)
        .filter(([, , auth]) => !opensBasic(auth))
        .map(([path, method, auth]): Attempt => ({
          method,
          path,
          headers: auth === undefined ? {} : { Authorization: auth },
          allowed: [401],
          keySafe: true,
        }));
      await fuzz('admin without credentials', fc.oneof(asBearerCall, asDashboardCall), 1_600);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when admin routes get bad bodies or unknown products with the right token, then each answer is a 4xx problem+json and nothing changes',
    async () => {
      const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
      const product = hostileBody(['name', 'price', 'stock'], validProduct);
      const coupon = hostileBody(
        [
          'name',
          'discountType',
          'discountValue',
          'maxDiscountAmount',
          'minOrderAmount',
          'totalQuantity',
          'claimStartsAt',
          'claimEndsAt',
          'validDays',
        ],
        validCoupon,
      );
      const delta = hostileBody(['delta'], validDelta);
      const couponish = fc
        .record({
          discountType: fc.constantFrom('FIXED', 'PERCENT', 'fixed', 'BOGO'),
          discountValue: numberToken,
          totalQuantity: numberToken,
          validDays: numberToken,
          claimStartsAt: fc.oneof(
            text,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          claimEndsAt: fc.oneof(
            text,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
        })
        .map((c) => ({ name: 'fuzz', ...c }))
        .map((o): Body => ({ text: write(o), contentType: 'application/json', refused: [400] }))
        .filter((b) => {
          try {
            return !validCoupon(JSON.parse(b.text as string));
          } catch {
            return true;
          }
        });
      const withToken = (a: Attempt): Attempt => ({ ...a, headers: { ...a.headers, ...admin } });
      await fuzz(
        'admin with token',
        fc.oneof(
          product.map((b) => withToken(withBody('POST', '/admin/products', b, [400]))),
          fc.oneof(coupon, couponish).map((b) => withToken(withBody('POST', '/admin/coupons', b, [400]))),
          fc
            .tuple(badId, delta)
            .map(([id, b]) => withToken(withBody('PATCH', `/admin/products/${id}/stock`, b, STRUCTURAL))),
          fc
            .tuple(missingId, delta)
            .map(([id, b]) => withToken(withBody('PATCH', `/admin/products/${id}/stock`, b, [400]))),
          fc
            .tuple(
              missingId,
              fc.integer({ min: -1e9, max: 1e9 }).filter((d) => d !== 0),
            )
            .map(([id, d]) =>
              withToken(
                withBody(
                  'PATCH',
                  `/admin/products/${id}/stock`,
                  { text: JSON.stringify({ delta: d }), contentType: 'application/json', refused: [] },
                  [404],
                ),
              ),
            ),
        ),
        1_400,
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when a route does not exist or is called with a method it does not serve, then the answer is 404 problem+json and nothing changes',
    async () => {
      const known = [
        '/users/1/balance',
        '/users/1/balance/charge',
        '/products',
        '/products/top',
        '/products/1',
        '/orders',
        '/orders/1',
        '/orders/1/payment',
        '/coupons/1',
        '/coupons/1/claims',
        '/requests/o-1-aaaaaaaaaa',
        '/healthz',
        '/readyz',
      ];
      const served: Record<string, string[]> = {
        '/users/1/balance/charge': ['POST'],
        '/orders': ['POST'],
        '/orders/1/payment': ['POST'],
        '/coupons/1/claims': ['POST'],
      };
      await fuzz(
        'unknown routes',
        fc.oneof(
          fc
            .tuple(
              fc.constantFrom(...known),
              fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'FOO'),
            )
            .filter(([path, method]) => !(served[path] ?? ['GET']).includes(method))
            .map(([path, method]) => ({ method, path, allowed: [404], keySafe: true })),
          fc
            .array(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map(enc), {
              minLength: 1,
              maxLength: 5,
            })
            .map((segments) => get(`/zz/${segments.join('/')}`, [404])),
          fc
            .tuple(fc.constantFrom(...FRAGMENTS).map(enc), fc.constantFrom('', '/', '/x'))
            .map(([s, tail]) =>
              get(`/${s || 'zz'}${tail}`.replace(/^\/(healthz|readyz|metrics|docs)$/, '/zz'), STRUCTURAL),
            ),
        ),
        800,
      );
    },
    FUZZ_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------
// Keyed POSTs to routes that do not exist, through a real API process

describe('hostile input: keyed POSTs to unknown routes (real API process)', () => {
  it(
    'when 2,000 POSTs with fresh Idempotency-Keys match no route, then each is 404 problem+json and no idempotency record is stored',
    async () => {
      const { url, proc } = await stack.api();
      // Starting an API creates its queues' meta keys in Redis (the expiry queue's too, shortly after it
      // listens); every fuzz before has matched the baseline.
      for (let i = 0; i < 100 && !baseline.redisKeys.some((k) => k.endsWith('order-expiry:meta')); i++) {
        await new Promise((r) => setTimeout(r, 100));
        baseline = await snapshot();
      }
      const paths = ['/zz', '/products', '/products/1', '/healthz', '/orders/1', '/users/1/balance', '/coupons/1'];
      const statuses: Record<number, number> = {};
      const one = async (i: number) => {
        const path = `${paths[i % paths.length]}${i % 3 === 0 ? `/junk-${i}` : ''}`;
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `unknown-route-${i}-${Date.now()}` },
          body: JSON.stringify({ userId: 1, amount: 100 }),
        });
        sent++;
        counts['keyed unknown routes'] = (counts['keyed unknown routes'] ?? 0) + 1;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
      };
      for (let i = 0; i < 2_000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => one(i + j)));
      expect(statuses).toEqual({ 404: 2_000 });
      expect(await snapshot()).toEqual(baseline);
      await proc.kill('SIGTERM');
    },
    FUZZ_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------
// Forged end-user tokens, in identity mode

const SECRET = 'hostile-input-secret-of-32-chars-or-more';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'coupon-engine';

interface Forgery {
  userId: number;
  token: string;
}

const seg = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (t: string) => t.split('.') as [string, string, string];

/** Tokens for user `u` that a careless verifier might take, signed up front (signing is async). */
async function signedForgeries(signer: TokenSigner, u: number): Promise<string[]> {
  const base = { issuer: ISSUER, audience: AUDIENCE };
  const other = signer.alg === 'HS256' ? hs256Signer(`${SECRET}-other`) : (await es256Signer('k1')).signer;
  const subs = [
    '0',
    '-1',
    `${u}.0`,
    ` ${u}`,
    `${u} `,
    '１２３',
    '١٢٣',
    `${u}\u00e9`,
    '9007199254740993',
    '1e3',
    '0x1F',
    '',
  ];
  return Promise.all([
    signer.sign(u, { ...base, expiresInS: -10 - Math.floor(Math.random() * 86_400) }),
    signer.sign(u, { ...base, notBeforeS: 10 + Math.floor(Math.random() * 86_400) }),
    signer.sign(u, { ...base, expiresInS: null }),
    signer.sign(u, { ...base, issuer: 'https://evil.example' }),
    signer.sign(u, { audience: AUDIENCE }),
    signer.sign(u, { ...base, audience: 'other' }),
    signer.sign(u, { issuer: ISSUER }),
    other.sign(u, base),
    other.sign(u, { ...base, claims: { pad: 'x'.repeat(3_000) } }),
    signer.sign(u, { ...base, claims: { sub: u as unknown as string } }),
    ...subs.map((sub) => signer.sign(u, { ...base, claims: { sub } })),
  ]);
}

/** Forgeries made from a valid token without the key: cut, altered, re-headed, padded, swapped. */
function derivedForgery(valid: string, stranger: string): fc.Arbitrary<string> {
  const [h, p, s] = parts(valid);
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const b64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return fc.oneof(
    fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
    fc
      .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.constantFrom(...b64url))
      .filter(([i, ch]) => valid[i] !== '.' && valid[i] !== ch && i < valid.length - 1)
      .map(([i, ch]) => valid.slice(0, i) + ch + valid.slice(i + 1)),
    fc
      .constantFrom('none', 'None', 'NONE', 'HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'PS256', 'EdDSA', '', 'hs256')
      .filter((alg) => alg !== header.alg)
      .chain((alg) => fc.constantFrom(`${seg({ ...header, alg })}.${p}.${s}`, `${seg({ ...header, alg })}.${p}.`)),
    fc.constant(`${seg({ alg: 'none', typ: 'JWT' })}.${p}.`),
    fc.constant(`${h}.${parts(stranger)[1]}.${s}`),
    fc
      .record({ sub: fc.constantFrom(String(Number(payload.sub) + 1), '1', 'admin'), exp: fc.constant(payload.exp) })
      .map((claims) => `${h}.${seg({ ...payload, ...claims })}.${s}`),
    fc.integer({ min: 5_000, max: 14_000 }).map((n) => `${h}.${seg({ ...payload, pad: 'x'.repeat(n) })}.${s}`),
    fc.integer({ min: 5_000, max: 14_000 }).map((n) => `${valid}${'A'.repeat(n)}`),
    // Inside the token only: a space before or after it is just more whitespace around a valid token.
    fc
      .tuple(
        fc.integer({ min: 1, max: valid.length - 1 }),
        fc.constantFrom('\u00e9', '\u00ff', '\u00a0', '\u0080', ' ', '\t'),
      )
      .map(([i, ch]) => valid.slice(0, i) + ch + valid.slice(i)),
    fc.constantFrom(`${valid}.`, `${valid}.x.y`, `.${valid}`, `${h}..${s}`, `${h}.${p}`, `${valid},${valid}`),
    fc.constant(`${seg({ ...header, crit: ['exp'], exp: 1 })}.${p}.${s}`),
    fc.constant(`${seg({ ...header, jku: 'http://127.0.0.1:1/jwks.json', kid: '../../etc/passwd' })}.${p}.${s}`),
  );
}

/** Requests that a valid token of user `u` would have succeed (or queue): only the token is wrong. */
function userRequest(u: number, authorization: string): fc.Arbitrary<Attempt> {
  const json = (b: unknown): Body => ({ text: JSON.stringify(b), contentType: 'application/json', refused: [] });
  const headers = { Authorization: authorization };
  // keySafe: a valid Idempotency-Key may join, and must not be recorded for a refused token.
  const post = (path: string, b: unknown): Attempt => ({
    ...withBody('POST', path, json(b), [401]),
    headers,
    keySafe: true,
  });
  return fc.constantFrom<Attempt>(
    { ...get(`/users/${u}/balance`, [401]), headers },
    { ...get(`/users/${u}/balance/history`, [401]), headers },
    { ...get(`/users/${u}/coupons`, [401]), headers },
    { ...get('/requests/o-1-aaaaaaaaaa', [401]), headers },
    { ...get('/orders/1', [401]), headers },
    post(`/users/${u}/balance/charge`, { amount: 5 }),
    post('/orders', { items: [{ productId: 1, quantity: 1 }] }),
    post('/orders', { userId: u, items: [{ productId: 1, quantity: 1 }] }),
    post('/coupons/1/claims', {}),
    post('/coupons/1/claims', { userId: u }),
    post('/orders/1/payment', {}),
    post('/orders/1/cancel', { userId: u }),
  );
}

async function forgeries(signer: TokenSigner, extra: (u: number) => Promise<string[]> = () => Promise.resolve([])) {
  const users = Array.from({ length: 30 }, () => Math.floor(Math.random() * 2 ** 40) + 1);
  const signed: Forgery[] = [];
  const derived: fc.Arbitrary<Forgery>[] = [];
  for (const u of users) {
    const valid = await signer.sign(u, { issuer: ISSUER, audience: AUDIENCE });
    const stranger = await signer.sign(u + 1, { issuer: ISSUER, audience: AUDIENCE });
    for (const token of [...(await signedForgeries(signer, u)), ...(await extra(u))]) signed.push({ userId: u, token });
    derived.push(derivedForgery(valid, stranger).map((token) => ({ userId: u, token })));
  }
  const forgery = fc.oneof(fc.constantFrom(...signed), ...derived);
  return forgery.chain((f) =>
    fc
      .constantFrom(`Bearer ${f.token}`, `bearer ${f.token}`, `Bearer  ${f.token}`, `Bearer ${f.token} `)
      .chain((authorization) => userRequest(f.userId, authorization)),
  );
}

describe('hostile input: forged end-user tokens (identity mode)', () => {
  const apps: TestContext[] = [];
  let jwks: Awaited<ReturnType<typeof serveJwks>> | undefined;
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await jwks?.close();
  });
  const identityApp = (env: Record<string, string>) => {
    const app = createTestContext({ DATABASE_URL: stack.databaseUrl, QUEUE_PREFIX: stack.queuePrefix, ...env });
    apps.push(app);
    return app.app;
  };

  it(
    'when HS256 tokens are truncated, re-signed, alg-swapped, huge, non-ASCII, expired or not yet valid, then every answer is 401 and nothing changes',
    async () => {
      const app = identityApp({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE });
      const hs = hs256Signer(SECRET);
      // Proof that the requests would pass with a valid token: the fuzz's 401s are the token's doing.
      const u = 4242;
      const ok = await app.request(`/users/${u}/balance`, {
        headers: { Authorization: `Bearer ${await hs.sign(u, { issuer: ISSUER, audience: AUDIENCE })}` },
      });
      expect(ok.status).toBe(200);
      await fuzz('forged HS256 tokens', await forgeries(hs), 1_000, app);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'when ES256 tokens from a JWKS are forged, re-signed by another key or signed with HS256 and the public key, then every answer is 401 and nothing changes',
    async () => {
      const es = await es256Signer('k1');
      jwks = await serveJwks(() => es.jwks);
      const app = identityApp({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE });
      const u = 4343;
      const ok = await app.request(`/users/${u}/balance`, {
        headers: { Authorization: `Bearer ${await es.signer.sign(u, { issuer: ISSUER, audience: AUDIENCE })}` },
      });
      expect(ok.status).toBe(200);
      // Key confusion: HS256 with the issuer's public key (as JSON, or its x coordinate) as the secret.
      const publicKey = es.jwks.keys[0] as { x: string };
      const confused = async (v: number) =>
        Promise.all(
          [JSON.stringify(publicKey), publicKey.x.padEnd(32, '=')].map((secret) =>
            hs256Signer(secret).sign(v, { issuer: ISSUER, audience: AUDIENCE }),
          ),
        );
      const started = Date.now();
      await fuzz('forged ES256 tokens', await forgeries(es.signer, confused), 600, app);
      // Cached: an unknown `kid` refetches the set at most once per 30 s cooldown.
      expect(jwks.requests()).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / 30_000));
    },
    FUZZ_TIMEOUT,
  );
});
