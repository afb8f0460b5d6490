// Identity mode through app.request() with real tokens signed here: HS256 with a shared secret, and
// ES256 with a key served as a JWKS by a local HTTP server. A worker process decides the queued
// requests, so orders and claims run to their outcome.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Signer, hs256Signer, serveJwks, type TokenOptions, type TokenSigner } from '../../rush/tokens.js';
import { adminHeaders, createTestContext, newUserId, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';
import { isolatedStack, type Stack } from '../support/processes.js';

const SECRET = 'identity-test-secret-of-at-least-32-chars';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'coupon-engine';
const hs = hs256Signer(SECRET);
const valid = (userId: number | string, o: TokenOptions = {}) =>
  hs.sign(userId, { issuer: ISSUER, audience: AUDIENCE, ...o });

let stack: Stack;
let ctx: TestContext;
let productId: number;
let couponId: number;

beforeAll(async () => {
  stack = await isolatedStack();
  stack.worker();
  ctx = createTestContext({
    DATABASE_URL: stack.databaseUrl,
    QUEUE_PREFIX: stack.queuePrefix,
    AUTH_JWT_SECRET: SECRET,
    AUTH_JWT_ISSUER: ISSUER,
    AUTH_JWT_AUDIENCE: AUDIENCE,
  });
  const product = await ctx.app.request('/admin/products', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ name: 'identity', price: 1000, stock: 1000 }),
  });
  productId = ((await product.json()) as { id: number }).id;
  const coupon = await ctx.app.request('/admin/coupons', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({
      name: 'identity',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 1000,
      validDays: 1,
    }),
  });
  couponId = ((await coupon.json()) as { id: number }).id;
});
afterAll(async () => {
  await ctx?.close();
  await stack?.close();
});

