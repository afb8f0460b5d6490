// The whole domain. Plain SQL that runs on MariaDB 10.11 and MySQL 8 alike. CHECK constraints and
// unique keys carry the rules the database can enforce by itself.
import { sql, type Kysely } from 'kysely';

const statements = [
  sql`CREATE TABLE balances (
    user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    balance BIGINT NOT NULL DEFAULT 0,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT balances_balance_range CHECK (balance >= 0 AND balance <= 1000000000)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE balance_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    kind ENUM('CHARGE','PAYMENT','REFUND') NOT NULL,
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    order_id BIGINT UNSIGNED NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY balance_history_user (user_id, id),
    CONSTRAINT balance_history_amount_nonnegative CHECK (amount >= 0)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE products (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    price BIGINT NOT NULL,
    stock BIGINT NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT products_price_nonnegative CHECK (price >= 0),
    CONSTRAINT products_stock_nonnegative CHECK (stock >= 0)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE product_sales_daily (
    sale_date DATE NOT NULL,
    product_id BIGINT UNSIGNED NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (sale_date, product_id),
    CONSTRAINT product_sales_daily_quantity_positive CHECK (quantity > 0)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE coupons (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    discount_type ENUM('FIXED','PERCENT') NOT NULL,
    discount_value BIGINT NOT NULL,
    max_discount_amount BIGINT NULL,
    min_order_amount BIGINT NOT NULL DEFAULT 0,
    total_quantity BIGINT NOT NULL,
    issued_quantity BIGINT NOT NULL DEFAULT 0,
    claim_starts_at DATETIME(3) NULL,
    claim_ends_at DATETIME(3) NULL,
    valid_days INT NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT coupons_issued_within_total CHECK (issued_quantity >= 0 AND issued_quantity <= total_quantity),
    CONSTRAINT coupons_value_positive CHECK (discount_value > 0),
    CONSTRAINT coupons_percent_range CHECK (discount_type <> 'PERCENT' OR discount_value <= 100),
    CONSTRAINT coupons_valid_days_positive CHECK (valid_days > 0)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE user_coupons (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    coupon_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    status ENUM('AVAILABLE','RESERVED','USED') NOT NULL,
    request_id VARCHAR(64) NOT NULL,
    order_id BIGINT UNSIGNED NULL,
    issued_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    used_at DATETIME(3) NULL,
    UNIQUE KEY user_coupons_one_per_user (coupon_id, user_id),
    UNIQUE KEY user_coupons_request (request_id),
    KEY user_coupons_user (user_id, id),
    CONSTRAINT user_coupons_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE orders (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    status ENUM('PENDING_PAYMENT','PAID','CANCELLED','EXPIRED') NOT NULL,
    total_amount BIGINT NOT NULL,
    discount_amount BIGINT NOT NULL,
    payment_amount BIGINT NOT NULL,
    user_coupon_id BIGINT UNSIGNED NULL,
    request_id VARCHAR(64) NOT NULL,
    created_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    paid_at DATETIME(3) NULL,
    closed_at DATETIME(3) NULL,
    UNIQUE KEY orders_request (request_id),
    KEY orders_user (user_id, id),
    KEY orders_pending_expiry (status, expires_at),
    CONSTRAINT orders_amounts CHECK (total_amount >= 0 AND discount_amount >= 0
      AND payment_amount >= 0 AND payment_amount = total_amount - discount_amount)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE order_items (
    order_id BIGINT UNSIGNED NOT NULL,
    product_id BIGINT UNSIGNED NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT order_items_order FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT order_items_quantity_positive CHECK (quantity > 0)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE request_outcomes (
    request_id VARCHAR(64) NOT NULL PRIMARY KEY,
    type ENUM('COUPON_CLAIM','ORDER') NOT NULL,
    lane VARCHAR(64) NOT NULL,
    sequence BIGINT NULL,
    status ENUM('SUCCEEDED','REJECTED','FAILED') NOT NULL,
    result TEXT NULL,
    error_code VARCHAR(64) NULL,
    error_message VARCHAR(500) NULL,
    accepted_at DATETIME(3) NOT NULL,
    finished_at DATETIME(3) NOT NULL,
    KEY request_outcomes_lane_sequence (lane, sequence)
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE lanes (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    fence BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL DEFAULT 0,
    updated_at DATETIME(3) NOT NULL
  ) ENGINE=InnoDB`,
  sql`CREATE TABLE idempotency_keys (
    scope VARCHAR(200) CHARACTER SET ascii NOT NULL,
    idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
    state ENUM('PENDING','DONE') NOT NULL,
    response_status INT NULL,
    response_body MEDIUMTEXT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (idem_key, scope),
    KEY idempotency_keys_created (created_at)
  ) ENGINE=InnoDB`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'lanes',
    'request_outcomes',
    'order_items',
    'orders',
    'user_coupons',
    'coupons',
    'product_sales_daily',
    'products',
    'balance_history',
    'balances',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
