import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createDb, databaseName, poolOptions } from './database.js';
import * as initial from './migrations/0001_initial.js';
import * as purchaseLimits from './migrations/0002_purchase_limits.js';
import * as requestTypes from './migrations/0004_request_types.js';
import * as outcomesFinishedAt from './migrations/0005_request_outcomes_finished_at.js';
import * as preQueue from './migrations/0006_pre_queue.js';

// Migrations are listed here rather than read from a folder, so they work the same under tsx,
// compiled output and bundlers.
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_purchase_limits': purchaseLimits,
  '0004_request_types': requestTypes,
  '0005_request_outcomes_finished_at': outcomesFinishedAt,
  '0006_pre_queue': preQueue,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

async function createDatabaseIfMissing(databaseUrl: string): Promise<void> {
  const { database, ...options } = poolOptions(databaseUrl);
  const conn = await createConnection({ ...options, database: undefined });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database ?? databaseName(databaseUrl)}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { database, ...options } = poolOptions(databaseUrl);
  const conn = await createConnection({ ...options, database: undefined });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database ?? databaseName(databaseUrl)}\``);
  } finally {
    await conn.end();
  }
}

export async function migrateToLatest(databaseUrl: string): Promise<string[]> {
  await createDatabaseIfMissing(databaseUrl);
  const db = createDb(databaseUrl, { connectionLimit: 1 });
  try {
    const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } finally {
    await db.destroy();
  }
}
