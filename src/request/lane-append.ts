// Appending requests to a lane: one Redis script call for a whole batch instead of BullMQ's add
// script per job plus a script per job for its record. For each entry, in order, the script does
// what BullMQ's add with deduplication does for a lane's jobs (FIFO, no delay, no priority, no
// parent): the next id from the queue's counter, the job hash with BullMQ's fields, the wait list,
// the marker for workers and the `added` and `waiting` events. Around it, in the same script:
//   - one request per intent: an entry whose intent already holds a request (its Idempotency-Key's
//     record, its user's place in line, its order key) adds nothing and takes no id, so sequences
//     stay gapless and positions exact;
//   - the intent's record, written in the same step as the job, so a submit whose answer was lost is
//     found again by its retry.
//   - a gate: an entry given a flag key and an instant answer's id is answered with that id, adding
//     nothing, while the flag is set (an order of a product the lane flagged out of stock, see
//     src/order/stock-gate.ts); an order key then records the instant answer;
//   - the user's rate limit, counted per user and lane in the lane's slot: an entry that would add
//     over it adds nothing and answers how long until the window ends (a repeat is answered first
//     and never counted, nor is a gated entry);
// A script runs atomically and in order, so the order of sequences is the order of the entries.
// test/component/lane-append.test.ts holds the jobs it writes to those BullMQ writes itself.
import { Job, optsEncodeMap, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis.js';
import { dedupeKey, parseRecord, type Once, type SubmitRecord } from './submit-dedupe.js';

// KEYS: 1 wait, 2 meta, 3 id counter, 4 active, 5 events, 6 marker; then per entry its deduplication
// key, its record key, its user's rate counter and its gate's flag (the lane's hash tag `{<lane>}`
// in their place when it has none, a key in the lane's slot that is never read).
// ARGV: 1 job key prefix, 2 the jobs' stored options as JSON without the closing brace, 3 timestamp;
// then per entry: mode, name, data, deduplication id, ttl, body hash, own record suffix
// (`|<nonce>|<hash>|<acceptedAt>`), the user's limit per second (0: none), the instant answer's id
// without its `x-` when gated ('' when not). A refused entry answers `r|<ms until the counter's
// window ends>`, a gated one `x|<instant id without x->|<hash>|`. Modes:
//   a  a plain add; answers its job id
//   l  a claim holding its user's place in line (deduplication id without TTL); answers the record of
//      the request that holds the line (its own when the add was this one)
//   k  as l, with an Idempotency-Key record (ttl: the record's); a key already recorded answers its record
//   o  an order's Idempotency-Key: its deduplication key (ttl) is its record
// Answers one value per entry.
const APPEND = `
local rcall = redis.call
local prefix, baseOpts, timestamp = ARGV[1], ARGV[2], ARGV[3]
local sep = #baseOpts > 1 and ',' or ''
local maxEvents = rcall('HGET', KEYS[2], 'opts.maxLenEvents')
if not maxEvents then
  maxEvents = 10000
  rcall('HSET', KEYS[2], 'opts.maxLenEvents', maxEvents)
end
local meta = rcall('HMGET', KEYS[2], 'paused', 'concurrency')
local pausedOrMaxed = false
if meta[1] then pausedOrMaxed = true
elseif meta[2] then pausedOrMaxed = rcall('LLEN', KEYS[4]) >= tonumber(meta[2]) end
local out = {}
for i = 1, (#ARGV - 3) / 9 do
  local a = 3 + (i - 1) * 9
  local mode, name, data, deId, ttl, hash, own = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7]
  local points, instant = tonumber(ARGV[a + 8]), ARGV[a + 9]
  local deKey, recKey, rateKey, gateKey = KEYS[3 + 4 * i], KEYS[4 + 4 * i], KEYS[5 + 4 * i], KEYS[6 + 4 * i]
  local answer = false
  if mode == 'k' then answer = rcall('GET', recKey) end
  local recorded = answer
  if not answer and mode ~= 'a' then
    local held = rcall('GET', deKey)
    if held and string.find(held, '|', 1, true) then
      -- An order key's record.
      answer = held
    elseif held then
      local raw = rcall('HGET', prefix .. held, 'data')
      if raw then
        local d = cjson.decode(raw)
        answer = held .. '|' .. tostring(d.nonce) .. '|' .. hash .. '|' .. string.format('%d', d.acceptedAt)
      else
        -- As BullMQ recovers a stale deduplication key: the job that held it is gone.
        rcall('DEL', deKey)
      end
    end
  end
  if not answer and instant ~= '' and rcall('EXISTS', gateKey) == 1 then
    answer = 'x|' .. instant .. '|' .. hash .. '|'
    if mode == 'o' then rcall('SET', deKey, answer, 'PX', ttl) end
  end
  local refused = false
  if not answer and points > 0 then
    -- A fixed window of one second from the first counted submit, as rate-limiter-flexible counts.
    local used = rcall('INCR', rateKey)
    local left = rcall('PTTL', rateKey)
    if left < 0 then
      rcall('PEXPIRE', rateKey, 1000)
      left = 1000
    end
    if used > points then
      refused = true
      answer = 'r|' .. left
    end
  end
  if not answer then
    local jobId = tostring(rcall('INCR', KEYS[3]))
    local job = {'name', name, 'data', data}
    if mode == 'a' then
      job[5], job[6] = 'opts', baseOpts .. '}'
    else
      local de = '"de":{"id":' .. cjson.encode(deId) .. (mode == 'o' and (',"ttl":' .. ttl) or '') .. '}'
      job[5], job[6] = 'opts', baseOpts .. sep .. de .. '}'
      job[7], job[8] = 'deid', deId
    end
    rcall('HMSET', prefix .. jobId, 'timestamp', timestamp, 'delay', 0, 'priority', 0, unpack(job))
    rcall('XADD', KEYS[5], '*', 'event', 'added', 'jobId', jobId, 'name', name)
    rcall('LPUSH', KEYS[1], jobId)
    if not pausedOrMaxed then rcall('ZADD', KEYS[6], 0, '0') end
    rcall('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
    if mode == 'a' then
      answer = jobId
    elseif mode == 'o' then
      answer = jobId .. own
      rcall('SET', deKey, answer, 'PX', ttl)
    else
      answer = jobId .. own
      rcall('SET', deKey, jobId)
    end
  end
  -- A key's first submit records the request it made or found holding the line.
  if mode == 'k' and not recorded and not refused then rcall('SET', recKey, answer, 'PX', ttl) end
  out[i] = answer
end
return out`;

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

type AppendCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;
type WithAppend = { ceLaneAppend: AppendCommand };

const withCommand = new WeakSet<object>();

function define(client: object & { defineCommand(name: string, def: { lua: string }): void }) {
  if (withCommand.has(client)) return;
  // Without numberOfKeys, the number of keys is the first argument of every call.
  client.defineCommand('ceLaneAppend', { lua: APPEND });
  withCommand.add(client);
}

/** The options BullMQ stores with a lane's job, as JSON without the closing brace. */
const baseOpts = new WeakMap<Queue, string>();

function storedOpts(queue: Queue): string {
  let base = baseOpts.get(queue);
  if (base === undefined) {
    // BullMQ's own normalisation of the queue's default options, then its short names.
    const { opts } = new Job(queue, 'template', {}, queue.defaultJobOptions);
    const encoded: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(opts)) {
      if (value === undefined) continue;
      encoded[(optsEncodeMap as Record<string, string>)[name] ?? name] = value;
    }
    base = JSON.stringify(encoded).slice(0, -1);
    baseOpts.set(queue, base);
  }
  return base;
}

