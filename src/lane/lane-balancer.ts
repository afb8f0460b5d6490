// Spreads lane ownership over the live worker processes. Each process announces itself in a sorted
// set (score = last heartbeat); with W live processes and L lanes, a process takes a free lane only
// while it owns fewer than ceil(L / W), and hands one lane over (finish the batch, release the
// lease) when it owns more. A process that dies stops heart-beating, the fair share of the others
// grows, and they take its lanes once its leases expire.
//
// A lane given up on purpose (hand-off, shutdown) is announced on a channel, so the others take it
// at once instead of at their next poll: on shutdown any process takes it, on a hand-off only a
// process below its fair share.
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';

export interface BalancedLane {
  readonly isOwner: boolean;
  readonly laneName: string;
  handOff(): void;
  acquireNow(): void;
}

export class LaneBalancer {
  private live = 1;
  private timer: NodeJS.Timeout | undefined;
  private lanes: BalancedLane[] = [];

  constructor(
    private readonly deps: {
      redis: RedisClient;
      /** A connection of its own for the release channel. */
      subscriber: RedisClient;
      key: string;
      channel: string;
      processId: string;
      heartbeatMs: number;
      logger: Logger;
    },
  ) {}

  /** The most lanes this process should own now. */
  get fairShare(): number {
    return Math.max(1, Math.ceil(this.lanes.length / Math.max(1, this.live)));
  }

  /** Asked by a consumer before it tries to take a free lane. */
  mayAcquire = (): boolean => this.owned() < this.fairShare;

  private owned(): number {
    return this.lanes.filter((l) => l.isOwner).length;
  }

  /** Announces a lane this process gave up on purpose. */
  released = (lane: string, reason: 'handoff' | 'shutdown'): void => {
    this.deps.redis
      .publish(this.deps.channel, `${reason}|${this.deps.processId}|${lane}`)
      .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'could not announce a released lane'));
  };

  private onReleased(message: string): void {
    const [reason, from, laneName] = message.split('|');
    if (from === this.deps.processId) return;
    const lane = this.lanes.find((l) => l.laneName === laneName);
    if (lane && (reason === 'shutdown' || this.mayAcquire())) lane.acquireNow();
  }

  async start(lanes: BalancedLane[]): Promise<void> {
    this.lanes = lanes;
    this.deps.subscriber.on('message', (_channel: string, message: string) => this.onReleased(message));
    await this.deps.subscriber
      .subscribe(this.deps.channel)
      .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'could not subscribe to released lanes'));
    await this.beat().catch(() => undefined);
    this.timer = setInterval(() => {
      this.beat()
        .then(() => this.rebalance())
        .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'lane balancer heartbeat failed'));
    }, this.deps.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const { redis, key, processId, heartbeatMs } = this.deps;
    const results = await redis
      .multi()
      .zadd(key, now, processId)
      .zremrangebyscore(key, '-inf', now - 3 * heartbeatMs)
      .zcard(key)
      .exec();
    const count = Number(results?.[2]?.[1] ?? 1);
    if (count !== this.live)
      this.deps.logger.info(
        { live: count, fairShare: Math.ceil(this.lanes.length / count) },
        'worker processes changed',
      );
    this.live = Math.max(1, count);
  }

  /** Hands over one lane at a time, so ownership moves gradually and never flaps. */
  private rebalance(): void {
    if (this.owned() <= this.fairShare) return;
    const lane = [...this.lanes].reverse().find((l) => l.isOwner);
    if (!lane) return;
    this.deps.logger.info(
      { lane: lane.laneName, owned: this.owned(), fairShare: this.fairShare },
      'handing a lane over',
    );
    lane.handOff();
  }

  /** Leaves the set first, so the others' fair share already counts without this process. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.deps.redis.zrem(this.deps.key, this.deps.processId).catch(() => undefined);
  }

  close(): void {
    this.deps.subscriber.disconnect();
  }
}
