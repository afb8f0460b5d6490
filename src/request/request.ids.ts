// A request id names its lane and sequence, so a status lookup goes straight to the job:
// `<lane code>-<sequence>-<nonce>`, e.g. `c2-1734-k3j9x2ab0q`. The random nonce keeps ids
// unguessable and distinct even if a lane's sequence counter were ever reset. A claim waiting in a
// coupon's pre-queue has no sequence yet: `p-<couponId>-<nonce>` (src/coupon/pre-queue.ts).
import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Random bytes drawn a few KiB at a time: one system call per ~400 nonces instead of one each. */
const pool = Buffer.alloc(4096);
let used = pool.length;

export function newNonce(): string {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let out = '';
  for (let i = used; i < used + 10; i++) out += ALPHABET[(pool[i] as number) % 36];
  used += 10;
  return out;
}

export function formatRequestId(laneCode: string, sequence: number, nonce: string): string {
  return `${laneCode}-${sequence}-${nonce}`;
}

export function parseRequestId(id: string): { laneCode: string; sequence: number; nonce: string } | null {
  const match = /^([a-z][0-9]{0,3})-([1-9][0-9]{0,15})-([a-z0-9]{10})$/.exec(id);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const sequence = Number(match[2]);
  if (!Number.isSafeInteger(sequence)) return null;
  return { laneCode: match[1], sequence, nonce: match[3] };
}

/** A pre-queued claim's request id; its nonce is also the nonce of the job the draw adds. */
export const formatPreQueueRequestId = (couponId: number, nonce: string) => `p-${couponId}-${nonce}`;

export function parsePreQueueRequestId(id: string): { couponId: number; nonce: string } | null {
  const match = /^p-([1-9][0-9]{0,15})-([a-z0-9]{10})$/.exec(id);
  if (!match?.[1] || !match[2]) return null;
  const couponId = Number(match[1]);
  return Number.isSafeInteger(couponId) ? { couponId, nonce: match[2] } : null;
}
