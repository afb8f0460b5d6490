// A table of bad requests against every endpoint that exists. Each must be refused with the documented
// problem+json and change nothing. Other test files share the database, so the "nothing changed" check
// is scoped to rows this file owns: its own users and products, and the bad ids it sends.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BALANCE } from '../../src/balance/balance.repository.js';
import { ADMIN_TOKEN, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
/** A user with a balance and history. */
let user: number;
/** A user never seen: no row may appear for it. */
let fresh: number;
/** A user whose balance is at the limit. */
let full: number;
/** A product of this file; its stock is 7. */
let product: number;
/** A valid id that no product has. */
const missingProduct = Number.MAX_SAFE_INTEGER;
/** Every product this file tries to create is named with this prefix. */
const namePrefix = `bad-input-${crypto.randomUUID()}`;

beforeAll(async () => {
  ctx = createTestContext();
  user = newUserId();
  fresh = newUserId();
  full = newUserId();
  for (const amount of [500, 250]) {
    const res = await postJson(ctx, `/users/${user}/balance/charge`, { amount });
    expect(res.status).toBe(200);
  }
  await ctx.db.insertInto('balances').values({ user_id: full, balance: MAX_BALANCE }).execute();
  const created = await postJson(
    ctx,
    '/admin/products',
    { name: `${namePrefix} kept`, price: 1200, stock: 7 },
    {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
    },
  );
  expect(created.status).toBe(201);
  product = ((await created.json()) as { id: number }).id;
});
afterAll(() => ctx.close());

/** The rows this file owns, and any row that a bad request could have created for its ids. */
async function snapshot() {
  const users = [user, fresh, full];
  const balances = await ctx.db
    .selectFrom('balances')
    .select(['user_id', 'balance', 'updated_at'])
    .where('user_id', 'in', users)
    .orderBy('user_id')
    .execute();
  const history = await ctx.db
    .selectFrom('balance_history')
    .select([
      sql<number>`COUNT(*)`.as('rows'),
      sql<number>`COALESCE(SUM(amount), 0)`.as('amounts'),
      sql<number>`COALESCE(SUM(balance_after), 0)`.as('after'),
      sql<number | null>`MAX(id)`.as('lastId'),
    ])
    .where('user_id', 'in', users)
    .executeTakeFirstOrThrow();
  const products = await ctx.db
    .selectFrom('products')
    .select(['id', 'name', 'price', 'stock', 'max_per_user'])
    .where((eb) =>
      eb.or([eb('id', 'in', [product, missingProduct]), eb('name', 'like', `${namePrefix}%`), eb('name', '=', '')]),
    )
    .orderBy('id')
    .execute();
  const sales = await ctx.db
    .selectFrom('product_sales_daily')
    .selectAll()
    .where('product_id', 'in', [product, missingProduct])
    .execute();
  // Not `POST /admin/products`: other files record keys for that scope while this one runs.
  const scopes = [...users.map((u) => `POST /users/${u}/balance/charge`), `PATCH /admin/products/${product}/stock`];
  const keys = await ctx.db
    .selectFrom('idempotency_keys')
    .select(['scope', 'idem_key', 'state', 'response_status'])
    .where((eb) => eb.or([eb('scope', 'in', scopes), eb('idem_key', 'like', `${namePrefix}%`)]))
    .orderBy('idem_key')
    .execute();
  return { balances, history, products, sales, keys };
}

interface BadCase {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `{user}`, `{fresh}`, `{full}`, `{product}` and `{missing}` are replaced by this file's ids. */
  path: string;
  /** A string is sent as it is (malformed JSON); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** The offending field, which `detail` must name. */
  field?: string;
}

const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const charge = '/users/{user}/balance/charge';
const create = '/admin/products';
const restock = '/admin/products/{product}/stock';
const update = '/admin/products/{product}';
const named = (extra: Record<string, unknown>) => ({ name: `${namePrefix} new`, price: 1000, stock: 5, ...extra });

const cases: Record<string, BadCase> = {
  // GET /users/{userId}/balance
  'balance: user id 0': { path: '/users/0/balance', status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  'balance: user id -1': { path: '/users/-1/balance', status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  'balance: user id abc': { path: '/users/abc/balance', status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  'balance: user id 1e3': { path: '/users/1e3/balance', status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  'balance: user id 1.5': { path: '/users/1.5/balance', status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  'balance: user id with a leading zero': {
    path: '/users/007/balance',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'userId',
  },
  'balance: user id beyond the safe range': {
    path: '/users/9007199254740993/balance',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'userId',
  },
  'balance: user id of 40 digits': {
    path: `/users/${'9'.repeat(40)}/balance`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'userId',
  },

  // POST /users/{userId}/balance/charge
  'charge: amount 0': {
    method: 'POST',
    path: charge,
    body: { amount: 0 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: negative amount': {
    method: 'POST',
    path: charge,
    body: { amount: -1 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: float amount': {
    method: 'POST',
    path: charge,
    body: { amount: 1.5 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount 10,000,001': {
    method: 'POST',
    path: charge,
    body: { amount: 10_000_001 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount beyond the safe range': {
    method: 'POST',
    path: charge,
    body: '{"amount": 9007199254740993}',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount 1e400 (Infinity)': {
    method: 'POST',
    path: charge,
    body: '{"amount": 1e400}',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount as a string': {
    method: 'POST',
    path: charge,
    body: { amount: '100' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount null': {
    method: 'POST',
    path: charge,
    body: { amount: null },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount true': {
    method: 'POST',
    path: charge,
    body: { amount: true },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount as an array': {
    method: 'POST',
    path: charge,
    body: { amount: [100] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: amount missing': {
    method: 'POST',
    path: charge,
    body: {},
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: body null': { method: 'POST', path: charge, body: 'null', status: 400, code: 'VALIDATION_FAILED' },
  'charge: body an array instead of an object': {
    method: 'POST',
    path: charge,
    body: [{ amount: 100 }],
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  'charge: body a bare number': { method: 'POST', path: charge, body: '100', status: 400, code: 'VALIDATION_FAILED' },
  'charge: malformed JSON': {
    method: 'POST',
    path: charge,
    body: '{"amount": 100',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  'charge: trailing garbage after JSON': {
    method: 'POST',
    path: charge,
    body: '{"amount": 100} x',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  'charge: empty body': { method: 'POST', path: charge, body: '', status: 400, code: 'VALIDATION_FAILED' },
  'charge: body sent as text/plain': {
    method: 'POST',
    path: charge,
    body: '{"amount": 100}',
    headers: { 'Content-Type': 'text/plain' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  'charge: a never-seen user with a negative amount': {
    method: 'POST',
    path: '/users/{fresh}/balance/charge',
    body: { amount: -100 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  'charge: user id 0': {
    method: 'POST',
    path: '/users/0/balance/charge',
    body: { amount: 100 },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'userId',
  },
  'charge: an Idempotency-Key of 256 characters': {
    method: 'POST',
    path: charge,
    body: { amount: 100 },
    headers: { 'Idempotency-Key': `${namePrefix}${'k'.repeat(256)}`.slice(0, 256) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'Idempotency-Key',
  },
  'charge: a non-ASCII Idempotency-Key': {
    method: 'POST',
    path: charge,
    body: { amount: 100 },
    headers: { 'Idempotency-Key': `${namePrefix}-cl\u00e9` },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'Idempotency-Key',
  },
  'charge: an empty Idempotency-Key': {
    method: 'POST',
    path: charge,
    body: { amount: 100 },
    headers: { 'Idempotency-Key': '' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'Idempotency-Key',
  },
  'charge: a balance at the limit': {
    method: 'POST',
    path: '/users/{full}/balance/charge',
    body: { amount: 1 },
    status: 409,
    code: 'BALANCE_LIMIT_EXCEEDED',
  },
  'charge: a body over 64 KiB': {
    method: 'POST',
    path: charge,
    body: { amount: 100, pad: 'x'.repeat(65 * 1024) },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },

  // GET /users/{userId}/balance/history
  'history: limit 0': {
    path: '/users/{user}/balance/history?limit=0',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: limit 101': {
    path: '/users/{user}/balance/history?limit=101',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: limit -5': {
    path: '/users/{user}/balance/history?limit=-5',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: limit abc': {
    path: '/users/{user}/balance/history?limit=abc',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: limit 2.5': {
    path: '/users/{user}/balance/history?limit=2.5',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: limit given twice': {
    path: '/users/{user}/balance/history?limit=1&limit=2',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'limit',
  },
  'history: a cursor that is not one': {
    path: '/users/{user}/balance/history?cursor=not-a-cursor',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cursor',
  },
  'history: a cursor wrapping id 0': {
    path: `/users/{user}/balance/history?cursor=${b64('i:0')}`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cursor',
  },
  'history: a cursor beyond the safe range': {
    path: `/users/{user}/balance/history?cursor=${b64('i:9007199254740993')}`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cursor',
  },
  'history: a cursor of 201 characters': {
    path: `/users/{user}/balance/history?cursor=${'a'.repeat(201)}`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cursor',
  },
  'history: user id abc': {
    path: '/users/abc/balance/history',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'userId',
  },

  // GET /products, /products/{productId}, /products/top
  'products: limit 0': { path: '/products?limit=0', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  'products: limit 101': { path: '/products?limit=101', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  'products: limit 1e3': { path: '/products?limit=1e3', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  'products: a bad cursor': {
    path: '/products?cursor=%25%25%25',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cursor',
  },
  'product: id 0': { path: '/products/0', status: 400, code: 'VALIDATION_FAILED', field: 'productId' },
  'product: id -1': { path: '/products/-1', status: 400, code: 'VALIDATION_FAILED', field: 'productId' },
  'product: id abc': { path: '/products/abc', status: 400, code: 'VALIDATION_FAILED', field: 'productId' },
  'product: id 1e3': { path: '/products/1e3', status: 400, code: 'VALIDATION_FAILED', field: 'productId' },
  'product: id beyond the safe range': {
    path: '/products/9007199254740993',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'productId',
  },
  'product: an unknown id': { path: '/products/{missing}', status: 404, code: 'PRODUCT_NOT_FOUND' },
  'top: days 0': { path: '/products/top?days=0', status: 400, code: 'VALIDATION_FAILED', field: 'days' },
  'top: days 31': { path: '/products/top?days=31', status: 400, code: 'VALIDATION_FAILED', field: 'days' },
  'top: days empty': { path: '/products/top?days=', status: 400, code: 'VALIDATION_FAILED', field: 'days' },
  'top: days 2.5': { path: '/products/top?days=2.5', status: 400, code: 'VALIDATION_FAILED', field: 'days' },
  'top: limit 0': { path: '/products/top?limit=0', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  'top: limit 51': { path: '/products/top?limit=51', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },

  // POST /admin/products
  'create: negative price': {
    method: 'POST',
    path: create,
    body: named({ price: -1 }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'price',
  },
  'create: float price': {
    method: 'POST',
    path: create,
    body: named({ price: 99.9 }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'price',
  },
  'create: price as a string': {
    method: 'POST',
    path: create,
    body: named({ price: '1000' }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'price',
  },
  'create: price over 1,000,000,000': {
    method: 'POST',
    path: create,
    body: named({ price: 1_000_000_001 }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'price',
  },
  'create: negative stock': {
    method: 'POST',
    path: create,
    body: named({ stock: -1 }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'stock',
  },
  'create: stock null': {
    method: 'POST',
    path: create,
    body: named({ stock: null }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'stock',
  },
  'create: name missing': {
    method: 'POST',
    path: create,
    body: { price: 1000, stock: 5 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'name',
  },
  'create: name only blanks': {
    method: 'POST',
    path: create,
    body: named({ name: '   ' }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'name',
  },
  'create: name of 201 characters': {
    method: 'POST',
    path: create,
    body: named({ name: `${namePrefix}${'n'.repeat(201)}`.slice(0, 201) }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'name',
  },
  'create: name a number': {
    method: 'POST',
    path: create,
    body: named({ name: 42 }),
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'name',
  },
  'create: body an array': {
    method: 'POST',
    path: create,
    body: [named({})],
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  'create: malformed JSON': {
    method: 'POST',
    path: create,
    body: `{"name": "${namePrefix}", "price": 1`,
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  'create: no bearer token': { method: 'POST', path: create, body: named({}), status: 401, code: 'UNAUTHORIZED' },
  'create: a wrong bearer token': {
    method: 'POST',
    path: create,
    body: named({}),
    headers: { Authorization: 'Bearer wrong' },
    status: 401,
    code: 'UNAUTHORIZED',
  },

  ...Object.fromEntries(
    (
      [
        ['0', 0],
        ['-1', -1],
        ['1.5', 1.5],
        ['as a string', '2'],
        ['over 1,000,000', 1_000_001],
      ] as const
    ).map(([name, maxPerUser]): [string, BadCase] => [
      `create: maxPerUser ${name}`,
      {
        method: 'POST',
        path: create,
        body: named({ maxPerUser }),
        headers: admin,
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'maxPerUser',
      },
    ]),
  ),

  // PATCH /admin/products/{productId}
  ...Object.fromEntries(
    (
      [
        ['missing', {}],
        ['0', { maxPerUser: 0 }],
        ['1.5', { maxPerUser: 1.5 }],
        ['as a string', { maxPerUser: '2' }],
        ['over 1,000,000', { maxPerUser: 1_000_001 }],
      ] as const
    ).map(([name, body]): [string, BadCase] => [
      `update: maxPerUser ${name}`,
      {
        method: 'PATCH',
        path: update,
        body,
        headers: admin,
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'maxPerUser',
      },
    ]),
  ),
  'update: an unknown product': {
    method: 'PATCH',
    path: '/admin/products/{missing}',
    body: { maxPerUser: 2 },
    headers: admin,
    status: 404,
    code: 'PRODUCT_NOT_FOUND',
  },
  'update: product id abc': {
    method: 'PATCH',
    path: '/admin/products/abc',
    body: { maxPerUser: 2 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'productId',
  },
  'update: no bearer token': {
    method: 'PATCH',
    path: update,
    body: { maxPerUser: 2 },
    status: 401,
    code: 'UNAUTHORIZED',
  },

  // PATCH /admin/products/{productId}/stock
  'restock: delta 0': {
    method: 'PATCH',
    path: restock,
    body: { delta: 0 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'delta',
  },
  'restock: float delta': {
    method: 'PATCH',
    path: restock,
    body: { delta: 1.5 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'delta',
  },
  'restock: delta as a string': {
    method: 'PATCH',
    path: restock,
    body: { delta: '5' },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'delta',
  },
  'restock: delta missing': {
    method: 'PATCH',
    path: restock,
    body: {},
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'delta',
  },
  'restock: delta over 1,000,000,000': {
    method: 'PATCH',
    path: restock,
    body: { delta: 1_000_000_001 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'delta',
  },
  'restock: stock would go below zero': {
    method: 'PATCH',
    path: restock,
    body: { delta: -8 },
    headers: admin,
    status: 409,
    code: 'INSUFFICIENT_STOCK',
  },
  'restock: an unknown product': {
    method: 'PATCH',
    path: '/admin/products/{missing}/stock',
    body: { delta: 5 },
    headers: admin,
    status: 404,
    code: 'PRODUCT_NOT_FOUND',
  },
  'restock: product id abc': {
    method: 'PATCH',
    path: '/admin/products/abc/stock',
    body: { delta: 5 },
    headers: admin,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'productId',
  },
  'restock: no bearer token': { method: 'PATCH', path: restock, body: { delta: 5 }, status: 401, code: 'UNAUTHORIZED' },

  // Routes that do not exist
  'unknown route': { path: '/users/{user}/balances', status: 404, code: 'NOT_FOUND' },
  'unknown method on a known path': { method: 'DELETE', path: '/users/{user}/balance', status: 404, code: 'NOT_FOUND' },
};

function send(c: BadCase) {
  const path = c.path
    .replace('{user}', String(user))
    .replace('{fresh}', String(fresh))
    .replace('{full}', String(full))
    .replace('{product}', String(product))
    .replace('{missing}', String(missingProduct));
  const method = c.method ?? 'GET';
  if (c.body === undefined) return ctx.app.request(path, { method, headers: c.headers ?? {} });
  return ctx.app.request(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...c.headers },
    body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
  });
}

describe('bad input', () => {
  it.each(Object.entries(cases))(
    'when the request has %s, then it is refused with a problem+json and changes nothing',
    async (_name, c) => {
      const before = await snapshot();
      const res = await send(c);
      const problem = await expectProblem(res, c.status, c.code);
      expect(res.headers.get('X-Request-Id')).toBeTruthy();
      if (c.field) {
        const named = [problem.detail, ...(problem.errors ?? []).map((e) => e.path)].join(' ');
        expect(named).toContain(c.field);
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it('when every bad request has been refused, then the owned rows still hold what the setup wrote', async () => {
    for (const c of Object.values(cases)) await (await send(c)).arrayBuffer();
    const { balances, history, products, sales } = await snapshot();
    expect(balances.map((b) => [b.user_id, b.balance])).toEqual(
      [
        [user, 750],
        [full, MAX_BALANCE],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    expect(history).toMatchObject({ rows: 2, amounts: 750 });
    expect(products).toEqual([{ id: product, name: `${namePrefix} kept`, price: 1200, stock: 7, max_per_user: null }]);
    expect(sales).toEqual([]);
  });
});
