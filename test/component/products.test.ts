// Products, admin product routes and the top-sellers ranking. Other test files share the database, so
// ranking checks either use sale dates far in the past with a fixed `now`, or quantities large enough
// to lead any ranking, and always name their own products.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopProducts, utcDate } from '../../src/product/product.service.js';
import { adminHeaders, createTestContext, postJson, type TestContext } from '../support/context.js';
import { expectProblem } from '../support/problem.js';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

interface Product {
  id: number;
  name: string;
  price: number;
  stock: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const uniqueName = (label: string) => `${label} ${crypto.randomUUID()}`;

async function createProduct(label: string, price = 1000, stock = 10): Promise<Product> {
  const res = await postJson(ctx, '/admin/products', { name: uniqueName(label), price, stock }, adminHeaders);
  expect(res.status).toBe(201);
  return (await res.json()) as Product;
}

async function restock(id: number, delta: unknown): Promise<Response> {
  return ctx.app.request(`/admin/products/${id}/stock`, {
    method: 'PATCH',
    headers: adminHeaders,
    body: JSON.stringify({ delta }),
  });
}

async function recordSales(rows: [product: Product, date: string, quantity: number][]) {
  await ctx.db
    .insertInto('product_sales_daily')
    .values(rows.map(([p, date, quantity]) => ({ product_id: p.id, sale_date: date, quantity })))
    .execute();
}

describe('admin products', () => {
  it('when an admin creates a product, then it answers 201 with it and it can be fetched', async () => {
    const name = uniqueName('Keyboard');
    const res = await postJson(ctx, '/admin/products', { name, price: 45_000, stock: 12 }, adminHeaders);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Product;
    expect(created).toEqual({ id: expect.any(Number), name, price: 45_000, stock: 12, maxPerUser: null });
    expect(Number.isSafeInteger(created.id) && created.id > 0).toBe(true);

    const fetched = await ctx.app.request(`/products/${created.id}`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(created);
  });

  it('when a product is created with maxPerUser and the limit is changed or lifted, then it shows each time', async () => {
    const res = await postJson(
      ctx,
      '/admin/products',
      { name: uniqueName('Limited'), price: 10, stock: 5, maxPerUser: 2 },
      adminHeaders,
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as Product;
    expect(created).toMatchObject({ stock: 5, maxPerUser: 2 });
    const patch = (maxPerUser: number | null) =>
      ctx.app.request(`/admin/products/${created.id}`, {
        method: 'PATCH',
        headers: adminHeaders,
        body: JSON.stringify({ maxPerUser }),
      });
    for (const limit of [3, 3, null]) {
      const changed = await patch(limit);
      expect(changed.status).toBe(200);
      expect(await changed.json()).toEqual({ ...created, maxPerUser: limit });
    }
    expect(await (await ctx.app.request(`/products/${created.id}`)).json()).toEqual({ ...created, maxPerUser: null });
  });

  it('when a name has surrounding blanks, then they are trimmed', async () => {
    const name = uniqueName('Mouse');
    const res = await postJson(ctx, '/admin/products', { name: `  ${name}  `, price: 0, stock: 0 }, adminHeaders);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name, price: 0, stock: 0 });
  });

  it('when a product does not exist, then GET answers 404 PRODUCT_NOT_FOUND', async () => {
    await expectProblem(await ctx.app.request(`/products/${Number.MAX_SAFE_INTEGER}`), 404, 'PRODUCT_NOT_FOUND');
  });

  it('when stock is added and removed, then the product shows the new stock each time', async () => {
    const product = await createProduct('Restocked', 1000, 10);
    const up = await restock(product.id, 5);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ...product, stock: 15 });

    const down = await restock(product.id, -15);
    expect(down.status).toBe(200);
    expect(await down.json()).toEqual({ ...product, stock: 0 });
    expect(await (await ctx.app.request(`/products/${product.id}`)).json()).toEqual({ ...product, stock: 0 });
  });

  it('when a restock would take stock below zero, then it answers 409 INSUFFICIENT_STOCK and stock stays', async () => {
    const product = await createProduct('Scarce', 1000, 3);
    await expectProblem(await restock(product.id, -4), 409, 'INSUFFICIENT_STOCK');
    expect(await (await ctx.app.request(`/products/${product.id}`)).json()).toEqual(product);
  });

  it('when an unknown product is restocked, then it answers 404 PRODUCT_NOT_FOUND', async () => {
    await expectProblem(await restock(Number.MAX_SAFE_INTEGER, 5), 404, 'PRODUCT_NOT_FOUND');
    await expectProblem(await restock(Number.MAX_SAFE_INTEGER, -5), 404, 'PRODUCT_NOT_FOUND');
  });

  it('when many restocks of -1 run in parallel, then stock never goes below zero', async () => {
    const product = await createProduct('Contended', 1000, 5);
    const answers = await Promise.all(Array.from({ length: 12 }, () => restock(product.id, -1)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(7).fill(409)]);
    expect(await (await ctx.app.request(`/products/${product.id}`)).json()).toMatchObject({ stock: 0 });
  });
});

