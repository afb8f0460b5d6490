// The order lane's name and its own keys in its slot: per product, the out-of-stock flag and the
// generation that whatever gives stock back bumps (stock-gate.ts).
import { laneKeys, type LaneKeys } from '../lane/lane-keys.js';

/** Every order goes to this one lane: orders for the same product can arrive anywhere. */
export const ORDER_LANE_NAME = 'orders';

export function orderKeys(queuePrefix: string) {
  return orderKeysOf(laneKeys(queuePrefix, { name: ORDER_LANE_NAME }));
}

/** The lane's flag of a product it left without stock. */
export const outOfStockKey = (keys: LaneKeys, productId: number) => keys.own(`out-of-stock:${productId}`);

export function orderKeysOf(keys: LaneKeys) {
  return {
    outOfStock: (productId: number) => outOfStockKey(keys, productId),
    /** Bumped by whatever gives a product's stock back, so a flag set from an older read is not set. */
    stockGeneration: (productId: number) => keys.own(`stock-gen:${productId}`),
  };
}
