// The order lane's "out of stock" flags, the order counterpart of a coupon's sold-out flag. Stock
// comes back (cancel, expiry, restock), so a flag must never outlive the stock it describes:
//   - the lane reads each product's generation before it locks the product rows, and after its
//     commit sets the flag of a product it left at zero stock only if that generation is unchanged;
//   - whatever gives stock back (or sets a per-user limit, which the lane checks before stock) bumps
//     the generation and drops the flag before its commit and again after it.
// A return that commits before the lane locks the rows is seen by the lane; one that commits after
// it waited for the lane's commit, and its second bump comes after the lane's read, so the lane's
// compare fails or the return's drop follows the flag. A flag also expires after `ttlMs`, so one
// left by a return whose process died between commit and drop lasts no longer than that.
// The lane append (src/request/lane-append.ts) checks the flag atomically with taking a sequence.
import type { RedisClient } from '../redis.js';
import { loadScript, runScript } from '../lua/scripts.js';
import { orderKeys } from './order.keys.js';

/** How long a flag holds without the lane setting it again (an order that reaches the lane does). */
export const OUT_OF_STOCK_TTL_MS = 10_000;

const CLOSE = loadScript('stock-close');

/** What gives stock back needs of the gate: `open` before its commit, `reopen` after it. */
export type StockReturn = Pick<StockGate, 'open' | 'reopen'>;

export class StockGate {
  private readonly keys: ReturnType<typeof orderKeys>;

  constructor(
    private readonly redis: RedisClient,
    queuePrefix: string,
    private readonly ttlMs = OUT_OF_STOCK_TTL_MS,
  ) {
    this.keys = orderKeys(queuePrefix);
  }

  /** The flag the lane append checks for an order of this product. */
  flagKey(productId: number): string {
    return this.keys.outOfStock(productId);
  }

  /** Each product's generation now: read before the lane locks the product rows. */
  async generations(productIds: readonly number[]): Promise<Map<number, string>> {
    if (productIds.length === 0) return new Map();
    const values = await this.redis.mget(...productIds.map((id) => this.keys.stockGeneration(id)));
    return new Map(productIds.map((id, i) => [id, values[i] ?? '']));
  }

  /** After the lane's commit: flags the products it left at zero whose generation is still the one read. */
  async close(products: ReadonlyMap<number, string>): Promise<void> {
    if (products.size === 0) return;
    const keys = [...products.keys()].flatMap((id) => [this.keys.stockGeneration(id), this.keys.outOfStock(id)]);
    await runScript(this.redis, CLOSE, keys, [this.ttlMs, ...products.values()]);
  }

  /**
   * After the commit that gave stock back: `open` again, for a lane that set a flag from a read
   * taken before that commit. A failure is not the caller's: the change is committed, and the
   * flag's TTL bounds what a missed drop costs.
   */
  async reopen(productIds: readonly number[]): Promise<void> {
    await this.open(productIds).catch(() => undefined);
  }

  /** Before a commit that gives stock back: no flag of these products survives it. */
  async open(productIds: readonly number[]): Promise<void> {
    if (productIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of productIds) {
      pipeline.incr(this.keys.stockGeneration(id)).pexpire(this.keys.stockGeneration(id), 86_400_000);
      pipeline.del(this.keys.outOfStock(id));
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
  }
}
