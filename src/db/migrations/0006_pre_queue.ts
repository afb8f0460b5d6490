// A coupon's pre-queue: claims taken from pre_queue_opens_at on wait for claim_starts_at, when they
// are drawn into the lane in a random order. coupon_draws is the durable record of that draw (who,
// which position, which sequence), written once by the lane owner; pre_queue_drawn_at says when.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE coupons
    ADD COLUMN pre_queue_opens_at DATETIME(3) NULL AFTER claim_starts_at,
    ADD COLUMN pre_queue_drawn_at DATETIME(3) NULL AFTER pre_queue_opens_at,
    ADD CONSTRAINT coupons_pre_queue_before_start CHECK (pre_queue_opens_at IS NULL
      OR (claim_starts_at IS NOT NULL AND pre_queue_opens_at < claim_starts_at))`.execute(db);
  await sql`CREATE TABLE coupon_draws (
    coupon_id BIGINT UNSIGNED NOT NULL,
    position INT NOT NULL,
    request_id VARCHAR(64) NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    sequence BIGINT NOT NULL,
    accepted_at DATETIME(3) NOT NULL,
    PRIMARY KEY (coupon_id, position),
    UNIQUE KEY coupon_draws_request (request_id),
    UNIQUE KEY coupon_draws_user (coupon_id, user_id),
    UNIQUE KEY coupon_draws_sequence (coupon_id, sequence),
    CONSTRAINT coupon_draws_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id),
    CONSTRAINT coupon_draws_position_positive CHECK (position > 0)
  ) ENGINE=InnoDB`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS coupon_draws`.execute(db);
  await sql`ALTER TABLE coupons DROP CONSTRAINT coupons_pre_queue_before_start,
    DROP COLUMN pre_queue_drawn_at, DROP COLUMN pre_queue_opens_at`.execute(db);
}
