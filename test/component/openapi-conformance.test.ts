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
