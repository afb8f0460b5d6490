import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, createTestContext, newUserId, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('routing and body handling', () => {
  it('when a route does not exist, then the answer is 404 problem+json with code NOT_FOUND', async () => {
    const body = await expectProblem(await ctx.app.request('/no/such/route'), 404, 'NOT_FOUND');
    expect(body.detail).toContain('/no/such/route');
  });

  it('when a known path is called with a method it does not serve, then the answer is 404 NOT_FOUND', async () => {
    const res = await ctx.app.request(`/users/${newUserId()}/balance`, { method: 'DELETE' });
    await expectProblem(res, 404, 'NOT_FOUND');
  });

  it('when a body is larger than 64 KiB, then the answer is 413 problem+json and nothing is charged', async () => {
    const userId = newUserId();
    const res = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 5, pad: 'x'.repeat(64 * 1024) });
    await expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    const balance = await ctx.app.request(`/users/${userId}/balance`);
    expect(await balance.json()).toEqual({ userId, balance: 0 });
  });

  it('when a body is just under 64 KiB, then it is accepted', async () => {
    const userId = newUserId();
    const padding = 'x'.repeat(60 * 1024);
    const res = await postJson(ctx, `/users/${userId}/balance/charge`, { amount: 5, padding });
    expect(res.status).toBe(200);
  });

  it('when the JSON body is malformed, then the answer is 400 VALIDATION_FAILED', async () => {
    const res = await postJson(ctx, `/users/${newUserId()}/balance/charge`, '{"amount": 5');
    await expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('when a field has the wrong type, then the answer is 400 VALIDATION_FAILED naming the field', async () => {
    const res = await postJson(ctx, `/users/${newUserId()}/balance/charge`, { amount: 'five' });
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.detail).toContain('amount');
    expect(body.errors?.map((e) => e.path)).toContain('json.amount');
  });

  it('when the body is not sent as JSON, then the answer is 415 problem+json', async () => {
    const res = await ctx.app.request(`/users/${newUserId()}/balance/charge`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"amount":5}',
    });
    await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('request ids', () => {
  it('when a request carries no X-Request-Id, then every kind of answer carries a fresh one', async () => {
    const answers = await Promise.all([
      ctx.app.request('/healthz'),
      ctx.app.request('/no/such/route'),
      ctx.app.request(`/users/${newUserId()}/balance`),
      postJson(ctx, `/users/${newUserId()}/balance/charge`, { amount: 1 }),
      postJson(ctx, `/users/${newUserId()}/balance/charge`, '{'),
      postJson(ctx, '/admin/products', { name: 'x', price: 1, stock: 1 }),
    ]);
    const ids = answers.map((r) => r.headers.get('X-Request-Id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a request carries an X-Request-Id, then the answer echoes it', async () => {
    const id = `test-${crypto.randomUUID()}`;
    const ok = await ctx.app.request('/healthz', { headers: { 'X-Request-Id': id } });
    expect(ok.headers.get('X-Request-Id')).toBe(id);
    const problem = await ctx.app.request('/no/such/route', { headers: { 'X-Request-Id': id } });
    expect(problem.headers.get('X-Request-Id')).toBe(id);
  });

  it('when an incoming X-Request-Id has odd characters or is too long, then a fresh one replaces it', async () => {
    for (const bad of ['has spaces and ; semicolons', 'x'.repeat(129)]) {
      const res = await ctx.app.request('/healthz', { headers: { 'X-Request-Id': bad } });
      expect(res.status).toBe(200);
      expect(res.headers.get('X-Request-Id')).toMatch(UUID);
    }
  });
});

describe('operations endpoints', () => {
  it('when /healthz is called, then it answers 200', async () => {
    const res = await ctx.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when MySQL and Redis both answer, then /readyz answers 200 naming both up', async () => {
    const res = await ctx.app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', mysql: 'up', redis: 'up' });
  });

  it('when Redis does not answer, then /readyz answers 503 naming redis', async () => {
    const broken = createTestContext({ REDIS_URL: 'redis://127.0.0.1:1' });
    broken.redis.on('error', () => undefined);
    try {
      const res = await broken.app.request('/readyz');
      const body = await expectProblem(res, 503, 'NOT_READY');
      expect(body.detail).toContain('redis');
      expect(body.detail).not.toContain('mysql');
      expect(body).toMatchObject({ mysql: 'up', redis: 'down' });
    } finally {
      await broken.close();
    }
  });

  it('when /docs is called, then it answers 200 with an HTML page', async () => {
    const res = await ctx.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<html/i);
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Operation = {
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<string, { description?: string }>;
  security?: Record<string, string[]>[];
};
type OpenApiDoc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, Json>>;
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` in the document, with the path where it was found. */
function collectRefs(node: Json, at: string, out: { at: string; ref: string }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => collectRefs(n, `${at}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

describe('OpenAPI document', () => {
  it('when /openapi.json is fetched, then it is a well-formed OpenAPI 3.1 document', async () => {
    const res = await ctx.app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const raw = (await res.json()) as Json;
    const doc = raw as unknown as OpenApiDoc;

    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);

    const problems: string[] = [];
    const operationIds = new Set<string>();
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/')) problems.push(`${path}: does not start with /`);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const where = `${method.toUpperCase()} ${path}`;
        const responses = Object.entries(op.responses ?? {});
        if (responses.length === 0) problems.push(`${where}: no responses`);
        for (const [status, response] of responses) {
          if (!/^([1-5][0-9X]{2}|default)$/.test(status)) problems.push(`${where}: bad status key ${status}`);
          if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
        }
        for (const name of templated) {
          const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
          if (!param) problems.push(`${where}: path parameter ${name} is not declared`);
          else if (param.required !== true) problems.push(`${where}: path parameter ${name} is not required`);
        }
        for (const requirement of op.security ?? []) {
          for (const scheme of Object.keys(requirement)) {
            if (!schemes.includes(scheme)) problems.push(`${where}: unknown security scheme ${scheme}`);
          }
        }
        const id = (op as { operationId?: string }).operationId;
        if (id !== undefined) {
          if (operationIds.has(id)) problems.push(`${where}: duplicate operationId ${id}`);
          operationIds.add(id);
        }
      }
    }
    const refs = collectRefs(raw, '#');
    expect(refs.length).toBeGreaterThan(0);
    for (const { at, ref } of refs) {
      if (resolvePointer(raw, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
    }
    expect(problems).toEqual([]);
  });

  it('when /openapi.json is fetched, then it lists every balance, product and admin product operation', async () => {
    const doc = (await (await ctx.app.request('/openapi.json')).json()) as OpenApiDoc;
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => HTTP_METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /users/{userId}/balance',
        'POST /users/{userId}/balance/charge',
        'GET /users/{userId}/balance/history',
        'GET /products',
        'GET /products/{productId}',
        'GET /products/top',
        'POST /admin/products',
        'PATCH /admin/products/{productId}/stock',
      ]),
    );
    const adminCreate = doc.paths['/admin/products']?.post;
    expect(adminCreate?.security).toEqual([{ adminBearer: [] }]);
    expect(Object.keys(adminCreate?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '401']));
    expect(doc.paths['/products/{productId}']?.get?.responses?.['404']).toBeDefined();
  });
});

describe('admin authentication', () => {
  const create = { name: 'unauthorised product', price: 100, stock: 1 };

  it.each([
    ['no Authorization header', {}],
    ['a wrong bearer token', { Authorization: 'Bearer not-the-token' }],
    ['the right token under another scheme', { Authorization: `Basic ${adminHeaders.Authorization.slice(7)}` }],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
  ])('when an admin route is called with %s, then it answers 401 problem+json', async (_label, headers) => {
    const before = await ctx.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', create.name)
      .executeTakeFirstOrThrow();
    const created = await postJson(ctx, '/admin/products', create, headers);
    const res401 = await expectProblem(created, 401, 'UNAUTHORIZED');
    expect(res401.detail).toEqual(expect.any(String));
    expect(created.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);

    const restock = await ctx.app.request('/admin/products/1/stock', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ delta: 5 }),
    });
    await expectProblem(restock, 401, 'UNAUTHORIZED');

    const after = await ctx.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', create.name)
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('when an admin route is called with the right bearer token, then it is served', async () => {
    const res = await postJson(
      ctx,
      '/admin/products',
      { name: `authorised ${newUserId()}`, price: 100, stock: 1 },
      {
        Authorization: adminHeaders.Authorization,
      },
    );
    expect(res.status).toBe(201);
  });
});
