import { Kysely, MysqlDialect, type Transaction } from 'kysely';
import { createPool, type PoolOptions } from 'mysql2';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
/** The database, or a transaction of it: what a read that may run inside one takes. */
export type Executor = Db | Transaction<Database>;

/**
 * Runs `work` in one transaction and commits it. A service that changes state takes one, so that its
 * caller may commit more with the same effect (a synchronous POST's Idempotency-Key answer).
 */
export type Transact = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

export const transactionOf =
  (db: Db): Transact =>
  (work) =>
    db.transaction().execute(work);

export interface DbOptions {
  connectionLimit?: number;
}

export function poolOptions(databaseUrl: string, options: DbOptions = {}): PoolOptions {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: databaseName(databaseUrl),
    connectionLimit: options.connectionLimit ?? 10,
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
    dateStrings: ['DATE'],
    connectTimeout: 5_000,
    enableKeepAlive: true,
  };
}

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`Invalid database name in DATABASE_URL: "${name}"`);
  return name;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const pool = createPool(poolOptions(databaseUrl, options));
  // Every session works in UTC so that DATETIME values and CURRENT_TIMESTAMP agree with JavaScript Dates.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
}
