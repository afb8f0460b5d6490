// Fires an order rush at a running system and proves it right: creates its own product(s) through the
// admin API, submits single-product orders, long-polls every request to its final state, pays a share
// of the placed orders (charging each buyer's balance first), reads orders, stock and balances back
// through the public API and checks them with the orders oracle. Prints a summary, writes a JSON and
// an HTML report, and exits 1 when the verification fails (2 on a usage or setup error).
//   npm run load:orders -- --url http://127.0.0.1:3000 --admin-token T --requests 10000 --stock 1000
import { randomInt } from 'node:crypto';
import { verifyOrders, type OrderObservation, type StoredOrderObservation } from '../src/verify/orders.oracle.js';
import type { Schemas } from '../client/index.js';
import type { RequestResource } from '../rush/request-resource.js';
import { pool } from '../rush/pool.js';
import type { SubmitRecord } from '../rush/submit.js';
import { UsageError, type ParsedArgs } from '../toolkit/args.js';
import { rushFigures } from './lib/rush-figures.js';
import { SetupError, summaryRows } from './lib/rush-report.js';
import { payShareOf } from './lib/pay-orders.js';
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

type OrderOptions = ReturnType<typeof orderOptions>;

async function main(opts: OrderOptions, o: RushContext): Promise<number> {
  const { url, requests, users } = o;
  const { stock, maxPerUser, productCount, quantity } = opts;
  const products = await createProducts(o, opts);
  const firstUserId = randomInt(1_000_000, 2 ** 46);
  const plan = orderPlan(requests, users, firstUserId, products, quantity);
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
  const observations = toOrderObservations(run.records, run.finals);
  const placed = observations.filter((r) => r.status === 'SUCCEEDED' && r.orderId !== undefined);
  const payment = await payShareOf(o.client, placed, products, opts.payShare, o.progress);
  process.stderr.write('verifying through the public API …\n');
  const oracle = verifyOrders(observations, await productsAfter(o, products), await storedOrders(o, placed));
  const figures = rushFigures(run.records, run.finals);
  return reportRush({
    kind: 'load:orders',
    title: 'Order rush',
    params: paramsOf(opts, products, firstUserId),
    run,
    figures,
    summary: [
      ...summaryRows(figures),
      ...oracleRows(oracle),
      ['paid', `${payment.paid} of ${payment.attempted} orders chosen to pay`],
    ],
    found: [oracle.violations, payment.violations],
    extra: { oracle: { ...oracle, violations: undefined }, payment },
    chartTitles: { timeToFinal: 'Time to final (accepted → decided)', depth: 'Order lane depth over time' },
    options: o,
  });
}

const paramsOf = (opts: OrderOptions, products: Product[], firstUserId: number) => {
  const { stock, maxPerUser, productCount, quantity, price, payShare } = opts;
  const productIds = products.map((p) => p.id);
  return { stock, maxPerUser, products: productCount, productIds, quantity, price, payShare, firstUserId };
};

/** The rush's products, created through the admin API. */
async function createProducts(o: RushContext, opts: OrderOptions): Promise<Product[]> {
  const { price, stock, maxPerUser } = opts;
  const products: Product[] = [];
  const runTag = new Date().toISOString();
  for (let i = 0; i < opts.productCount; i++) {
    const res = await o.client.post<Product>(
      '/admin/products',
      { name: `load ${runTag} #${i + 1}`, price, stock, ...(maxPerUser !== null ? { maxPerUser } : {}) },
      { authorization: `Bearer ${o.adminToken}` },
    );
    if (res.status !== 201)
      throw new SetupError(`POST /admin/products answered ${res.status}: ${JSON.stringify(res.body)}`);
    products.push(res.body);
  }
  return products;
}

/** `requests` orders by `users` distinct users (the rest repeats) over the products, shuffled. */
function orderPlan(
  requests: number,
  users: number,
  firstUserId: number,
  products: Product[],
  quantity: number,
): OrderPlanItem[] {
  const plan: OrderPlanItem[] = Array.from({ length: requests }, (_, i) => ({
    userId: firstUserId + (i < users ? i : randomInt(users)),
    productId: (products[randomInt(products.length)] as Product).id,
    quantity,
  }));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [plan[i], plan[j]] = [plan[j] as OrderPlanItem, plan[i] as OrderPlanItem];
  }
  return plan;
}

/** The placed orders as the public API shows them now. */
async function storedOrders(o: RushContext, placed: OrderObservation[]): Promise<StoredOrderObservation[]> {
  const stored: StoredOrderObservation[] = [];
  await pool(placed, 50, async (r) => {
    const res = await o.client.get<Schemas['Order']>(`/orders/${r.orderId}`);
    if (res.status === 200) {
      stored.push({
        orderId: res.body.id,
        userId: res.body.userId,
        status: res.body.status,
        items: res.body.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
      });
    }
  });
  return stored;
}

/** Each product's stock now, beside what it started with. */
function productsAfter(o: RushContext, products: Product[]) {
  return Promise.all(
    products.map(async (p) => {
      const res = await o.client.get<Product>(`/products/${p.id}`);
      if (res.status !== 200) throw new SetupError(`GET /products/${p.id} answered ${res.status}`);
      return { productId: p.id, initialStock: p.stock, stock: res.body.stock, maxPerUser: p.maxPerUser };
    }),
  );
}

function oracleRows(oracle: ReturnType<typeof verifyOrders>): string[][] {
  return [
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
  ];
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

runLoadScript('npm run load:orders --', 'Order rush with stock and order verification.', spec, orderOptions, main);
