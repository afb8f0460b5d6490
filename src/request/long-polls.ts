// The answers an API process holds open while a request is decided (long polls, `Prefer: wait`
// submits), counted so that one past the limit is refused (503 OVERLOADED) instead of piling up.
import { UnavailableError } from '../common/errors.js';

export class LongPolls {
  private held = 0;

  constructor(private readonly max: number) {}

  /** Runs `wait` as one held answer; `waitMs` 0 is a plain read, never counted or refused. */
  async hold<T>(waitMs: number, wait: () => Promise<T>): Promise<T> {
    if (waitMs === 0) return wait();
    if (this.held >= this.max) {
      throw new UnavailableError('OVERLOADED', 'Too many answers are being held here; retry', 1);
    }
    this.held++;
    try {
      return await wait();
    } finally {
      this.held--;
    }
  }

  get size(): number {
    return this.held;
  }
}
