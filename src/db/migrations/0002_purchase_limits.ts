// Per-user purchase limits. The orders lane decides the limit in arrival order; the trigger is the
// database's own guard behind it: an order line that would take a user's units of a limited product
// in PENDING_PAYMENT and PAID orders above the limit cannot be written, whoever writes it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE products
    ADD COLUMN max_per_user INT NULL AFTER stock,
    ADD CONSTRAINT products_max_per_user_positive CHECK (max_per_user IS NULL OR max_per_user > 0)`.execute(db);
  await sql`CREATE TRIGGER order_items_purchase_limit BEFORE INSERT ON order_items FOR EACH ROW
    BEGIN
      DECLARE lim INT DEFAULT NULL;
      DECLARE held BIGINT DEFAULT 0;
      SELECT max_per_user INTO lim FROM products WHERE id = NEW.product_id;
      IF lim IS NOT NULL THEN
        SELECT COALESCE(SUM(oi.quantity), 0) INTO held
          FROM orders o JOIN order_items oi ON oi.order_id = o.id AND oi.product_id = NEW.product_id
          WHERE o.user_id = (SELECT user_id FROM orders WHERE id = NEW.order_id)
            AND o.status IN ('PENDING_PAYMENT', 'PAID');
        IF held + NEW.quantity > lim THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'PURCHASE_LIMIT_EXCEEDED';
        END IF;
      END IF;
    END`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS order_items_purchase_limit`.execute(db);
  await sql`ALTER TABLE products DROP CONSTRAINT products_max_per_user_positive, DROP COLUMN max_per_user`.execute(db);
}
