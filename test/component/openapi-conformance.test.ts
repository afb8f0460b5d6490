// The check that holds every component test's answers to the OpenAPI document (wired into
// test/support/context.ts) must be able to fail: answers that break the document in one way each
// are refused, and real answers pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { OpenApiConformance } from '../support/openapi-conformance.js';

let ctx: TestContext;
let conformance: OpenApiConformance;
beforeAll(async () => {
  ctx = createTestContext();
  conformance = new OpenApiConformance(
    (await (await ctx.app.request('/openapi.json')).json()) as Record<string, unknown>,
  );
});
afterAll(() => ctx.close());

const url = (path: string) => new URL(path, 'http://localhost');
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1', ...headers },
  });
const product = { id: 1, name: 'Tea', price: 5000, stock: 10, maxPerUser: null };
const problem = (status: number, code: string) => ({ type: 'about:blank', title: 't', status, detail: 'd', code });

describe('OpenAPI conformance check', () => {
  it('when an answer matches the document, then it has no violation', async () => {
    const checked = await conformance.check('GET', url('/products/1'), answer(200, product));
    expect(checked).toEqual({ operationId: 'getProduct', violations: [] });
  });

  it.each([
    ['a status the operation does not declare', answer(418, product), /status not declared/],
    [
      'a body without a required field',
      answer(200, { id: 1, name: 'Tea', price: 5000, maxPerUser: null }),
      /required property 'stock'/,
    ],
    ['a field of the wrong type', answer(200, { ...product, price: '5000' }), /body\/price must be integer/],
    [
      'no X-Request-Id',
      new Response(JSON.stringify(product), { headers: { 'Content-Type': 'application/json' } }),
      /X-Request-Id missing/,
    ],
    [
      'a Content-Type it does not declare',
      answer(200, product, { 'Content-Type': 'text/plain' }),
      /Content-Type text\/plain/,
    ],
    [
      'a problem code this answer does not list',
      answer(404, problem(404, 'SOLD_OUT'), { 'Content-Type': 'application/problem+json' }),
      /body\/code must be equal to one of the allowed values/,
    ],
  ])('when an answer has %s, then it is a violation', async (_label, res, expected) => {
    const { violations } = await conformance.check('GET', url('/products/1'), res);
    expect(violations.join('\n')).toMatch(expected);
  });

  const claim = {
    requestId: 'c0-1-abcdefghij',
    type: 'COUPON_CLAIM',
    status: 'REJECTED',
    sequence: 1,
    error: { code: 'SOLD_OUT', message: 'All coupons have been issued' },
    acceptedAt: '2026-12-01T08:00:00.000Z',
    finishedAt: '2026-12-01T08:00:01.000Z',
  };
  it.each([
    [
      'a timestamp that is not date-time',
      { ...claim, acceptedAt: 'yesterday' },
      /acceptedAt must match format "date-time"/,
    ],
    [
      'a REJECTED code of orders',
      { ...claim, error: { code: 'INSUFFICIENT_STOCK', message: 'x' } },
      /error\/code must be equal to one of the allowed values/,
    ],
    [
      'a result of the wrong shape',
      { ...claim, status: 'SUCCEEDED', error: undefined, result: { couponId: 'x' } },
      /result/,
    ],
  ])('when a queued request carries %s, then it is a violation', async (_label, resource, expected) => {
    expect((await conformance.check('GET', url('/requests/c0-1-abcdefghij'), answer(200, claim))).violations).toEqual(
      [],
    );
    const { violations } = await conformance.check('GET', url('/requests/c0-1-abcdefghij'), answer(200, resource));
    expect(violations.join('\n')).toMatch(expected);
  });

  it('when real answers are checked, then they conform and name their operations', async () => {
    const userId = newUserId();
    const created = await postJson(ctx, '/admin/products', { name: 'conformance', price: 10, stock: 1 }, adminHeaders);
    const checks = [
      await conformance.check('POST', url('/admin/products'), created),
      await conformance.check(
        'GET',
        url(`/users/${userId}/balance`),
        await ctx.app.request(`/users/${userId}/balance`),
      ),
      await conformance.check('GET', url('/products/0'), await ctx.app.request('/products/0')),
    ];
    expect(checks.map((c) => c.operationId)).toEqual(['createProduct', 'getBalance', 'getProduct']);
    expect(checks.flatMap((c) => c.violations)).toEqual([]);
  });
});

type Op = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { $ref?: string; name?: string; in?: string; schema?: Record<string, unknown> }[];
  requestBody?: unknown;
  responses: Record<string, { headers?: Record<string, unknown>; description: string }>;
};

