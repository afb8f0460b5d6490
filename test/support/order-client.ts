// A small HTTP client for order tests against a running API: admin products, balances, orders, polls.
import { ADMIN_TOKEN } from './context.js';

export interface Resource {
  requestId: string;
  status: string;
  sequence: number;
  result?: { orderId: number };
  error?: { code: string };
}

export function orderClient(url: string) {
  const call = async (method: string, path: string, body?: unknown, admin = false) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(admin ? { Authorization: `Bearer ${ADMIN_TOKEN}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { code?: string } };
  };
  return {
    call,
    product: async (stock: number, price = 1000, extra: { maxPerUser?: number } = {}) =>
      (await call('POST', '/admin/products', { name: `p${Math.random()}`, price, stock, ...extra }, true)).body
        .id as number,
    stock: async (id: number) => (await call('GET', `/products/${id}`)).body.stock as number,
    charge: (userId: number, amount: number) => call('POST', `/users/${userId}/balance/charge`, { amount }),
    balance: async (userId: number) => (await call('GET', `/users/${userId}/balance`)).body.balance as number,
    final: async (requestId: string): Promise<Resource> => {
      for (;;) {
        const r = (await call('GET', `/requests/${requestId}?waitMs=5000`)).body as unknown as Resource;
        if (!['QUEUED', 'PROCESSING'].includes(r.status)) return r;
      }
    },
    order: async (body: unknown): Promise<Resource> => {
      const res = await call('POST', '/orders', body);
      if (res.status !== 202) throw new Error(`POST /orders answered ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as unknown as Resource;
    },
    placed: async function (body: unknown): Promise<Resource> {
      return this.final((await this.order(body)).requestId);
    },
  };
}

/** Polls `check` every 200 ms until it holds or `timeoutMs` passed; whether it held. */
export const eventually = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};
