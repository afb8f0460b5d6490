// The order rush of the comparison, engine against the naive design: one product, one single-unit
// order per user, fired at one design; its figures and the orders oracle's verdict over the database.
import { insertProduct } from '../../src/product/product.repository.js';
import { verifyOrders, type OrderObservation, type StoredOrderObservation } from '../../src/verify/orders.oracle.js';
import { isolated, type Isolated } from '../lib/stack.js';
import { LABEL, type BenchContext } from './designs.js';
import { figures, type RushResult } from './figures.js';
import { fireRush, oncePerRequest, verdict, type Finalised, type RushSetup } from './rush.js';

/** `userIds` holds the user of each order, in the order they are sent. */
export async function orderRush(
  ctx: BenchContext,
  design: 'engine' | 'naive',
  userIds: number[],
  stock: number,
  connections: number,
): Promise<RushResult> {
  console.log(`${LABEL[design]}: orders`);
  const iso = await isolated(ctx.config.DATABASE_URL, ctx.config.REDIS_URL, `${design}o`);
  const productId = await insertProduct(iso.db, { name: 'bench', price: 1000, stock });
  const warmId = await insertProduct(iso.db, { name: 'warm-up', price: 1000, stock: 100 });
  const setup: RushSetup = { design, iso, connections, children: [] };
  try {
    const { results, cpu, rows } = await fireRush(
      ctx,
      setup,
      Array.from({ length: 400 }, (_, i) => ({
        path: '/orders',
        body: { userId: 1 + i, items: [{ productId: warmId, quantity: 1 }] },
      })),
      userIds.map((userId) => ({ path: '/orders', body: { userId, items: [{ productId, quantity: 1 }] } })),
    );
    const product = await iso.db
      .selectFrom('products')
      .select('stock')
      .where('id', '=', productId)
      .executeTakeFirstOrThrow();
    const oracle = verifyOrders(
      observations(rows, userIds, productId),
      [{ productId, initialStock: stock, stock: product.stock }],
      await storedOrders(iso, productId),
    );
    return { ...figures(design, 'orders', rows), ...cpu, ...verdict(results, oracle.violations) };
  } finally {
    await Promise.all(setup.children.map((c) => c.stop()));
    await iso.close();
  }
}

function observations(rows: Finalised[], userIds: number[], productId: number): OrderObservation[] {
  return oncePerRequest(
    rows
      .map((f, i) => ({ f, userId: userIds[i] as number }))
      .filter(({ f }) => f.result.requestId)
      .map(({ f, userId }) => ({
        requestId: f.result.requestId as string,
        userId,
        items: [{ productId, quantity: 1 }],
        status: f.status,
        sequence: f.sequence,
        errorCode: f.errorCode,
        orderId: typeof f.resultBody?.orderId === 'number' ? f.resultBody.orderId : undefined,
        acceptedAt: f.result.resource?.acceptedAt ? Date.parse(f.result.resource.acceptedAt) : undefined,
      })),
  );
}

/** Every order of the product the database holds after the rush. */
async function storedOrders(iso: Isolated, productId: number): Promise<StoredOrderObservation[]> {
  const rows = await iso.db
    .selectFrom('orders as o')
    .innerJoin('order_items as i', 'i.order_id', 'o.id')
    .select(['o.id', 'o.user_id', 'o.status', 'i.product_id', 'i.quantity'])
    .where('i.product_id', '=', productId)
    .execute();
  return rows.map((r) => ({
    orderId: r.id,
    userId: r.user_id,
    status: r.status,
    items: [{ productId: r.product_id, quantity: r.quantity }],
  }));
}
