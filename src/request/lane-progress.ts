// Long polls without polling MySQL in a loop: lane owners publish how far each lane has been
// decided, and a waiter wakes when its sequence is covered (or after a short fallback interval).
import type { Logger } from '../logger.js';
import type { RedisClient } from '../redis.js';
import { decidedChannel } from '../lane/lane-keys.js';

interface Waiter {
  sequence: number;
  wake: () => void;
}

export class LaneProgress {
  private readonly decidedByLane = new Map<string, number>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private subscribed: Promise<unknown> | undefined;
  private listening = false;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly queuePrefix: string,
    private readonly logger: Logger,
  ) {}

  private ensureSubscribed(): void {
    if (this.subscribed) return;
    if (!this.listening) {
      this.listening = true;
      this.subscriber.on('message', (_channel: string, message: string) => {
        const sep = message.lastIndexOf(':');
        const seq = Number(message.slice(sep + 1));
        if (Number.isSafeInteger(seq)) this.observe(message.slice(0, sep), seq);
      });
    }
    this.subscribed = this.subscriber.subscribe(decidedChannel(this.queuePrefix)).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'lane progress subscription failed');
      this.subscribed = undefined;
    });
  }

  /**
   * How far the lane is known to be decided: announced since this process subscribed, or read from
   * Redis by a caller (observe). Never more than the lane has committed; may lag it briefly.
   */
  decided(lane: string): number {
    this.ensureSubscribed();
    return this.decidedByLane.get(lane) ?? 0;
  }

  observe(lane: string, sequence: number): void {
    if (sequence <= (this.decidedByLane.get(lane) ?? 0)) return;
    this.decidedByLane.set(lane, sequence);
    for (const w of this.waiters.get(lane) ?? []) if (w.sequence <= sequence) w.wake();
  }

  /** Resolves when the lane announces a decision at or past `sequence`, or after `ms`. */
  wait(lane: string, sequence: number, ms: number): Promise<void> {
    this.ensureSubscribed();
    if ((this.decidedByLane.get(lane) ?? 0) >= sequence) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(lane) ?? new Set<Waiter>();
      this.waiters.set(lane, set);
      const waiter: Waiter = {
        sequence,
        wake: () => {
          clearTimeout(timer);
          set.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      set.add(waiter);
    });
  }

  close(): void {
    for (const set of this.waiters.values()) for (const w of set) w.wake();
    this.subscriber.disconnect();
  }
}
