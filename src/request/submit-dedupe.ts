// One job per client intent, decided in the same Redis transaction as the add. BullMQ's
// deduplication makes an add return the job that already holds its deduplication id instead of
// adding another; a small script in the same MULTI/EXEC then reads or writes the intent's record
// (which request, made from which body). Nothing can happen between the add and the record, so a
// submit whose answer was lost (process killed, connection cut, timeout) is found again by its retry.
//
// Records are strings `<sequence>|<nonce>|<body hash>|<acceptedAt>` (`x|<nonce>|<hash>|` for an
// answer given at once without queueing, `p<couponId>|…` for a claim taken into a pre-queue).
import { createHash } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';

export interface SubmitRecord {
  /** null for an instant answer (nothing was queued). */
  sequence: number | null;
  nonce: string;
  hash: string;
  acceptedAt: number | null;
  /** The coupon whose pre-queue took the request (its id is then `p-<couponId>-<nonce>`). */
  preQueue?: number;
}

/** How a submit is made at most once. */
export interface Once {
  /**
   * BullMQ deduplication id. Without `dedupeTtlMs` (a claim's user and coupon) it holds while the job
   * waits or runs and is gone once it is final; with it (an order's Idempotency-Key) it holds that long.
   */
  dedupeId: string;
  dedupeTtlMs?: number;
  /** The Idempotency-Key's record, when the submit carries one. */
  key?: { recordKey: string; hash: string; ttlMs: number };
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
  if (seq.startsWith('p')) {
    const preQueue = Number(seq.slice(1));
    return Number.isSafeInteger(preQueue) ? { sequence: null, nonce, hash, acceptedAt: at, preQueue } : null;
  }
  const sequence = seq === 'x' ? null : Number(seq);
  if (sequence !== null && !Number.isSafeInteger(sequence)) return null;
  return { sequence, nonce, hash, acceptedAt: at };
}

/** The Redis key of a queue's deduplication id (BullMQ's naming: `<prefix>:<queue>:de:<id>`). */
export const dedupeKey = (queue: Queue, dedupeId: string) => `${queue.keys.de}:${dedupeId}`;

// Before a claim's add: a keyed retry whose request is already final would not be deduplicated by
// its user's line (that ends when the request is final), so point the line at the recorded request
// for the length of this transaction; the script after the add removes it again.
const REARM = `
local rec = redis.call('GET', KEYS[1])
if rec and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], string.match(rec, '^[^|]+'), 'PX', 10000)
end
return 0`;

// BullMQ's add takes the next sequence (INCR of the queue's id counter) before it deduplicates. When
// it deduplicated, no job holds that number (nothing else ran inside this transaction), so it is given
// back: a repeat takes no sequence and positions stay exact. KEYS[2] is the counter, ARGV[1] the job
// key prefix.
const GIVE_BACK = `
local top = redis.call('GET', KEYS[2])
if top and redis.call('EXISTS', ARGV[1] .. top) == 0 then redis.call('DECR', KEYS[2]) end
`;

// After a claim's add: the record of the request that holds the user's line (ours if the add was
// new), written for the Idempotency-Key when there is one. A line key with a TTL can only be ours
// from REARM (BullMQ's keys without a TTL have none), so it goes.
const LINE_RECORD = `${GIVE_BACK}
local rec = KEYS[3] and redis.call('GET', KEYS[3])
if rec then
  if redis.call('PTTL', KEYS[1]) > 0 then redis.call('DEL', KEYS[1]) end
  return rec
end
local id = redis.call('GET', KEYS[1])
if not id then return false end
local raw = redis.call('HGET', ARGV[1] .. id, 'data')
if not raw then return false end
local data = cjson.decode(raw)
local v = id .. '|' .. tostring(data.nonce) .. '|' .. ARGV[2] .. '|' .. string.format('%d', data.acceptedAt)
if KEYS[3] then redis.call('SET', KEYS[3], v, 'PX', ARGV[3]) end
return v`;

// After an order's add: its deduplication key is the record. Stamping it with nonce, hash and time
// also keeps it when BullMQ removes the finished job (removal deletes the key only while it still
// holds the bare job id), so it lasts its full TTL.
const STAMP = `${GIVE_BACK}
local v = redis.call('GET', KEYS[1])
if not v then return false end
if not string.find(v, '|', 1, true) then
  v = v .. '|' .. ARGV[2]
  redis.call('SET', KEYS[1], v, 'KEEPTTL')
end
return v`;

// The scripts as commands of the client: sent as EVALSHA, so Redis neither receives nor hashes their
// text on every add (ioredis sends the text once per connection).
// LINE_RECORD has a third key (the Idempotency-Key's record) only when the submit carries a key.
const SCRIPTS = {
  ceRearm: { lua: REARM, numberOfKeys: 2 },
  ceStamp: { lua: STAMP, numberOfKeys: 2 },
  ceLineRecord: { lua: LINE_RECORD, numberOfKeys: 3 },
  ceLineHolder: { lua: LINE_RECORD, numberOfKeys: 2 },
};
type ScriptCall = (...args: (string | number)[]) => unknown;

/** A transaction (MULTI) that adds go on; BullMQ's own transaction type is its ioredis multi. */
type Transaction = ChainableCommander & Record<keyof typeof SCRIPTS, ScriptCall>;

const withScripts = new WeakSet<object>();

export async function transactionOf(queue: Queue): Promise<Transaction> {
  const client = await queue.getBackend().client;
  if (!withScripts.has(client)) {
    for (const [name, script] of Object.entries(SCRIPTS)) client.defineCommand(name, script);
    withScripts.add(client);
  }
  return client.multi() as unknown as Transaction;
}

/** Appends a plain add; its result in exec() is the job id (the sequence). Returns the commands appended. */
export function appendAdd(multi: Transaction, queue: Queue, name: string, data: Record<string, unknown>): number {
  const job = new Job(queue, name, data, queue.defaultJobOptions);
  // Queues the add on the transaction; its outcome arrives with exec().
  void job.addJob(multi as never).catch(() => undefined);
  return 1;
}

/**
 * Appends an add that happens unless its intent already holds a request, with the script that reads
 * or writes the intent's record; the last of the appended commands answers with that record (whose
 * nonce is `data.nonce` when the add was this one). Returns the number of commands appended.
 */
export function appendAddOnce(
  multi: Transaction,
  queue: Queue,
  name: string,
  data: Record<string, unknown> & { nonce: string; acceptedAt: number },
  once: Once,
): number {
  const de = dedupeKey(queue, once.dedupeId);
  const key = once.key;
  const ttl = once.dedupeTtlMs;
  const jobPrefix = queue.keys[''] ?? '';
  const counter = queue.keys.id ?? '';
  let commands = 2;
  if (ttl === undefined && key) {
    multi.ceRearm(key.recordKey, de);
    commands++;
  }
  const job = new Job(queue, name, data, {
    ...queue.defaultJobOptions,
    deduplication: { id: once.dedupeId, ...(ttl !== undefined ? { ttl } : {}) },
  });
  void job.addJob(multi as never).catch(() => undefined);
  if (ttl !== undefined) {
    multi.ceStamp(de, counter, jobPrefix, `${data.nonce}|${key?.hash ?? ''}|${data.acceptedAt}`);
  } else if (key) {
    multi.ceLineRecord(de, counter, key.recordKey, jobPrefix, key.hash, key.ttlMs);
  } else {
    multi.ceLineHolder(de, counter, jobPrefix, '', 0);
  }
  return commands;
}

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
