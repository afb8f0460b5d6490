// Table types for Kysely. BIGINT columns are read as JavaScript numbers: the pool is created with
// supportBigNumbers (values beyond 2^53 would arrive as strings) and every id and amount the engine
// writes is checked to stay within Number.MAX_SAFE_INTEGER at the API boundary.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface BalanceTable {
  user_id: number;
  balance: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type BalanceKind = 'CHARGE' | 'PAYMENT' | 'REFUND';

export interface BalanceHistoryTable {
  id: Generated<number>;
  user_id: number;
  kind: BalanceKind;
  amount: number;
  balance_after: number;
  order_id: number | null;
  created_at: CreatedAt;
}

export interface ProductTable {
  id: Generated<number>;
  name: string;
  price: number;
  stock: number;
  /** Most units one user may hold in PENDING_PAYMENT and PAID orders; null: unlimited. */
  max_per_user: number | null;
  created_at: CreatedAt;
}

export interface ProductSalesDailyTable {
  sale_date: string;
  product_id: number;
  quantity: number;
}

export type OrderStatus = 'PENDING_PAYMENT' | 'PAID' | 'CANCELLED' | 'EXPIRED';

export interface OrderTable {
  id: Generated<number>;
  user_id: number;
  status: OrderStatus;
  total_amount: number;
  discount_amount: number;
  payment_amount: number;
  user_coupon_id: number | null;
  request_id: string;
  created_at: Date;
  expires_at: Date;
  paid_at: Date | null;
  closed_at: Date | null;
}

export interface OrderItemTable {
  order_id: number;
  product_id: number;
  quantity: number;
  unit_price: number;
}

export type DiscountType = 'FIXED' | 'PERCENT';

export interface CouponTable {
  id: Generated<number>;
  name: string;
  discount_type: DiscountType;
  discount_value: number;
  max_discount_amount: number | null;
  min_order_amount: number;
  total_quantity: number;
  issued_quantity: Generated<number>;
  claim_starts_at: Date | null;
  /** Claims from here until claim_starts_at wait in the pre-queue and are drawn at the start. */
  pre_queue_opens_at: Date | null;
  pre_queue_drawn_at: Date | null;
  claim_ends_at: Date | null;
  valid_days: number;
  created_at: CreatedAt;
}

/** One pre-queued claim as the draw placed it: position 1 … n, the sequence it took in the lane. */
export interface CouponDrawTable {
  coupon_id: number;
  position: number;
  request_id: string;
  user_id: number;
  sequence: number;
  accepted_at: Date;
}

export type UserCouponStatus = 'AVAILABLE' | 'RESERVED' | 'USED';

export interface UserCouponTable {
  id: Generated<number>;
  coupon_id: number;
  user_id: number;
  status: UserCouponStatus;
  request_id: string;
  order_id: number | null;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A lane type's `type` (src/queues/lane-types.ts): `COUPON_CLAIM`, `ORDER`, … */
export type RequestType = string;
export type FinalStatus = 'SUCCEEDED' | 'REJECTED' | 'FAILED';

/** The final outcome of every queued request, written in the same transaction as its effect. */
export interface RequestOutcomeTable {
  request_id: string;
  type: RequestType;
  lane: string;
  sequence: number | null;
  status: FinalStatus;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  accepted_at: Date;
  finished_at: Date;
}

/** One row per lane: the fencing token of the last owner that committed, and its progress. */
export interface LaneTable {
  name: string;
  fence: number;
  last_sequence: number;
  updated_at: Date;
}

export interface IdempotencyKeyTable {
  scope: string;
  idem_key: string;
  request_hash: string;
  state: 'PENDING' | 'DONE';
  response_status: number | null;
  response_body: string | null;
  created_at: Date;
}

export interface Database {
  balances: BalanceTable;
  balance_history: BalanceHistoryTable;
  products: ProductTable;
  product_sales_daily: ProductSalesDailyTable;
  orders: OrderTable;
  order_items: OrderItemTable;
  coupons: CouponTable;
  user_coupons: UserCouponTable;
  coupon_draws: CouponDrawTable;
  request_outcomes: RequestOutcomeTable;
  lanes: LaneTable;
  idempotency_keys: IdempotencyKeyTable;
}

export type CouponRow = Selectable<CouponTable>;
export type OrderRow = Selectable<OrderTable>;
export type NewRequestOutcome = Insertable<RequestOutcomeTable>;
