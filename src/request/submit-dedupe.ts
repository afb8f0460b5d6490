// One job per client intent: how an intent is named (deduplication id, Idempotency-Key record) and
// its record (which request, made from which body). The add and the record are one script step
// (lane-append.ts), so a submit whose answer was lost (process killed, connection cut, timeout) is
// found again by its retry.
//
// Records are strings `<sequence>|<nonce>|<body hash>|<acceptedAt>` (`x|<nonce>|<hash>|` for an
// answer given at once without queueing, `<letter><key>|…` for a request a kind holds outside its
// lane under the id `<letter>-<key>-<nonce>`, such as a claim in a coupon's pre-queue, `p7|…`).
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';

export interface SubmitRecord {
  /** null for an instant answer (nothing was queued). */
  sequence: number | null;
  nonce: string;
  hash: string;
  acceptedAt: number | null;
  /** Held outside the lane: its id is `<heldAs>-<nonce>` (e.g. `p-7` for coupon 7's pre-queue). */
  heldAs?: string;
}

/** How a submit is made at most once. */
export interface Once {
  /**
   * BullMQ deduplication id. Without `dedupeTtlMs` (a claim's user and coupon) it holds while the job
   * waits or runs and is gone once it is final; with it (an order's Idempotency-Key) it holds that long.
   */
  dedupeId: string;
  dedupeTtlMs?: number | undefined;
  /** The Idempotency-Key's record, when the submit carries one. */
  key?: { recordKey: string; hash: string; ttlMs: number } | undefined;
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The key's identity within its scope (method, path and user), short enough for a Redis key. */
export const keyDigest = (scope: string, key: string) => hex(`${scope}\n${key}`).slice(0, 40);

/** The body's fingerprint: the same key with another body is refused. */
export const bodyHash = (body: unknown) => hex(JSON.stringify(body)).slice(0, 32);

export function formatRecord(r: SubmitRecord): string {
  return `${r.sequence ?? 'x'}|${r.nonce}|${r.hash}|${r.acceptedAt ?? ''}`;
}

export function parseRecord(raw: unknown): SubmitRecord | null {
  if (typeof raw !== 'string') return null;
  const [seq, nonce, hash, acceptedAt] = raw.split('|');
  if (seq === undefined || nonce === undefined || hash === undefined) return null;
  const at = acceptedAt ? Number(acceptedAt) : null;
  const held = /^([a-z])([1-9][0-9]{0,15})$/.exec(seq);
  if (held) return { sequence: null, nonce, hash, acceptedAt: at, heldAs: `${held[1]}-${held[2]}` };
  const sequence = seq === 'x' ? null : Number(seq);
  if (sequence !== null && !Number.isSafeInteger(sequence)) return null;
  return { sequence, nonce, hash, acceptedAt: at };
}

/** The Redis key of a queue's deduplication id (BullMQ's naming: `<prefix>:<queue>:de:<id>`). */
export const dedupeKey = (queue: Queue, dedupeId: string) => `${queue.keys.de}:${dedupeId}`;

/** The record of the request that holds a claim's line (waiting or running), or null. */
export async function lineHolder(queue: Queue, dedupeId: string): Promise<SubmitRecord | null> {
  const client = await queue.getBackend().client;
  const id = await client.get(dedupeKey(queue, dedupeId));
  if (!id) return null;
  const job = await queue.getJob(id);
  const data = job?.data as { nonce?: unknown; acceptedAt?: unknown } | undefined;
  if (typeof data?.nonce !== 'string') return null;
  return {
    sequence: Number(id),
    nonce: data.nonce,
    hash: '',
    acceptedAt: typeof data.acceptedAt === 'number' ? data.acceptedAt : null,
  };
}