function commandArgs(queue: Queue, entries: readonly AppendEntry[]): (string | number)[] {
  const k = queue.keys;
  const wait = k.wait ?? '';
  const keys: string[] = [wait, k.meta ?? '', k.id ?? '', k.active ?? '', k.events ?? '', k.marker ?? ''];
  // An entry's unused key slots: the lane's hash tag alone, in the lane's slot and never read.
  const unused = wait.slice(wait.indexOf('{'), wait.indexOf('}') + 1);
  const args: (string | number)[] = [k[''] ?? '', storedOpts(queue), Date.now()];
  for (const e of entries) {
    const once = e.once;
    const data = JSON.stringify(e.data);
    const rateKey = e.limit ? laneRateKey(queue, e.limit.userId) : unused;
    const points = e.limit?.perSecond ?? 0;
    const gateKey = e.gate?.key ?? unused;
    const instant = e.gate ? e.gate.instantId.slice('x-'.length) : '';
    if (!once) {
      keys.push(unused, unused, rateKey, gateKey);
      args.push('a', e.name, data, '', '', '', '', points, instant);
      continue;
    }
    const { rule } = once;
    const hash = rule.key?.hash ?? '';
    const own = `|${once.nonce}|${hash}|${once.acceptedAt}`;
    const de = dedupeKey(queue, rule.dedupeId);
    if (rule.dedupeTtlMs !== undefined) {
      keys.push(de, unused, rateKey, gateKey);
      args.push('o', e.name, data, rule.dedupeId, rule.dedupeTtlMs, hash, own, points, instant);
    } else if (rule.key) {
      keys.push(de, rule.key.recordKey, rateKey, gateKey);
      args.push('k', e.name, data, rule.dedupeId, rule.key.ttlMs, hash, own, points, instant);
    } else {
      keys.push(de, unused, rateKey, gateKey);
      args.push('l', e.name, data, rule.dedupeId, '', '', own, points, instant);
    }
  }
  return [keys.length, ...keys, ...args];
}

function answers(entries: readonly AppendEntry[], raw: unknown): Appended[] {
  if (!Array.isArray(raw) || raw.length !== entries.length) throw new Error('the lane append gave no answer per entry');
  return entries.map((e, i) => {
    const value: unknown = raw[i];
    if (typeof value === 'string' && value.startsWith('r|'))
      return { refused: true, retryInMs: Number(value.slice(2)) };
    if (e.gate && typeof value === 'string' && value.startsWith(`x|${e.gate.instantId.slice('x-'.length)}|`)) {
      return { gated: true };
    }
    if (!e.once) return Number(value);
    const record = parseRecord(value);
    if (!record) throw new Error(`the lane append answered ${String(value)} for an entry`);
    return record;
  });
}

/** Appends the entries to the queue's lane in one script call, in order. */
export async function appendToLane(queue: Queue, entries: readonly AppendEntry[]): Promise<Appended[]> {
  const client = await queue.getBackend().client;
  define(client);
  const raw = await (client as unknown as WithAppend).ceLaneAppend(...(commandArgs(queue, entries) as [number]));
  return answers(entries, raw);
}

/** A transaction on `redis` that starts with the append (its answer is the first of exec()'s). */
export function appendTransaction(
  queue: Queue,
  redis: RedisClient,
  entries: readonly AppendEntry[],
): ChainableCommander {
  define(redis);
  const multi = redis.multi();
  (multi as unknown as { ceLaneAppend: (...args: (string | number)[]) => unknown }).ceLaneAppend(
    ...commandArgs(queue, entries),
  );
  return multi;
}
