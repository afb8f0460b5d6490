// How fast a lane has been deciding lately, for the estimated wait of queued requests. Time the owner
// spent waiting for work (an empty lane) does not count, so a lane that drains a backlog after a quiet
// spell reports the rate it drains at, not the average over the quiet time.

export const RATE_WINDOW_MS = 5_000;
/** A published rate lapses this long after the lane's last batch: a lane that stopped has no rate. */
export const RATE_TTL_MS = 10_000;
/** A blocking fetch longer than this waited for work (a waiting job comes back in one round trip). */
export const IDLE_WAIT_MS = 10;

interface Sample {
  at: number;
  count: number;
  busyMs: number;
}

export class DecideRate {
  private samples: Sample[] = [];
  private lastAt: number | undefined;
  private idleMs = 0;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Starts over (the lane was just acquired): nothing before this instant belongs to this owner. */
  reset(at: number): void {
    this.samples = [];
    this.lastAt = at;
    this.idleMs = 0;
  }

  /** Time the owner waited for a job because none was waiting. */
  idle(ms: number): void {
    this.idleMs += ms;
  }

  /** A batch of `count` decisions committed at `at` (ms on one monotonic clock). */
  record(at: number, count: number): void {
    const busyMs = at - (this.lastAt ?? at) - this.idleMs;
    this.lastAt = at;
    this.idleMs = 0;
    if (count > 0 && busyMs > 0) this.samples.push({ at, count, busyMs });
    const from = at - this.windowMs;
    while (this.samples.length > 1 && (this.samples[0] as Sample).at <= from) this.samples.shift();
  }

  /** Decisions per second of busy time over the window; undefined before the first measured batch. */
  perSecond(): number | undefined {
    let count = 0;
    let busyMs = 0;
    for (const s of this.samples) {
      count += s.count;
      busyMs += s.busyMs;
    }
    return busyMs > 0 ? (count * 1000) / busyMs : undefined;
  }
}
