// What the orders oracle (orders.oracle.ts) is given: the observed order requests, the products
// they asked for, the orders read back, and the deployment-wide rules they were decided under; and
// its report.

export interface OrderItemObservation {
  productId: number;
  quantity: number;
}

export interface OrderObservation {
  requestId: string;
  userId: number;
  items: OrderItemObservation[];
  status: string;
  sequence: number | null;
  errorCode?: string | undefined;
  /** From the result of a SUCCEEDED request. */
  orderId?: number | undefined;
  /** When the API accepted it (ms since the epoch); checks instant answers against the placed orders. */
  acceptedAt?: number | undefined;
}

export interface ProductObservation {
  productId: number;
  /** Stock available to new orders before the observed requests. */
  initialStock: number;
  /** Stock read back after every request was final. */
  stock: number;
  /** The product's per-user limit during the observed requests; null or absent: unlimited. */
  maxPerUser?: number | null | undefined;
  /** Units each user held in PENDING_PAYMENT and PAID orders before the observed requests (default none). */
  heldBefore?: Readonly<Record<number, number>> | undefined;
  /** The product's price; needed when `balances` are checked. */
  price?: number | undefined;
}

/**
 * The deployment-wide rules of the observed requests. The replay assumes nothing was paid, cancelled,
 * expired or charged while they were decided: a payment lowers a user's pending units and a charge
 * raises a balance, so either would let the lane place an order that the replay refuses.
 */
export interface OrderRules {
  /** MAX_PENDING_UNITS_PER_USER during the observed requests; null or absent: no cap. */
  maxPendingUnits?: number | null | undefined;
  /** Units each user held in PENDING_PAYMENT orders before the observed requests (default none). */
  pendingBefore?: Readonly<Record<number, number>> | undefined;
  /** With ORDER_BALANCE_CHECK on: each user's balance (absent: 0); absent: balances are not checked. */
  balances?: Readonly<Record<number, number>> | undefined;
}

/** An order read back by id (GET /orders/{id} or the orders table). */
export interface StoredOrderObservation {
  orderId: number;
  userId: number;
  status: string;
  items: OrderItemObservation[];
}

export interface OrdersReport {
  ok: boolean;
  violations: string[];
  requests: number;
  succeeded: number;
  expectedSucceeded: number;
  distinctWinners: number;
  codes: Record<string, number>;
  perProduct: { productId: number; initialStock: number; unitsPlaced: number; expectedStock: number; stock: number }[];
}
