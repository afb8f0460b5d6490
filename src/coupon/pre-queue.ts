// A coupon's pre-queue as the API sees it. A claim in [preQueueOpensAt, claimStartsAt) is stored in
// the coupon's lane slot (one per user) by one script that first checks the pre-queue is still open;
// at the start the lane owner closes it, shuffles it and adds its claims to the lane in that order
// (pre-queue.draw.ts). Claims that arrive after the start pass the gate only once the pre-queue is
// drawn, so none of them can take a sequence before a drawn one.
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import { loadScript, runScript } from '../lua/scripts.js';
import { claimKeysOf } from './claim.keys.js';
import { formatPreQueueRequestId, parsePreQueueRequestId } from '../request/request.ids.js';
import { findCoupon, findDrawEntry } from './coupon.repository.js';

const ACCEPT = loadScript('pre-queue-accept');
const GATE = loadScript('pre-queue-gate');

export interface CouponWindow {
  preQueueOpensAt: number | null;
  claimStartsAt: number | null;
}

export interface PreQueued {
  requestId: string;
  couponId: number;
  userId: number;
  acceptedAt: number;
  /** The drawn sequence, once drawn. */
  sequence: number | null;
}

/** Coupons remembered at most (claims for random ids must not grow the map without bound). */
const MAX_WINDOWS = 10_000;

export class PreQueue {
  /**
   * A coupon's times never change once created, so each API process reads them once from MySQL (a
   * coupon first claimed while MySQL is down is refused with 503, as a read would be). A coupon that
   * does not exist is read again every time: it may be created the next moment, on any process.
   */
  private readonly windows = new Map<number, CouponWindow>();
  /** Reads under way: the concurrent first claims of a coupon (a rush's opening) share one. */
  private readonly reading = new Map<number, Promise<CouponWindow | null>>();

  constructor(
    private readonly deps: { db: Db; redis: RedisClient; config: { QUEUE_PREFIX: string; COUPON_LANES: number } },
  ) {}

  private keys(couponId: number) {
    const lane = claimKeysOf(this.deps.config.QUEUE_PREFIX, couponId, this.deps.config.COUPON_LANES);
    return { lane, pre: lane.preQueue(couponId) };
  }

  /** The window when this process already knows the coupon, else undefined. */
  known(couponId: number): CouponWindow | undefined {
    return this.windows.get(couponId);
  }

  /** The coupon's pre-queue window, or null when it does not exist. */
  async window(couponId: number): Promise<CouponWindow | null> {
    const known = this.windows.get(couponId);
    if (known) return known;
    let read = this.reading.get(couponId);
    if (!read) {
      read = this.readWindow(couponId).finally(() => this.reading.delete(couponId));
      this.reading.set(couponId, read);
    }
    return read;
  }

  private async readWindow(couponId: number): Promise<CouponWindow | null> {
    const row = await findCoupon(this.deps.db, couponId);
    const window = row
      ? {
          preQueueOpensAt: row.pre_queue_opens_at?.getTime() ?? null,
          claimStartsAt: row.claim_starts_at?.getTime() ?? null,
        }
      : null;
    if (window) this.remember(couponId, window);
    return window;
  }

  private remember(couponId: number, entry: CouponWindow): void {
    this.windows.delete(couponId);
    if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value as number);
    this.windows.set(couponId, entry);
  }

  /**
   * Takes the user's claim into the pre-queue, or finds the one the user has there. Null when the
   * pre-queue is already closed (the draw began): the claim then counts as arriving after the start.
   */
  async accept(
    couponId: number,
    userId: number,
    input: { nonce: string; acceptedAt: number; claimStartsAt: number },
    key?: { recordKey: string; hash: string; ttlMs: number },
  ): Promise<{ requestId: string; acceptedAt: number } | null> {
    const { lane, pre } = this.keys(couponId);
    const keys = [pre.state, pre.entries, pre.requests, pre.users, lane.preQueues, ...(key ? [key.recordKey] : [])];
    const args = [userId, formatPreQueueRequestId(couponId, input.nonce), input.acceptedAt, couponId];
    const answer = (await runScript(this.deps.redis, ACCEPT, keys, [
      ...args,
      input.claimStartsAt,
      key?.hash ?? '',
      key?.ttlMs ?? 0,
    ])) as string | null;
    if (!answer) return null;
    const [requestId = '', at] = answer.split('|');
    return { requestId, acceptedAt: Number(at) };
  }

  /** The request id of the user's claim in the coupon's pre-queue, or null (a read: it changes nothing). */
  async mine(couponId: number, userId: number): Promise<string | null> {
    return this.deps.redis.hget(this.keys(couponId).pre.users, String(userId));
  }

  /** After the start: whether the pre-queue is drawn, and the user's pre-queued claim if any. */
  async gate(
    couponId: number,
    userId: number,
    claimStartsAt: number,
  ): Promise<{ drawn: boolean; mine: string | null }> {
    const { lane, pre } = this.keys(couponId);
    const [drawn, mine] = (await runScript(
      this.deps.redis,
      GATE,
      [pre.state, lane.preQueues, pre.users],
      [couponId, claimStartsAt, userId],
    )) as [number, string | null];
    return { drawn: drawn === 1, mine: mine ?? null };
  }

  /** A pre-queued claim by its request id: from Redis, or from the recorded draw once Redis let it go. */
  async read(requestId: string): Promise<PreQueued | null> {
    const parsed = parsePreQueueRequestId(requestId);
    if (!parsed) return null;
    const { pre } = this.keys(parsed.couponId);
    const [meta, drawn] = await Promise.all([
      this.deps.redis.hget(pre.requests, requestId),
      this.deps.redis.hget(pre.drawn, requestId),
    ]);
    if (meta) {
      const [userId, acceptedAt] = meta.split('|').map(Number);
      const sequence = drawn ? Number(drawn) : null;
      return { requestId, couponId: parsed.couponId, userId: userId ?? 0, acceptedAt: acceptedAt ?? 0, sequence };
    }
    const row = await findDrawEntry(this.deps.db, requestId);
    if (!row) return null;
    const { user_id: userId, accepted_at: at, sequence } = row;
    return { requestId, couponId: parsed.couponId, userId, acceptedAt: at.getTime(), sequence };
  }
}
