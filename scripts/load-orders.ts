// Fires an order rush at a running system and proves it right: creates its own product(s) through the
// admin API, submits single-product orders, long-polls every request to its final state, pays a share
// of the placed orders (charging each buyer's balance first), reads orders, stock and balances back
// through the public API and checks them with the orders oracle. Prints a summary, writes a JSON and
// an HTML report, and exits 1 when the verification fails (2 on a usage or setup error).
//   npm run load:orders -- --url http://127.0.0.1:3000 --admin-token T --requests 10000 --stock 1000
import { randomInt } from 'node:crypto';
import { verifyOrders, type OrderObservation, type StoredOrderObservation } from '../src/verify/orders.oracle.js';
import type { Problem, Schemas } from '../client/index.js';
import type { RequestResource } from '../rush/request-resource.js';
import type { JsonClient } from '../rush/http.js';
import { pool } from '../rush/pool.js';
import type { SubmitRecord } from '../rush/submit.js';
import { UsageError, type ParsedArgs } from '../toolkit/args.js';
import type { ProgressBar } from '../toolkit/progress.js';
import { rushFigures } from './lib/rush-figures.js';
import { SetupError, summaryRows } from './lib/rush-report.js';
import { reportRush, runLoadScript, runRush, rushSpec, type RushContext } from './lib/rush-run.js';

const spec = rushSpec(
  'orders',
  { repeatShare: '0', name: 'orders' },
  {
    stock: { help: 'initial stock of each product', default: '1000' },
    'max-per-user': { help: "each product's per-user limit (maxPerUser); with --repeat-share it is reached" },
    products: { help: 'products in the rush (orders spread at random)', default: '1' },
    quantity: { help: 'units per order', default: '1' },
    price: { help: 'unit price in won', default: '1000' },
    'pay-share': { help: 'share of placed orders to pay (balance charged first)', default: '0.1' },
  },
);

interface OrderPlanItem {
  userId: number;
  productId: number;
  quantity: number;
}

type Product = Schemas['Product'];

function orderOptions(args: ParsedArgs) {
  const own = {
    stock: args.number('stock', { min: 0, max: 1_000_000_000 }),
    maxPerUser: args.optionalNumber('max-per-user', { min: 1, max: 1_000_000 }) ?? null,
    productCount: args.number('products', { min: 1, max: 20 }),
    quantity: args.number('quantity', { min: 1, max: 1_000 }),
    price: args.number('price', { min: 0, max: 10_000_000 }),
    payShare: args.number('pay-share', { min: 0, max: 1, fractional: true }),
  };
  if (own.price * own.quantity > 10_000_000 && own.payShare > 0) {
    throw new UsageError('--price × --quantity must be at most 10,000,000 (one balance charge) when paying');
  }
  return own;
}

async function main(
  { stock, maxPerUser, productCount, quantity, price, payShare }: ReturnType<typeof orderOptions>,
  o: RushContext,
): Promise<number> {
  const { url, requests, users } = o;
  const { client, progress } = o;
  const products: Product[] = [];
  const runTag = new Date().toISOString();
  for (let i = 0; i < productCount; i++) {
    const res = await client.post<Product>(
      '/admin/products',
      { name: `load ${runTag} #${i + 1}`, price, stock, ...(maxPerUser !== null ? { maxPerUser } : {}) },
      { authorization: `Bearer ${o.adminToken}` },
    );
    if (res.status !== 201)
      throw new SetupError(`POST /admin/products answered ${res.status}: ${JSON.stringify(res.body)}`);
    products.push(res.body);
  }
  const firstUserId = randomInt(1_000_000, 2 ** 46);
  const plan: OrderPlanItem[] = Array.from({ length: requests }, (_, i) => ({
    userId: firstUserId + (i < users ? i : randomInt(users)),
    productId: (products[randomInt(products.length)] as Product).id,
    quantity,
  }));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [plan[i], plan[j]] = [plan[j] as OrderPlanItem, plan[i] as OrderPlanItem];
  }
  console.log(
    `load:orders ${url}: ${requests} orders of ${quantity} unit(s) by ${users} users on ${productCount} product(s) of stock ${stock}${maxPerUser !== null ? `, at most ${maxPerUser} per user` : ''} (ids ${products.map((p) => p.id).join(', ')}), concurrency ${o.concurrency}${o.durationS > 0 ? `, over ${o.durationS} s` : ''}`,
  );

  const run = await runRush({
    ...o,
    plan,
    request: (item) => ({
      path: '/orders',
      body: { userId: item.userId, items: [{ productId: item.productId, quantity: item.quantity }] },
    }),
    laneOf: () => 'orders',
  });
  const { records, finals } = run;

  const observations = toOrderObservations(records, finals);
  const placed = observations.filter((r) => r.status === 'SUCCEEDED' && r.orderId !== undefined);
  const payment = await payShareOf(client, placed, products, payShare, progress);

  process.stderr.write('verifying through the public API …\n');
  const stored: StoredOrderObservation[] = [];
  await pool(placed, 50, async (r) => {
    const res = await client.get<Schemas['Order']>(`/orders/${r.orderId}`);
    if (res.status === 200) {
      stored.push({
        orderId: res.body.id,
        userId: res.body.userId,
        status: res.body.status,
        items: res.body.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
      });
    }
  });
  const productsAfter = await Promise.all(
    products.map(async (p) => {
      const res = await client.get<Product>(`/products/${p.id}`);
      if (res.status !== 200) throw new SetupError(`GET /products/${p.id} answered ${res.status}`);
      return { productId: p.id, initialStock: p.stock, stock: res.body.stock, maxPerUser: p.maxPerUser };
    }),
  );
  const oracle = verifyOrders(observations, productsAfter, stored);
  const figures = rushFigures(records, finals);
  const summary = [
    ...summaryRows(figures),
    [
      'placed',
      `${oracle.succeeded} orders (expected ${oracle.expectedSucceeded}), ${oracle.distinctWinners} distinct buyers`,
    ],
    [
      'stock',
      oracle.perProduct
        .map((p) => `product ${p.productId}: ${p.initialStock} → ${p.stock} (expected ${p.expectedStock})`)
        .join('; '),
    ],
    ['paid', `${payment.paid} of ${payment.attempted} orders chosen to pay`],
  ];
  const params = {
    stock,
    maxPerUser,
    products: productCount,
    productIds: products.map((p) => p.id),
    quantity,
    price,
    payShare,
    firstUserId,
  };
  return reportRush({
    kind: 'load:orders',
    title: 'Order rush',
    params,
    run,
    figures,
    summary,
    found: [oracle.violations, payment.violations],
    extra: { oracle: { ...oracle, violations: undefined }, payment },
    chartTitles: { timeToFinal: 'Time to final (accepted → decided)', depth: 'Order lane depth over time' },
    options: o,
  });
}