describe('OpenAPI document', () => {
  it('when it is read, then every operation says who may call it and every answer the headers clients rely on', async () => {
    const doc = (await (await ctx.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Op>>;
    };
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.operationId || !op.summary || op.tags?.length !== 1 || !Array.isArray(op.security)) {
          problems.push(`${where}: operationId, summary, one tag and security are required`);
        }
        if (!op.parameters?.some((p) => p.$ref === '#/components/parameters/X-Request-Id')) {
          problems.push(`${where}: no X-Request-Id request header`);
        }
        if (method === 'post' && !op.parameters?.some((p) => p.$ref === '#/components/parameters/Idempotency-Key')) {
          problems.push(`${where}: no Idempotency-Key`);
        }
        if (op.requestBody && !['400', '413', '415'].every((s) => s in op.responses)) {
          problems.push(`${where}: a body but not 400, 413 and 415`);
        }
        for (const p of op.parameters ?? []) {
          if (p.schema?.type === 'integer' && typeof p.schema.example !== 'number') {
            problems.push(`${where}: integer parameter ${p.name} with a non-integer example`);
          }
        }
        for (const [status, response] of Object.entries(op.responses)) {
          const headers = Object.keys(response.headers ?? {});
          if (!headers.includes('X-Request-Id')) problems.push(`${where} ${status}: no X-Request-Id`);
          if (status === '202' && !headers.includes('Location')) problems.push(`${where} 202: no Location`);
          const retry = status === '429' || response.description.includes('SERVICE_UNAVAILABLE');
          if (retry && !headers.includes('Retry-After')) problems.push(`${where} ${status}: no Retry-After`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(doc.paths['/requests/{requestId}']?.get?.responses['200']?.headers).toHaveProperty('Retry-After');
    expect(Object.keys(doc.paths['/orders/{orderId}/cancel']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['413', '415', '422']),
    );
    expect(Object.keys(doc.paths['/admin/products/{productId}/stock']?.patch?.responses ?? {})).toContain('413');
  });

  it('when it is read, then the input limits of the contract are in the schemas', async () => {
    const doc = (await (await ctx.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    };
    const param = (path: string, name: string) =>
      doc.paths[path]?.get?.parameters?.find((p) => p.name === name)?.schema ?? {};
    expect(param('/products/top', 'days')).toMatchObject({ minimum: 1, maximum: 30, default: 3 });
    expect(param('/products/top', 'limit')).toMatchObject({ minimum: 1, maximum: 50, default: 5 });
    expect(param('/products', 'limit')).toMatchObject({ minimum: 1, maximum: 100 });
    expect(param('/requests/{requestId}', 'waitMs')).toMatchObject({ maximum: 10_000 });
    expect(param('/orders/{orderId}', 'orderId')).toMatchObject({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
    const schemas = doc.components.schemas;
    expect(schemas.NewPercentCoupon?.properties?.discountValue).toMatchObject({ minimum: 1, maximum: 100 });
    expect(schemas.NewOrder?.properties?.items).toMatchObject({ minItems: 1, maxItems: 20 });
    expect(schemas.Order?.properties?.createdAt).toMatchObject({ format: 'date-time' });
    expect(schemas.CouponClaimError?.properties?.code?.enum).toEqual(
      expect.arrayContaining(['SOLD_OUT', 'ALREADY_ISSUED', 'COUPON_NOT_FOUND', 'CLAIM_WINDOW_CLOSED']),
    );
    expect(schemas.OrderError?.properties?.code?.enum).toEqual(
      expect.arrayContaining([
        'PRODUCT_NOT_FOUND',
        'INSUFFICIENT_STOCK',
        'COUPON_NOT_USABLE',
        'PURCHASE_LIMIT_EXCEEDED',
      ]),
    );
    expect(schemas.ErrorCode).toMatchObject({
      enum: expect.arrayContaining(['RATE_LIMITED', 'IDEMPOTENCY_KEY_IN_PROGRESS', 'OVERLOADED', 'VALIDATION_FAILED']),
    });
    const claim = doc.paths['/coupons/{couponId}/claims']?.post?.responses ?? {};
    expect(claim['429']?.description).toContain('RATE_LIMITED');
    expect(claim['409']?.description).toContain('IDEMPOTENCY_KEY_IN_PROGRESS');
    expect(claim['503']?.description).toContain('OVERLOADED');
    expect(schemas.OrderResult?.properties).toHaveProperty('orderId');
    expect(schemas.CouponClaimResult?.properties).toHaveProperty('userCouponId');
  });
});
