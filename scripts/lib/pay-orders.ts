// The payment step of an order rush: a share of the placed orders charged and paid through the
// public API, each answer and each buyer's final balance checked.
import type { Problem, Schemas } from '../../client/index.js';
import type { JsonClient } from '../../rush/http.js';
import { pool } from '../../rush/pool.js';
import type { OrderObservation } from '../../src/verify/orders.oracle.js';
import type { ProgressBar } from '../../toolkit/progress.js';

/**
 * Pays a share of the placed orders: charges the buyer exactly the order's amount, pays, and checks
 * the answer and that the buyer (a fresh user) ends at balance 0. One user's orders are paid one
 * after another so their balances stay predictable.
 */
export async function payShareOf(
  client: JsonClient,
  placed: OrderObservation[],
  products: Schemas['Product'][],
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
