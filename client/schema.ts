// Generated from the OpenAPI document by `npm run client:gen` (openapi-typescript). Do not edit.
export interface paths {
  '/admin/coupons': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Create a coupon campaign */
    post: operations['createCoupon'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/coupons/{couponId}/draw': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The draw of a coupon's pre-queue
     * @description When the draw ran and, in drawn order, each pre-queued claim with its requestId, userId and the sequence it took. 409 NO_PRE_QUEUE for a coupon without preQueueOpensAt.
     */
    get: operations['getCouponDraw'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Create a product */
    post: operations['createProduct'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/products/{productId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change a product's per-user purchase limit */
    patch: operations['updateProduct'];
    trace?: never;
  };
  '/admin/products/{productId}/stock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change a product's stock by a delta (restock) */
    patch: operations['restockProduct'];
    trace?: never;
  };
  '/coupons/{couponId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A coupon with its issued and remaining counts */
    get: operations['getCoupon'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/coupons/{couponId}/claims': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Claim a coupon (queued, first come first served)
     * @description One place in line per user and coupon: while a claim of the user for the coupon is QUEUED or PROCESSING, another claim returns that same request (same requestId, sequence and position) and queues nothing; once it is final, a new claim is decided as usual. An Idempotency-Key is recorded with the job in one Redis transaction: the same key and body return the same request on any API process, also after the first answer was lost (Idempotent-Replayed: true). A coupon with a pre-queue takes claims from preQueueOpensAt until claimStartsAt into it (202, preQueued: true, sequence null), one per user; at claimStartsAt they are drawn into the lane in a uniformly random order, ahead of every later claim. A claim after the start waits briefly for the draw, else 503 PRE_QUEUE_DRAWING.
     */
    post: operations['claimCoupon'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: 200 while the process runs */
    get: operations['getHealth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Prometheus metrics of this API process
     * @description HTTP latency histogram, per-lane queue depth and age, accepted and decided sequences, Redis reachability, and the standard process and Node.js metrics.
     */
    get: operations['getMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Place an order (queued, decided in arrival order)
     * @description When SUCCEEDED the order holds its stock (and coupon) until it is paid, cancelled or expires. Orders are never merged: two submits without a key are two orders. An Idempotency-Key is recorded with the job in one Redis transaction: the same key and body return the same request on any API process, also after the first answer was lost (Idempotent-Replayed: true).
     */
    post: operations['placeOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders/{orderId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An order */
    get: operations['getOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders/{orderId}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel an order awaiting payment */
    post: operations['cancelOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/orders/{orderId}/payment': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pay an order from the balance
     * @description One transaction: the balance is charged, the order PAID, its coupon USED, its units counted as sold.
     */
    post: operations['payOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List products by id */
    get: operations['listProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/products/{productId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A product with its stock */
    get: operations['getProduct'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/products/top': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Best sellers of the last days
     * @description Quantity sold in orders paid within the last `days` days, most first, ties by lower product id.
     */
    get: operations['getTopProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: 200 when MySQL and Redis answer, else 503 naming which does not */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/requests/{requestId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The status of a queued request (long poll with waitMs) */
    get: operations['getRequest'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/users/{userId}/balance': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's balance */
    get: operations['getBalance'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/users/{userId}/balance/charge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Charge (top up) a user's balance
     * @description Concurrent charges of one user all count. A balance may not exceed 1,000,000,000.
     */
    post: operations['chargeBalance'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/users/{userId}/balance/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's balance history, newest first */
    get: operations['getBalanceHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/users/{userId}/coupons': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The coupons a user holds */
    get: operations['listUserCoupons'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Balance: {
      balance: number;
      userId: number;
    };
    BalanceHistory: {
      items: components['schemas']['BalanceHistoryItem'][];
      /** @description Pass as `cursor` for the next page; null at the end */
      nextCursor: string | null;
    };
    BalanceHistoryItem: {
      amount: number;
      balanceAfter: number;
      /** Format: date-time */
      createdAt: string;
      /** @enum {string} */
      kind: 'CHARGE' | 'PAYMENT' | 'REFUND';
      orderId?: number;
    };
    ChargeRequest: {
      amount: number;
    };
    ChargeResult: components['schemas']['Balance'] & {
      chargedAmount: number;
    };
    ClaimRequest: {
      /** @example 1 */
      userId: number;
    };
    Coupon: {
      /** Format: date-time */
      claimEndsAt: string | null;
      /** Format: date-time */
      claimStartsAt: string | null;
      /** @enum {string} */
      discountType: 'FIXED' | 'PERCENT';
      discountValue: number;
      id: number;
      issuedQuantity: number;
      maxDiscountAmount: number | null;
      minOrderAmount: number;
      name: string;
      /**
       * Format: date-time
       * @description Claims from here until claimStartsAt wait in the pre-queue, drawn at the start
       */
      preQueueOpensAt: string | null;
      remaining: number;
      totalQuantity: number;
      validDays: number;
    };
    /** @description Only when REJECTED (a business outcome) or FAILED (INVALID_PAYLOAD, PROCESSING_ERROR) */
    CouponClaimError: {
      /** @enum {string} */
      code:
        | 'SOLD_OUT'
        | 'ALREADY_ISSUED'
        | 'COUPON_NOT_FOUND'
        | 'CLAIM_WINDOW_CLOSED'
        | 'INVALID_PAYLOAD'
        | 'PROCESSING_ERROR';
      message: string;
    };
    CouponClaimRequest: {
      /** Format: date-time */
      acceptedAt: string;
      error?: components['schemas']['CouponClaimError'];
      /** @description Only while QUEUED, once the lane has a recent decide rate: (position + 1) ÷ rate, in ms */
      estimatedWaitMs?: number;
      /** Format: date-time */
      finishedAt: string | null;
      /** @description Only while QUEUED: how many requests of its lane are ahead of it */
      position?: number;
      /** @description Only for a claim waiting in a coupon's pre-queue (sequence null until drawn) */
      preQueued?: boolean;
      /** @example c2-1892-k3j9x0a1bq */
      requestId: string;
      result?: components['schemas']['CouponClaimResult'];
      /** @description Arrival order within its lane; null for an answer given without queueing */
      sequence: number | null;
      /** @enum {string} */
      status: 'QUEUED' | 'PROCESSING' | 'SUCCEEDED' | 'REJECTED' | 'FAILED';
      /**
       * @description discriminator enum property added by openapi-typescript
       * @enum {string}
       */
      type: 'COUPON_CLAIM';
    };
    /** @description Only when SUCCEEDED: the coupon issued to the user */
    CouponClaimResult: {
      couponId: number;
      /** Format: date-time */
      expiresAt: string;
      userCouponId: number;
    };
    /**
     * @description A stable name of what went wrong; switch on it, not on `title` or `detail`.
     * @enum {string}
     */
    ErrorCode:
      | 'VALIDATION_FAILED'
      | 'MALFORMED_REQUEST'
      | 'UNAUTHORIZED'
      | 'FORBIDDEN'
      | 'NOT_FOUND'
      | 'REQUEST_NOT_FOUND'
      | 'PRODUCT_NOT_FOUND'
      | 'ORDER_NOT_FOUND'
      | 'COUPON_NOT_FOUND'
      | 'REQUEST_TIMEOUT'
      | 'BALANCE_LIMIT_EXCEEDED'
      | 'INSUFFICIENT_BALANCE'
      | 'INSUFFICIENT_STOCK'
      | 'ORDER_NOT_PAYABLE'
      | 'ORDER_NOT_CANCELLABLE'
      | 'IDEMPOTENCY_KEY_IN_PROGRESS'
      | 'PAYLOAD_TOO_LARGE'
      | 'UNSUPPORTED_MEDIA_TYPE'
      | 'IDEMPOTENCY_KEY_REUSED'
      | 'RATE_LIMITED'
      | 'REQUEST_HEADERS_TOO_LARGE'
      | 'HTTP_ERROR'
      | 'INTERNAL_ERROR'
      | 'SERVICE_UNAVAILABLE'
      | 'IDENTITY_UNAVAILABLE'
      | 'OVERLOADED'
      | 'NOT_READY'
      | 'PRE_QUEUE_WINDOW_INVALID'
      | 'NO_PRE_QUEUE'
      | 'PRE_QUEUE_DRAWING';
    Health: {
      /** @enum {string} */
      status: 'ok';
    };
    NewCoupon: components['schemas']['NewFixedCoupon'] | components['schemas']['NewPercentCoupon'];
    NewFixedCoupon: {
      /** Format: date-time */
      claimEndsAt?: string | null;
      /** Format: date-time */
      claimStartsAt?: string | null;
      /**
       * @description discriminator enum property added by openapi-typescript
       * @enum {string}
       */
      discountType: 'FIXED';
      /** @description Won off */
      discountValue: number;
      /** @description PERCENT only: the most it takes off; null or absent for no cap */
      maxDiscountAmount?: number | null;
      minOrderAmount?: number;
      name: string;
      /**
       * Format: date-time
       * @description Opens a pre-queue: claims from then until claimStartsAt (which it must precede) are drawn in a uniformly random order at claimStartsAt, ahead of every later claim
       */
      preQueueOpensAt?: string | null;
      totalQuantity: number;
      validDays: number;
    };
    NewOrder: {
      /** @description 1 to 20 lines with distinct productId values */
      items: {
        /** @example 1 */
        productId: number;
        quantity: number;
      }[];
      /** @example 1 */
      userCouponId?: number;
      /** @example 1 */
      userId: number;
    };
    NewPercentCoupon: {
      /** Format: date-time */
      claimEndsAt?: string | null;
      /** Format: date-time */
      claimStartsAt?: string | null;
      /**
       * @description discriminator enum property added by openapi-typescript
       * @enum {string}
       */
      discountType: 'PERCENT';
      /** @description Percent off, rounded down */
      discountValue: number;
      /** @description PERCENT only: the most it takes off; null or absent for no cap */
      maxDiscountAmount?: number | null;
      minOrderAmount?: number;
      name: string;
      /**
       * Format: date-time
       * @description Opens a pre-queue: claims from then until claimStartsAt (which it must precede) are drawn in a uniformly random order at claimStartsAt, ahead of every later claim
       */
      preQueueOpensAt?: string | null;
      totalQuantity: number;
      validDays: number;
    };
    NewProduct: {
      maxPerUser?: number | null;
      name: string;
      price: number;
      stock: number;
    };
    /** @description RFC 9457 problem details */
    NotReady: components['schemas']['Problem'] & {
      /** @enum {string} */
      code?: 'NOT_READY';
      /** @enum {string} */
      mysql: 'up' | 'down';
      /** @enum {string} */
      redis: 'up' | 'down';
    };
    Order: {
      /** Format: date-time */
      createdAt: string;
      discountAmount: number;
      /** Format: date-time */
      expiresAt: string;
      id: number;
      items: components['schemas']['OrderLine'][];
      /** Format: date-time */
      paidAt: string | null;
      paymentAmount: number;
      /** @enum {string} */
      status: 'PENDING_PAYMENT' | 'PAID' | 'CANCELLED' | 'EXPIRED';
      totalAmount: number;
      userCouponId: number | null;
      userId: number;
    };
    /** @description Only when REJECTED (a business outcome) or FAILED (INVALID_PAYLOAD, PROCESSING_ERROR) */
    OrderError: {
      /** @enum {string} */
      code:
        | 'PRODUCT_NOT_FOUND'
        | 'INSUFFICIENT_STOCK'
        | 'COUPON_NOT_USABLE'
        | 'PURCHASE_LIMIT_EXCEEDED'
        | 'PENDING_LIMIT_EXCEEDED'
        | 'INSUFFICIENT_BALANCE'
        | 'INVALID_PAYLOAD'
        | 'PROCESSING_ERROR';
      message: string;
    };
    OrderLine: {
      productId: number;
      quantity: number;
      unitPrice: number;
    };
    OrderRequest: {
      /** Format: date-time */
      acceptedAt: string;
      error?: components['schemas']['OrderError'];
      /** @description Only while QUEUED, once the lane has a recent decide rate: (position + 1) ÷ rate, in ms */
      estimatedWaitMs?: number;
      /** Format: date-time */
      finishedAt: string | null;
      /** @description Only while QUEUED: how many requests of its lane are ahead of it */
      position?: number;
      /** @description Only for a claim waiting in a coupon's pre-queue (sequence null until drawn) */
      preQueued?: boolean;
      /** @example c2-1892-k3j9x0a1bq */
      requestId: string;
      result?: components['schemas']['OrderResult'];
      /** @description Arrival order within its lane; null for an answer given without queueing */
      sequence: number | null;
      /** @enum {string} */
      status: 'QUEUED' | 'PROCESSING' | 'SUCCEEDED' | 'REJECTED' | 'FAILED';
      /**
       * @description discriminator enum property added by openapi-typescript
       * @enum {string}
       */
      type: 'ORDER';
    };
    /** @description Only when SUCCEEDED: the order, holding its stock and coupon */
    OrderResult: {
      orderId: number;
    };
    PaymentResult: {
      balance: number;
      orderId: number;
      paidAmount: number;
      /** @enum {string} */
      status: 'PAID';
    };
    PreQueueDraw: {
      /** @description Every pre-queued claim in drawn order (position 1 first); empty while PENDING */
      claims: {
        /** Format: date-time */
        acceptedAt: string;
        position: number;
        requestId: string;
        sequence: number;
        userId: number;
      }[];
      /** Format: date-time */
      claimStartsAt: string | null;
      couponId: number;
      /**
       * Format: date-time
       * @description When the draw was recorded; null while PENDING
       */
      drawnAt: string | null;
      /** Format: date-time */
      preQueueOpensAt: string;
      /**
       * @description PENDING until the draw at claimStartsAt has run
       * @enum {string}
       */
      status: 'PENDING' | 'DRAWN';
    };
    /** @description RFC 9457 problem details */
    Problem: {
      code: components['schemas']['ErrorCode'];
      detail: string;
      /** @description With VALIDATION_FAILED: each offending field (`body.items.0.quantity`) */
      errors?: {
        message: string;
        path: string;
      }[];
      status: number;
      title: string;
      type: string;
    };
    Product: {
      id: number;
      /** @description Most units one user may hold in PENDING_PAYMENT and PAID orders; null when unlimited */
      maxPerUser: number | null;
      name: string;
      price: number;
      stock: number;
    };
    ProductChange: {
      maxPerUser: number | null;
    };
    ProductPage: {
      items: components['schemas']['Product'][];
      nextCursor: string | null;
    };
    QueuedRequest: components['schemas']['CouponClaimRequest'] | components['schemas']['OrderRequest'];
    Ready: {
      /** @enum {string} */
      mysql: 'up';
      /** @enum {string} */
      redis: 'up';
      /** @enum {string} */
      status: 'ready';
    };
    StockDelta: {
      delta: number;
    };
    TopProduct: {
      name: string;
      price: number;
      productId: number;
      rank: number;
      soldQuantity: number;
      stock: number;
    };
    TopProducts: {
      /** Format: date-time */
      from: string;
      items: components['schemas']['TopProduct'][];
      /** Format: date-time */
      to: string;
    };
    UserCoupon: {
      couponId: number;
      /** @enum {string} */
      discountType: 'FIXED' | 'PERCENT';
      discountValue: number;
      /** Format: date-time */
      expiresAt: string;
      /** Format: date-time */
      issuedAt: string;
      maxDiscountAmount: number | null;
      minOrderAmount: number;
      name: string;
      /** @enum {string} */
      status: 'AVAILABLE' | 'RESERVED' | 'USED' | 'EXPIRED';
      /** Format: date-time */
      usedAt: string | null;
      userCouponId: number;
    };
    UserCoupons: {
      items: components['schemas']['UserCoupon'][];
    };
    UserRef: {
      /** @example 1 */
      userId: number;
    };
  };
  responses: never;
  parameters: {
    /**
     * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
     * @example order-2f8c1e
     */
    'Idempotency-Key': string;
    /**
     * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
     * @example checkout-7f3a
     */
    'X-Request-Id': string;
  };
  requestBodies: never;
  headers: {
    /** @description Where to poll the queued request: `/requests/{requestId}` */
    Location: string;
    /** @description Seconds to wait before asking again */
    'Retry-After': string;
    /** @description The request id: the one the client sent when it matches this pattern, else a new UUID */
    'X-Request-Id': string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  createCoupon: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['NewCoupon'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Coupon'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description Credentials are missing or wrong: UNAUTHORIZED */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNAUTHORIZED';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED, PRE_QUEUE_WINDOW_INVALID */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED' | 'PRE_QUEUE_WINDOW_INVALID';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getCouponDraw: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        couponId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The draw, or PENDING while it has not run */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PreQueueDraw'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description Credentials are missing or wrong: UNAUTHORIZED */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNAUTHORIZED';
          };
        };
      };
      /** @description The resource does not exist: COUPON_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'COUPON_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: NO_PRE_QUEUE */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'NO_PRE_QUEUE';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  createProduct: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['NewProduct'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Product'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description Credentials are missing or wrong: UNAUTHORIZED */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNAUTHORIZED';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  updateProduct: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        productId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['ProductChange'];
      };
    };
    responses: {
      /** @description Updated */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Product'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description Credentials are missing or wrong: UNAUTHORIZED */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNAUTHORIZED';
          };
        };
      };
      /** @description The resource does not exist: PRODUCT_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PRODUCT_NOT_FOUND';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  restockProduct: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        productId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['StockDelta'];
      };
    };
    responses: {
      /** @description Restocked */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Product'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description Credentials are missing or wrong: UNAUTHORIZED */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNAUTHORIZED';
          };
        };
      };
      /** @description The resource does not exist: PRODUCT_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PRODUCT_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: INSUFFICIENT_STOCK */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INSUFFICIENT_STOCK';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getCoupon: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        couponId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The coupon with issued and remaining counts */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Coupon'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: COUPON_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'COUPON_NOT_FOUND';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  claimCoupon: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description `wait=N` (1 … 10 seconds; more is taken as 10): the request is queued as without it and the answer held until it is final (200 with the final resource and Preference-Applied) or N seconds pass (202 as usual)
         * @example wait=5
         */
        Prefer?: string;
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        couponId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['ClaimRequest'];
      };
    };
    responses: {
      /** @description Already final without queueing (the coupon is sold out), or a repeat whose request is decided */
      200: {
        headers: {
          Location: components['headers']['Location'];
          /** @description With `Prefer: wait`, on a final answer: the wait that was applied */
          'Preference-Applied'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuedRequest'];
        };
      };
      /** @description Queued; poll Location. Also a repeat whose request still waits or runs */
      202: {
        headers: {
          Location: components['headers']['Location'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuedRequest'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: COUPON_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'COUPON_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description Too many queued submits by this user; retry after Retry-After: RATE_LIMITED */
      429: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE, OVERLOADED, PRE_QUEUE_DRAWING */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE' | 'OVERLOADED' | 'PRE_QUEUE_DRAWING';
          };
        };
      };
    };
  };
  getHealth: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process runs */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getMetrics: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Prometheus text exposition format */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  placeOrder: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description `wait=N` (1 … 10 seconds; more is taken as 10): the request is queued as without it and the answer held until it is final (200 with the final resource and Preference-Applied) or N seconds pass (202 as usual)
         * @example wait=5
         */
        Prefer?: string;
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['NewOrder'];
      };
    };
    responses: {
      /** @description Final at once: an order of one product the order lane left out of stock (REJECTED INSUFFICIENT_STOCK, no sequence), or a repeat of the same Idempotency-Key and body whose request is decided */
      200: {
        headers: {
          Location: components['headers']['Location'];
          /** @description With `Prefer: wait`, on a final answer: the wait that was applied */
          'Preference-Applied'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuedRequest'];
        };
      };
      /** @description Queued; poll Location. Also a repeat whose request still waits or runs */
      202: {
        headers: {
          Location: components['headers']['Location'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuedRequest'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: PRODUCT_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PRODUCT_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description Too many queued submits by this user; retry after Retry-After: RATE_LIMITED */
      429: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE, OVERLOADED */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE' | 'OVERLOADED';
          };
        };
      };
    };
  };
  getOrder: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        orderId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Order'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: ORDER_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'ORDER_NOT_FOUND';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  cancelOrder: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        orderId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['UserRef'];
      };
    };
    responses: {
      /** @description Cancelled; stock and coupon released */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Order'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource belongs to another user: FORBIDDEN */
      403: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description The resource does not exist: ORDER_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'ORDER_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS, ORDER_NOT_CANCELLABLE */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'ORDER_NOT_CANCELLABLE';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  payOrder: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        orderId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['UserRef'];
      };
    };
    responses: {
      /** @description Paid */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentResult'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource belongs to another user: FORBIDDEN */
      403: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description The resource does not exist: ORDER_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'ORDER_NOT_FOUND';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS, INSUFFICIENT_BALANCE, ORDER_NOT_PAYABLE */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'INSUFFICIENT_BALANCE' | 'ORDER_NOT_PAYABLE';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  listProducts: {
    parameters: {
      query?: {
        /** @description The `nextCursor` of the previous page */
        cursor?: string;
        limit?: number;
      };
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Products by id; `stock` is what new orders can take */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProductPage'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getProduct: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        productId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The product */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Product'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: PRODUCT_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PRODUCT_NOT_FOUND';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getTopProducts: {
    parameters: {
      query?: {
        days?: number;
        limit?: number;
      };
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Best sellers of paid orders in the window */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TopProducts'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description MySQL and Redis answer */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Ready'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description NOT_READY: MySQL or Redis does not answer (named in `detail`, `mysql`, `redis`) */
      503: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['NotReady'];
        };
      };
    };
  };
  getRequest: {
    parameters: {
      query?: {
        /** @description Hold the answer until the request is final or this many ms have passed (long poll) */
        waitMs?: number;
      };
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        requestId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The request; Retry-After while QUEUED or PROCESSING */
      200: {
        headers: {
          /** @description Seconds to wait before asking again; while QUEUED or PROCESSING: the estimated wait in whole seconds, 1 … 10 (1 without an estimate) */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuedRequest'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The resource does not exist: REQUEST_NOT_FOUND */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'REQUEST_NOT_FOUND';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE, OVERLOADED */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE' | 'OVERLOADED';
          };
        };
      };
    };
  };
  getBalance: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        userId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The balance (0 for a user never seen) */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Balance'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  chargeBalance: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-2f8c1e
         */
        'Idempotency-Key'?: components['parameters']['Idempotency-Key'];
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        userId: number;
      };
      cookie?: never;
    };
    /** @description JSON, at most 64 KiB (larger: 413) */
    requestBody: {
      content: {
        'application/json': components['schemas']['ChargeRequest'];
      };
    };
    responses: {
      /** @description Charged */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ChargeResult'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description The request conflicts with the current state; nothing changed: IDEMPOTENCY_KEY_IN_PROGRESS, BALANCE_LIMIT_EXCEEDED */
      409: {
        headers: {
          /** @description Seconds to wait before asking again; with IDEMPOTENCY_KEY_IN_PROGRESS */
          'Retry-After'?: string;
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'BALANCE_LIMIT_EXCEEDED';
          };
        };
      };
      /** @description The body exceeds 64 KiB: PAYLOAD_TOO_LARGE */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'PAYLOAD_TOO_LARGE';
          };
        };
      };
      /** @description The body is not application/json: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description The Idempotency-Key was used with another body: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getBalanceHistory: {
    parameters: {
      query?: {
        /** @description The `nextCursor` of the previous page */
        cursor?: string;
        limit?: number;
      };
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        userId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Newest first */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BalanceHistory'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
  listUserCoupons: {
    parameters: {
      query?: {
        status?: 'AVAILABLE' | 'RESERVED' | 'USED' | 'EXPIRED';
      };
      header?: {
        /**
         * @description Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used
         * @example checkout-7f3a
         */
        'X-Request-Id'?: components['parameters']['X-Request-Id'];
      };
      path: {
        userId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user's coupons, newest first */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UserCoupons'];
        };
      };
      /** @description Malformed HTTP, or a field is missing, of the wrong type or out of range: MALFORMED_REQUEST, VALIDATION_FAILED */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description An unexpected error; nothing was written: INTERNAL_ERROR */
      500: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'INTERNAL_ERROR';
          };
        };
      };
      /** @description The engine cannot take the request now; retry after Retry-After: SERVICE_UNAVAILABLE */
      503: {
        headers: {
          'Retry-After': components['headers']['Retry-After'];
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @enum {string} */
            code?: 'SERVICE_UNAVAILABLE';
          };
        };
      };
    };
  };
}
