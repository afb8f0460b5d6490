import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type PoolOptions } from 'mysql2';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

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
