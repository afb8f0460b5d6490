// The draw of a coupon's pre-queue, done by its lane's owner once claimStartsAt has passed:
//   1. close the pre-queue (the API's acceptance script refuses from then on);
//   2. shuffle its claims (drawOrder: Fisher–Yates over crypto.randomInt) and add them to the lane in
//      that order in ONE Redis transaction, together with the script that notes each claim's
//      sequence and marks the pre-queue drawn; claims after the start pass the API's gate only once
//      it is drawn, so every one of them takes a later sequence;
//   3. record the draw in MySQL (coupon_draws) in a transaction fenced by the owner's token.
// A crash before step 2's EXEC leaves nothing drawn (the next owner shuffles again: no order was
// ever shown); after it, the next owner only records what Redis holds. Each drawn job's
// deduplication id is its pre-queued request id, so an add run twice by two owners is a no-op.
import type { Db } from '../db/database.js';
import type { OwnerTask, OwnerTaskContext } from '../lane/owner-task.js';
import { laneKeys } from '../lane/lane-keys.js';
import type { Lane } from '../lane/lane.js';
import { defineScript, loadScript, queueScript, runScript } from '../lua/scripts.js';
import { claimKeys, type ClaimKeys } from './claim.keys.js';
import type { ClaimPayload } from './claim.payload.js';
import type { RedisClient } from '../redis.js';
import { parsePreQueueRequestId } from '../request/request.ids.js';
import { appendTransaction } from '../request/lane-append.js';
import { dedupeKey } from '../request/submit-dedupe.js';
import { findCoupon, insertDraw, type DrawEntry } from './coupon.repository.js';
import { drawOrder } from './draw.js';

/** How often the owner looks for pre-queues whose start has come. */
const DRAW_CHECK_MS = 100;
/** The pre-queue's claims, users and drawn sequences stay this long after the draw (polls then read MySQL). */
const KEEP_S = 7 * 24 * 3600;

const CLOSE = loadScript('pre-queue-close');
const MARK_DRAWN = loadScript('pre-queue-mark-drawn');

interface Entry {
  requestId: string;
  userId: number;
  acceptedAt: number;
}

interface DrawDeps {
  db: Db;
  redis: RedisClient;
  lane: Lane;
  queuePrefix: string;
  /** Tests only (PRE_QUEUE_DRAW_PAUSE_MS): a pause inside the draw, to kill the owner there. */
  pauseMs: number;
}

/** What the steps of a draw share: the lane's claim keys besides the deps. */
interface Drawer extends DrawDeps {
  keys: ClaimKeys;
}
type PreQueueKeys = ReturnType<ClaimKeys['preQueue']>;

export function preQueueDraws(deps: DrawDeps): OwnerTask {
  const drawer: Drawer = { ...deps, keys: claimKeys(laneKeys(deps.queuePrefix, deps.lane)) };
  return {
    everyMs: DRAW_CHECK_MS,
    async run(ctx) {
      const due = await deps.redis.zrangebyscore(drawer.keys.preQueues, '-inf', Date.now());
      for (const id of due) await drawOne(drawer, ctx, Number(id));
    },
  };
}

const pause = (d: Drawer) => (d.pauseMs > 0 ? new Promise((r) => setTimeout(r, d.pauseMs)) : undefined);

async function drawOne(d: Drawer, ctx: OwnerTaskContext, couponId: number): Promise<void> {
  const pre = d.keys.preQueue(couponId);
  const coupon = await findCoupon(d.db, couponId);
  if (coupon?.pre_queue_opens_at && !coupon.pre_queue_drawn_at) {
    const state = (await runScript(d.redis, CLOSE, [pre.state], [])) as string;
    if (state !== 'drawn') {
      ctx.log.info({ couponId }, 'pre-queue closed');
      await pause(d);
      await addDrawn(d, ctx, couponId, pre);
      await pause(d);
    }
    await record(d, ctx, couponId, pre);
  } else {
    // Nothing to draw (no such pre-queue), or recorded already: let later claims in.
    await d.redis.set(pre.state, 'drawn');
  }
  await d.redis
    .multi()
    .zrem(d.keys.preQueues, String(couponId))
    .expire(pre.entries, KEEP_S)
    .expire(pre.requests, KEEP_S)
    .expire(pre.users, KEEP_S)
    .expire(pre.drawn, KEEP_S)
    .exec();
}

async function entries(d: Drawer, pre: PreQueueKeys, ids: string[]): Promise<Entry[]> {
  if (ids.length === 0) return [];
  const meta = await d.redis.hmget(pre.requests, ...ids);
  return ids.map((requestId, i) => {
    const [userId = 0, acceptedAt = 0] = (meta[i] ?? '').split('|').map(Number);
    return { requestId, userId, acceptedAt };
  });
}

/** Step 2: the shuffled claims into the lane, in one transaction with their sequences and the mark. */
async function addDrawn(d: Drawer, ctx: OwnerTaskContext, couponId: number, pre: PreQueueKeys) {
  const drawn = drawOrder(await entries(d, pre, await d.redis.zrange(pre.entries, '0', '-1')));
  // Before the transaction is made: it takes the client's scripts when it is.
  defineScript(d.redis, MARK_DRAWN);
  const multi = appendTransaction(
    ctx.queue,
    d.redis,
    drawn.map((e) => {
      const nonce = parsePreQueueRequestId(e.requestId)?.nonce ?? '';
      const data: ClaimPayload = { couponId, userId: e.userId, acceptedAt: e.acceptedAt, nonce };
      const once = { rule: { dedupeId: e.requestId }, nonce, acceptedAt: e.acceptedAt };
      return { name: d.lane.laneType.jobName(data), data, once };
    }),
  );
  const dePrefix = dedupeKey(ctx.queue, '');
  queueScript(multi, MARK_DRAWN, [pre.state, pre.drawn], [dePrefix, ...drawn.map((e) => e.requestId)]);
  const results = (await multi.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed || results.length === 0) throw failed?.[0] ?? new Error('the draw transaction was discarded');
  ctx.log.info({ couponId, drawn: drawn.length }, 'pre-queue drawn');
}

/** Step 3: the draw as Redis holds it, in sequence order, written once to MySQL under the owner's fence. */
async function record(d: Drawer, ctx: OwnerTaskContext, couponId: number, pre: PreQueueKeys) {
  const sequences = await d.redis.hgetall(pre.drawn);
  const order = Object.keys(sequences).sort((a, b) => Number(sequences[a]) - Number(sequences[b]));
  const drawn: DrawEntry[] = (await entries(d, pre, order)).map((e, i) => ({
    position: i + 1,
    requestId: e.requestId,
    userId: e.userId,
    sequence: Number(sequences[e.requestId]),
    acceptedAt: new Date(e.acceptedAt),
  }));
  const written = await ctx.fenced((trx) => insertDraw(trx, couponId, drawn, new Date()));
  ctx.log.info({ couponId, claims: drawn.length, written }, 'pre-queue draw recorded');
}