function send(
  c: TestContext,
  method: string,
  path: string,
  opts: { token?: string; authorization?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const authorization = opts.authorization ?? (opts.token ? `Bearer ${opts.token}` : undefined);
  return c.app.request(path, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(authorization ? { Authorization: authorization } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
}

/** Rows of every table a user route writes, and every lane's last job id: what "nothing written" compares. */
async function writes(c: TestContext) {
  const tables = ['balances', 'balance_history', 'orders', 'user_coupons', 'idempotency_keys'] as const;
  const rows = await Promise.all(
    tables.map(async (t) =>
      Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(c.db)).rows[0]?.n),
    ),
  );
  const jobIds = await Promise.all([...c.queues.values()].map((q) => c.redis.get(q.keys.id as string)));
  return { rows: Object.fromEntries(tables.map((t, i) => [t, rows[i]])), jobIds };
}

async function final(c: TestContext, requestId: string, token: string) {
  for (;;) {
    const res = await send(c, 'GET', `/requests/${requestId}?waitMs=5000`, { token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; result?: { orderId?: number; userCouponId?: number } };
    if (!['QUEUED', 'PROCESSING'].includes(body.status)) return body;
  }
}

async function placeOrder(c: TestContext, token: string): Promise<number> {
  const res = await send(c, 'POST', '/orders', { token, body: { items: [{ productId, quantity: 1 }] } });
  expect(res.status).toBe(202);
  const { requestId } = (await res.json()) as { requestId: string };
  const outcome = await final(c, requestId, token);
  expect(outcome.status).toBe('SUCCEEDED');
  return outcome.result?.orderId as number;
}

describe('identity mode (HS256)', () => {
  it('when the OpenAPI document is read, then every user operation declares the bearer scheme and the rest none', async () => {
    const doc = (await (await ctx.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, { scheme: string; bearerFormat?: string }> };
    };
    expect(doc.components.securitySchemes.userBearer).toMatchObject({ scheme: 'bearer', bearerFormat: 'JWT' });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const user = /^\/(users|orders|requests)\b|^\/coupons\/\{couponId\}\/claims$/.test(path);
        const scheme = op.security?.[0] && Object.keys(op.security[0])[0];
        expect({ method, path, scheme }).toEqual({
          method,
          path,
          scheme: user ? 'userBearer' : path.startsWith('/admin') ? 'adminBearer' : undefined,
        });
      }
    }
  });

  it('when a user route is called without a token, then it is 401 with WWW-Authenticate and public routes stay open', async () => {
    const u = newUserId();
    const before = await writes(ctx);
    const userRoutes: [string, string, unknown?][] = [
      ['GET', `/users/${u}/balance`],
      ['POST', `/users/${u}/balance/charge`, { amount: 10 }],
      ['GET', `/users/${u}/balance/history`],
      ['GET', `/users/${u}/coupons`],
      ['POST', '/orders', { userId: u, items: [{ productId, quantity: 1 }] }],
      ['GET', '/orders/1'],
      ['POST', '/orders/1/payment', { userId: u }],
      ['POST', '/orders/1/cancel', { userId: u }],
      ['POST', `/coupons/${couponId}/claims`, { userId: u }],
      ['GET', '/requests/o-1-abcdefghij'],
    ];
    for (const [method, path, body] of userRoutes) {
      const res = await send(ctx, method, path, { body });
      await expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="users"');
    }
    for (const path of [
      '/healthz',
      '/products',
      `/products/${productId}`,
      '/products/top',
      `/coupons/${couponId}`,
      '/openapi.json',
      '/docs',
      '/metrics',
    ]) {
      expect({ path, status: (await send(ctx, 'GET', path)).status }).toEqual({ path, status: 200 });
    }
    expect((await send(ctx, 'GET', '/admin/coupons/1/draw', { token: await valid(u) })).status).not.toBe(200);
    expect(await writes(ctx)).toEqual(before);
  });

  it('when the token is malformed, expired, not yet valid, wrongly signed, unsigned or for another issuer or audience, then it is 401 and nothing is written', async () => {
    const u = newUserId();
    const good = await valid(u);
    const [h, p] = good.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const cases: Record<string, string> = {
      'not a JWT': 'Bearer not-a-jwt',
      'Basic scheme': `Basic ${Buffer.from(`${u}:x`).toString('base64')}`,
      'empty bearer': 'Bearer ',
      truncated: `Bearer ${good.slice(0, -5)}`,
      'payload swapped': `Bearer ${h}.${(await valid(u + 1)).split('.')[1]}.${good.split('.')[2]}`,
      'other secret': `Bearer ${await hs256Signer('another-secret-that-is-32-chars-long!').sign(u, { issuer: ISSUER, audience: AUDIENCE })}`,
      'alg none': `Bearer ${none}`,
      expired: `Bearer ${await valid(u, { expiresInS: -60 })}`,
      'nbf in the future': `Bearer ${await valid(u, { notBeforeS: 600 })}`,
      'wrong issuer': `Bearer ${await hs.sign(u, { issuer: 'https://evil.example', audience: AUDIENCE })}`,
      'wrong audience': `Bearer ${await hs.sign(u, { issuer: ISSUER, audience: 'other' })}`,
      'no exp': `Bearer ${await valid(u, { expiresInS: null })}`,
      'sub not an id': `Bearer ${await valid('alice')}`,
      'sub zero': `Bearer ${await valid('0')}`,
      'sub a JSON number': `Bearer ${await valid(u, { claims: { sub: u as unknown as string } })}`,
      'sub in full-width digits': `Bearer ${await valid('１２３')}`,
      'sub beyond safe range': `Bearer ${await valid('9007199254740993')}`,
    };
    const before = await writes(ctx);
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await send(ctx, 'POST', `/users/${u}/balance/charge`, {
        authorization,
        body: { amount: 10 },
        headers: { 'Idempotency-Key': `refused-${u}` },
      });
      const problem = await expectProblem(res, 401, 'UNAUTHORIZED');
      expect({ name, challenge: res.headers.get('WWW-Authenticate') }).toMatchObject({
        name,
        challenge: expect.stringMatching(/^Bearer realm="users"/),
      });
      expect(problem.detail).not.toMatch(/secret|stack/i);
    }
    expect(await writes(ctx)).toEqual(before);
    // The refusals recorded no answer: the same key with a valid token runs afresh.
    const ok = await send(ctx, 'POST', `/users/${u}/balance/charge`, {
      token: good,
      body: { amount: 10 },
      headers: { 'Idempotency-Key': `refused-${u}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('when a path or body names another user than the token, then it is 403 FORBIDDEN and nothing is done', async () => {
    const me = newUserId();
    const other = newUserId();
    const token = await valid(me);
    const orderId = await placeOrder(ctx, await valid(other));
    const before = await writes(ctx);
    const cases: [string, string, unknown?][] = [
      ['GET', `/users/${other}/balance`],
      ['POST', `/users/${other}/balance/charge`, { amount: 10 }],
      ['GET', `/users/${other}/balance/history`],
      ['GET', `/users/${other}/coupons`],
      ['POST', '/orders', { userId: other, items: [{ productId, quantity: 1 }] }],
      ['POST', `/coupons/${couponId}/claims`, { userId: other }],
      ['GET', `/orders/${orderId}`],
      ['POST', `/orders/${orderId}/payment`, { userId: other }],
      ['POST', `/orders/${orderId}/payment`, {}],
      ['POST', `/orders/${orderId}/cancel`, { userId: other }],
      ['POST', `/orders/${orderId}/cancel`],
    ];
    for (const [method, path, body] of cases) {
      const res = await send(ctx, method, path, {
        token,
        body,
        headers: { 'Idempotency-Key': `forbidden-${method}-${path}` },
      });
      expect({ method, path, status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    expect(await writes(ctx)).toEqual(before);
    const order = await send(ctx, 'GET', `/orders/${orderId}`, { token: await valid(other) });
    expect(((await order.json()) as { status: string }).status).toBe('PENDING_PAYMENT');
  });

  it('when a claim or an order leaves userId out, then the token user is taken and the lane decides for that user', async () => {
    const me = newUserId();
    const token = await valid(me);
    const claim = await send(ctx, 'POST', `/coupons/${couponId}/claims`, { token });
    expect(claim.status).toBe(202);
    const outcome = await final(ctx, ((await claim.json()) as { requestId: string }).requestId, token);
    expect(outcome.status).toBe('SUCCEEDED');
    const mine = (await (await send(ctx, 'GET', `/users/${me}/coupons`, { token })).json()) as {
      items: { couponId: number }[];
    };
    expect(mine.items.map((i) => i.couponId)).toEqual([couponId]);

    const orderId = await placeOrder(ctx, token);
    const order = (await (await send(ctx, 'GET', `/orders/${orderId}`, { token })).json()) as { userId: number };
    expect(order.userId).toBe(me);
  });

  it('when the owner pays and cancels with the token alone, then the order is paid and the other cancelled', async () => {
    const me = newUserId();
    const token = await valid(me);
    expect((await send(ctx, 'POST', `/users/${me}/balance/charge`, { token, body: { amount: 5000 } })).status).toBe(
      200,
    );
    const paid = await placeOrder(ctx, token);
    const cancelled = await placeOrder(ctx, token);

    const pay = await send(ctx, 'POST', `/orders/${paid}/payment`, { token });
    expect(pay.status).toBe(200);
    expect(await pay.json()).toMatchObject({ orderId: paid, status: 'PAID', paidAmount: 1000, balance: 4000 });
    const cancel = await send(ctx, 'POST', `/orders/${cancelled}/cancel`, { token, body: {} });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ id: cancelled, userId: me, status: 'CANCELLED' });
  });

  it('when two users send the same Idempotency-Key and body, then each gets an answer of their own', async () => {
    const [a, b] = [newUserId(), newUserId()];
    const claim = async (u: number) =>
      (await (
        await send(ctx, 'POST', `/coupons/${couponId}/claims`, {
          token: await valid(u),
          body: {},
          headers: { 'Idempotency-Key': 'shared-key' },
        })
      ).json()) as { requestId: string };
    const [ra, rb] = [await claim(a), await claim(b)];
    expect(ra.requestId).not.toBe(rb.requestId);
    await final(ctx, ra.requestId, await valid(a));
    await final(ctx, rb.requestId, await valid(b));
  });
});

describe('identity mode (ES256 from a JWKS)', () => {
  let es: { signer: TokenSigner; jwks: { keys: object[] } };
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let esCtx: TestContext;
  beforeAll(async () => {
    es = await es256Signer('k1');
    jwks = await serveJwks(() => es.jwks);
    esCtx = createTestContext({
      DATABASE_URL: stack.databaseUrl,
      QUEUE_PREFIX: stack.queuePrefix,
      AUTH_JWKS_URL: jwks.url,
    });
  });
  afterAll(async () => {
    await esCtx?.close();
    await jwks?.close();
  });

  it('when tokens are signed with the JWKS key, then they are accepted and the key set is fetched once', async () => {
    for (let i = 0; i < 5; i++) {
      const u = newUserId();
      const res = await send(esCtx, 'GET', `/users/${u}/balance`, { token: await es.signer.sign(u) });
      expect(await res.json()).toEqual({ userId: u, balance: 0 });
    }
    expect(jwks.requests()).toBe(1);
  });

  it('when a token is signed by another key, with HS256 or for a key id the set lacks, then it is 401', async () => {
    const u = newUserId();
    const stranger = (await es256Signer('k1')).signer;
    const unknownKid = (await es256Signer('k9')).signer;
    for (const token of [
      await stranger.sign(u),
      await unknownKid.sign(u),
      await hs.sign(u),
      await es.signer.sign(u, { expiresInS: -60 }),
    ]) {
      const res = await send(esCtx, 'GET', `/users/${u}/balance`, { token });
      await expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="users", error="invalid_token"');
    }
  });

  it('when the JWKS cannot be fetched, then a user route answers 503 with Retry-After, not 401', async () => {
    const down = createTestContext({
      DATABASE_URL: stack.databaseUrl,
      QUEUE_PREFIX: stack.queuePrefix,
      AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks.json',
    });
    try {
      const u = newUserId();
      const res = await send(down, 'GET', `/users/${u}/balance`, { token: await es.signer.sign(u) });
      await expectProblem(res, 503, 'IDENTITY_UNAVAILABLE');
      expect(res.headers.get('Retry-After')).toBe('1');
    } finally {
      await down.close();
    }
  });
});