function toOrderObservations(
  records: readonly (OrderPlanItem & SubmitRecord)[],
  finals: Map<string, RequestResource>,
): OrderObservation[] {
  return records
    .filter((r) => r.requestId)
    .map((r) => {
      const f = finals.get(r.requestId as string) ?? r.resource;
      const orderId = f?.type === 'ORDER' ? f.result?.orderId : undefined;
      return {
        requestId: r.requestId as string,
        userId: r.userId,
        items: [{ productId: r.productId, quantity: r.quantity }],
        status: f?.status ?? 'UNKNOWN',
        sequence: f?.sequence ?? null,
        errorCode: f?.error?.code,
        orderId: typeof orderId === 'number' ? orderId : undefined,
        acceptedAt: f?.acceptedAt ? Date.parse(f.acceptedAt) : undefined,
      };
    });
}

/**
 * Pays a share of the placed orders: charges the buyer exactly the order's amount, pays, and checks
 * the answer and that the buyer (a fresh user) ends at balance 0. One user's orders are paid one
 * after another so their balances stay predictable.
 */
async function payShareOf(
  client: JsonClient,
  placed: OrderObservation[],
  products: Product[],
  share: number,
  progress: ProgressBar,
): Promise<{ attempted: number; paid: number; violations: string[] }> {
  const chosen = placed.filter(() => Math.random() < share);
  const priceOf = new Map(products.map((p) => [p.id, p.price]));
  const byUser = new Map<number, OrderObservation[]>();
  for (const o of chosen) byUser.set(o.userId, [...(byUser.get(o.userId) ?? []), o]);
  const violations: string[] = [];
  let paid = 0;
  await pool([...byUser.entries()], 50, async ([userId, orders]) => {
    for (const o of orders) {
      const amount = o.items.reduce((sum, i) => sum + (priceOf.get(i.productId) ?? 0) * i.quantity, 0);
      if (amount > 0) {
        const charge = await client.post(`/users/${userId}/balance/charge`, { amount });
        if (charge.status !== 200) violations.push(`charging user ${userId} answered ${charge.status}`);
      }
      const res = await client.post<Schemas['PaymentResult'] | Problem>(`/orders/${o.orderId}/payment`, { userId });
      const body = typeof res.body === 'object' && res.body !== null ? res.body : undefined;
      if (res.status !== 200 || !body || !('paidAmount' in body) || body.paidAmount !== amount) {
        const said = !body ? '' : 'code' in body ? body.code : `${body.status} paidAmount ${body.paidAmount}`;
        violations.push(`paying order ${o.orderId} answered ${res.status} ${said}, expected PAID ${amount}`);
      } else paid++;
      progress.update('paying', paid, chosen.length);
    }
    const balance = await client.get<Schemas['Balance']>(`/users/${userId}/balance`);
    if (balance.status !== 200 || balance.body.balance !== 0) {
      violations.push(`user ${userId} should have balance 0 after paying, has ${balance.body.balance}`);
    }
  });
  if (chosen.length > 0) progress.finish('paid', paid, chosen.length);
  return { attempted: chosen.length, paid, violations: violations.slice(0, 10) };
}

runLoadScript('npm run load:orders --', 'Order rush with stock and order verification.', spec, orderOptions, main);
