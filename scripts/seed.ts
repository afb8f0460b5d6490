// Demo data for a person trying the engine out: products, three users with a balance, a coupon and
// today's sales so that /products/top shows something. Safe to run again: it fills gaps, it does not
// duplicate products or coupons, and it only tops balances up to their demo amount.
import { sql } from 'kysely';
import { chargeBalance, getBalance } from '../src/balance/balance.service.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createProduct, utcDate } from '../src/product/product.service.js';

const PRODUCTS = [
  { name: 'Wireless Mouse', price: 25_000, stock: 100, soldToday: 12 },
  { name: 'Mechanical Keyboard', price: 89_000, stock: 50, soldToday: 8 },
  { name: 'USB-C Hub', price: 39_000, stock: 80, soldToday: 15 },
  { name: '27-inch Monitor', price: 329_000, stock: 20, soldToday: 3 },
  { name: 'Noise-Cancelling Headphones', price: 249_000, stock: 30, soldToday: 5 },
  { name: 'Laptop Stand', price: 45_000, stock: 60, soldToday: 6 },
  { name: 'Full HD Webcam', price: 59_000, stock: 40, soldToday: 0 },
  { name: 'Desk Lamp', price: 32_000, stock: 70, soldToday: 1 },
];

const BALANCES = [
  { userId: 1, balance: 1_000_000 },
  { userId: 2, balance: 300_000 },
  { userId: 3, balance: 50_000 },
];

const COUPON = {
  name: 'Welcome coupon: 1,000 won off',
  discount_type: 'FIXED' as const,
  discount_value: 1_000,
  min_order_amount: 0,
  total_quantity: 100,
  valid_days: 7,
};

/** Charges at most 10,000,000 at a time, as the API does, until the balance reaches its target. */
async function topUp(db: Db, userId: number, target: number): Promise<number> {
  let { balance } = await getBalance(db, userId);
  while (balance < target) {
    ({ balance } = await chargeBalance(db, userId, Math.min(target - balance, 10_000_000)));
  }
  return balance;
}

async function seed(db: Db) {
  const today = utcDate(new Date());
  const products: { id: number; name: string; price: number; stock: number; soldToday: number }[] = [];
  for (const { soldToday, ...product } of PRODUCTS) {
    const existing = await db
      .selectFrom('products')
      .select(['id', 'name', 'price', 'stock'])
      .where('name', '=', product.name)
      .orderBy('id')
      .executeTakeFirst();
    products.push({ ...(existing ?? (await createProduct(db, product))), soldToday });
  }

  const sales = products.filter((p) => p.soldToday > 0);
  await db
    .insertInto('product_sales_daily')
    .values(sales.map((p) => ({ sale_date: today, product_id: p.id, quantity: p.soldToday })))
    .onDuplicateKeyUpdate({ quantity: sql`GREATEST(quantity, VALUES(quantity))` })
    .execute();

  const balances = [];
  for (const { userId, balance } of BALANCES) balances.push({ userId, balance: await topUp(db, userId, balance) });

  let coupon = await db
    .selectFrom('coupons')
    .select(['id', 'total_quantity', 'issued_quantity'])
    .where('name', '=', COUPON.name)
    .orderBy('id')
    .executeTakeFirst();
  if (!coupon) {
    const inserted = await db
      .insertInto('coupons')
      .values({ ...COUPON, created_at: new Date() })
      .executeTakeFirstOrThrow();
    coupon = { id: Number(inserted.insertId), total_quantity: COUPON.total_quantity, issued_quantity: 0 };
  }
  return { products, balances, coupon, today };
}

const config = loadConfig();
await migrateToLatest(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL, { connectionLimit: 2 });
try {
  const { products, balances, coupon, today } = await seed(db);
  console.log(`Seeded ${new URL(config.DATABASE_URL).pathname.slice(1)}:`);
  console.log('\nProducts (sold today, %s):', today);
  console.table(products.map(({ id, name, price, stock, soldToday }) => ({ id, name, price, stock, soldToday })));
  console.log('Balances:');
  console.table(balances);
  console.log(
    `Coupon ${coupon.id}: "${COUPON.name}", FIXED ${COUPON.discount_value} won off, ` +
      `${coupon.issued_quantity}/${coupon.total_quantity} issued, valid ${COUPON.valid_days} days after claiming.`,
  );
  const base = `http://127.0.0.1:${config.PORT}`;
  console.log('\nTry:');
  console.log(`  curl ${base}/products/top`);
  console.log(`  curl ${base}/users/1/balance`);
  console.log(
    `  curl -X POST ${base}/coupons/${coupon.id}/claims -H 'Content-Type: application/json' -d '{"userId":1}'`,
  );
  console.log(`  open ${base}/docs`);
} catch (err) {
  console.error('Seeding failed:', err);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
