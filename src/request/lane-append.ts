// Appending requests to a lane: one Redis script call for a whole batch (src/lua/lane-append.lua)
// instead of BullMQ's add script per job plus a script per job for its record. Each entry adds a job
// as BullMQ's Queue.add with deduplication does (src/bullmq/job-writes.ts gives the queue's layout),
// at most once per intent with its record written in the same step, unless its gate or its user's
// rate limit answers it first. Entries go to the script as named fields, one JSON object each.
// test/component/lane-append.test.ts holds the jobs it writes to those BullMQ writes itself.
import type { Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { jobWriteTarget } from '../bullmq/job-writes.js';
import { defineScript, loadScript, queueScript, runScript } from '../lua/scripts.js';
import type { RedisClient } from '../redis.js';
import { dedupeKey, parseRecord, type Once, type SubmitRecord } from './submit-dedupe.js';

const APPEND = loadScript('lane-append');

/** One request to append: made at most once when `once` is given (its data then carries its nonce and acceptance time). */
export interface AppendEntry {
  name: string;
  data: Record<string, unknown>;
  once?: { rule: Once; nonce: string; acceptedAt: number };
  /** The user's rate limit, counted in this lane: at most `perSecond` adds a second. */
  limit?: { userId: number; perSecond: number };
  /** While the lane's flag `key` is set, nothing is added and the entry is answered with `instantId`. */
  gate?: { key: string; instantId: string };
}

/** The entry's gate was closed: nothing was added, its instant answer holds. */
export interface Gated {
  gated: true;
}

/** The user's rate limit refused the entry: nothing was added; the window ends in `retryInMs`. */
export interface Refused {
  refused: true;
  retryInMs: number;
}

/** An entry's answer: the sequence of a plain add, else the record of the request that holds its intent. */
export type Appended = number | SubmitRecord | Refused | Gated;

/** The user's rate counter in a lane's slot. */
export const laneRateKey = (queue: Queue, userId: number) => `${queue.keys[''] ?? ''}rate:u:${userId}`;

/** An entry as src/lua/lane-append.lua reads it; each `…Key` is a 1-based index into the call's keys. */
interface EntryFields {
  name: string;
  /** The job's data as JSON. */
  data: string;
  nonce?: string;
  hash?: string;
  acceptedAt?: number;
  dedupeKey?: number;
  dedupeId?: string;
  dedupeTtl?: number;
  recordKey?: number;
  recordTtl?: number;
  limitKey?: number;
  perSecond?: number;
  gateKey?: number;
  instant?: string;
}

/** The entry's named fields; the keys they name are pushed to `keys`. */
function entryFields(queue: Queue, e: AppendEntry, keys: string[]): EntryFields {
  const fields: EntryFields = { name: e.name, data: JSON.stringify(e.data) };
  if (e.limit) {
    fields.limitKey = keys.push(laneRateKey(queue, e.limit.userId));
    fields.perSecond = e.limit.perSecond;
  }
  if (e.gate) {
    fields.gateKey = keys.push(e.gate.key);
    fields.instant = e.gate.instantId.slice('x-'.length);
  }
  const once = e.once;
  if (!once) return fields;
  const { rule } = once;
  fields.nonce = once.nonce;
  fields.acceptedAt = once.acceptedAt;
  if (rule.key) fields.hash = rule.key.hash;
  fields.dedupeKey = keys.push(dedupeKey(queue, rule.dedupeId));
  fields.dedupeId = rule.dedupeId;
  // An order's Idempotency-Key: its deduplication key is its record.
  if (rule.dedupeTtlMs !== undefined) fields.dedupeTtl = rule.dedupeTtlMs;
  else if (rule.key) {
    fields.recordKey = keys.push(rule.key.recordKey);
    fields.recordTtl = rule.key.ttlMs;
  }
  return fields;
}

// Entries as JSON, which the script reads with cjson: V8's JSON.stringify and all-string arguments
// (ioredis's fast path) cost the API less per entry than msgpack buffers.
function scriptCall(queue: Queue, entries: readonly AppendEntry[]): { keys: string[]; args: string[] } {
  const target = jobWriteTarget(queue);
  const keys = [...target.keys];
  const args = [target.jobPrefix, target.opts, String(Date.now())];
  for (const e of entries) args.push(JSON.stringify(entryFields(queue, e, keys)));
  return { keys, args };
}

function answers(entries: readonly AppendEntry[], raw: unknown): Appended[] {
  if (!Array.isArray(raw) || raw.length !== entries.length) throw new Error('the lane append gave no answer per entry');
  return (raw as [string, unknown][]).map(([kind, value]): Appended => {
    if (kind === 'added') return Number(value);
    if (kind === 'refused') return { refused: true, retryInMs: Number(value) };
    if (kind === 'gated') return { gated: true };
    const record = kind === 'record' ? parseRecord(value) : null;
    if (!record) throw new Error(`the lane append answered ${String(kind)} ${String(value)} for an entry`);
    return record;
  });
}

/** Appends the entries to the queue's lane in one script call, in order. */
export async function appendToLane(queue: Queue, entries: readonly AppendEntry[]): Promise<Appended[]> {
  const { keys, args } = scriptCall(queue, entries);
  return answers(entries, await runScript(await queue.getBackend().client, APPEND, keys, args));
}

/** A transaction on `redis` that starts with the append (its answer is the first of exec()'s). */
export function appendTransaction(
  queue: Queue,
  redis: RedisClient,
  entries: readonly AppendEntry[],
): ChainableCommander {
  defineScript(redis, APPEND);
  const { keys, args } = scriptCall(queue, entries);
  return queueScript(redis.multi(), APPEND, keys, args);
}