describe('product list', () => {
  it('when products are listed page by page, then every product appears once, in id order', async () => {
    const mine = [await createProduct('Listed A'), await createProduct('Listed B'), await createProduct('Listed C')];
    const seen: Product[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await ctx.app.request(`/products${query}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Product[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10_000);

    const ids = seen.map((p) => p.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of mine) expect(seen).toContainEqual(p);
  });

  it('when no limit is given, then a page holds at most 20 products', async () => {
    const res = await ctx.app.request('/products');
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Product[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(20);
    if (page.nextCursor !== null) expect(page.items).toHaveLength(20);
  });
});

describe('top sellers (service, fixed clock)', () => {
  it('when products sold in the window, then they rank by quantity, ties by lower id, with current data', async () => {
    const [a, b, c, d, e] = [
      await createProduct('Top A', 100, 1),
      await createProduct('Top B', 200, 2),
      await createProduct('Top C', 300, 3),
      await createProduct('Top D', 400, 4),
      await createProduct('Top E', 500, 5),
    ];
    const now = new Date('2001-03-10T12:00:00.000Z');
    await recordSales([
      [a, '2001-03-10', 5],
      [a, '2001-03-08', 5],
      [b, '2001-03-09', 10],
      [c, '2001-03-07', 100],
      [c, '2001-03-10', 1],
      [d, '2001-03-11', 1000],
      [e, '2001-03-10', 7],
    ]);
    const restocked = await restock(e.id, 10);
    expect(restocked.status).toBe(200);

    const top = await getTopProducts(ctx.db, 3, 50, now);
    expect(top.from).toBe('2001-03-08T00:00:00.000Z');
    expect(top.to).toBe(now.toISOString());
    expect(top.items).toEqual([
      { rank: 1, productId: a.id, name: a.name, price: 100, stock: 1, soldQuantity: 10 },
      { rank: 2, productId: b.id, name: b.name, price: 200, stock: 2, soldQuantity: 10 },
      { rank: 3, productId: e.id, name: e.name, price: 500, stock: 15, soldQuantity: 7 },
      { rank: 4, productId: c.id, name: c.name, price: 300, stock: 3, soldQuantity: 1 },
    ]);

    const limited = await getTopProducts(ctx.db, 3, 2, now);
    expect(limited.items.map((i) => [i.rank, i.productId])).toEqual([
      [1, a.id],
      [2, b.id],
    ]);
  });

  it('when `now` is just after or just before midnight, then the window is today and the two previous UTC days', async () => {
    const [today, twoDaysAgo, threeDaysAgo, tomorrow] = [
      await createProduct('Edge today'),
      await createProduct('Edge two days ago'),
      await createProduct('Edge three days ago'),
      await createProduct('Edge tomorrow'),
    ];
    await recordSales([
      [today, '2002-01-10', 1],
      [twoDaysAgo, '2002-01-08', 2],
      [threeDaysAgo, '2002-01-07', 3],
      [tomorrow, '2002-01-11', 4],
    ]);
    for (const now of [new Date('2002-01-10T00:00:00.001Z'), new Date('2002-01-10T23:59:59.999Z')]) {
      const top = await getTopProducts(ctx.db, 3, 50, now);
      expect(top.from).toBe('2002-01-08T00:00:00.000Z');
      expect(top.items.map((i) => [i.productId, i.soldQuantity])).toEqual([
        [twoDaysAgo.id, 2],
        [today.id, 1],
      ]);
      expect((await getTopProducts(ctx.db, 1, 50, now)).items.map((i) => i.productId)).toEqual([today.id]);
      expect((await getTopProducts(ctx.db, 4, 50, now)).items.map((i) => i.productId)).toEqual([
        threeDaysAgo.id,
        twoDaysAgo.id,
        today.id,
      ]);
    }
  });

  it('when nothing sold in the window, then the ranking is empty', async () => {
    const top = await getTopProducts(ctx.db, 30, 50, new Date('1999-06-15T12:00:00.000Z'));
    expect(top).toEqual({ from: '1999-05-17T00:00:00.000Z', to: '1999-06-15T12:00:00.000Z', items: [] });
  });
});

describe('top sellers (HTTP)', () => {
  it('when products sold today and yesterday in large numbers, then /products/top ranks them first by default', async () => {
    const [lead, second, old] = [
      await createProduct('Bestseller'),
      await createProduct('Runner-up'),
      await createProduct('Old hit'),
    ];
    const now = Date.now();
    // A quantity far beyond anything other tests sell keeps these two at the top of the shared ranking.
    const big = 1_000_000_000_000;
    await recordSales([
      [lead, utcDate(new Date(now)), big],
      [lead, utcDate(new Date(now - DAY_MS)), big],
      [second, utcDate(new Date(now - DAY_MS)), big],
      [old, utcDate(new Date(now - 3 * DAY_MS)), 100 * big],
    ]);

    const res = await ctx.app.request('/products/top');
    expect(res.status).toBe(200);
    const top = (await res.json()) as {
      from: string;
      to: string;
      items: { rank: number; productId: number; name: string; soldQuantity: number }[];
    };
    expect(top.items.length).toBeLessThanOrEqual(5);
    expect(top.items.slice(0, 2)).toEqual([
      { rank: 1, productId: lead.id, name: lead.name, price: 1000, stock: 10, soldQuantity: 2 * big },
      { rank: 2, productId: second.id, name: second.name, price: 1000, stock: 10, soldQuantity: big },
    ]);
    expect(top.items.map((i) => i.productId)).not.toContain(old.id);
    expect(top.from).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    expect(Date.parse(top.to)).toBeGreaterThanOrEqual(now);

    const one = (await (await ctx.app.request('/products/top?limit=1')).json()) as typeof top;
    expect(one.items.map((i) => i.productId)).toEqual([lead.id]);

    const wide = (await (await ctx.app.request('/products/top?days=5&limit=50')).json()) as typeof top;
    expect(wide.items[0]).toMatchObject({ rank: 1, productId: old.id, soldQuantity: 100 * big });
  });
});
