// One database and one Redis key prefix per test run, created here and removed afterwards, so
// runs never collide and leftovers never matter.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { dropDatabase, migrateToLatest } from '../../src/db/migrate.js';
import { deleteKeysWithPrefix } from '../../rush/redis-cleanup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    queuePrefix: string;
  }
}

const baseDbUrl =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/coupon_engine';
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function mysqlAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  try {
    const conn = await createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      connectTimeout: 2_000,
    });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function ensureServices(): Promise<void> {
  let [mysql, redis] = await Promise.all([mysqlAnswers(baseDbUrl), redisAnswers(redisUrl)]);
  if (mysql && redis) return;
  if (dockerAvailable()) {
    execFileSync('docker', ['compose', 'up', '-d', '--wait', 'mariadb', 'redis'], { stdio: 'inherit' });
    [mysql, redis] = await Promise.all([mysqlAnswers(baseDbUrl), redisAnswers(redisUrl)]);
    if (mysql && redis) return;
  }
  const missing = [
    mysql ? null : `MariaDB/MySQL at ${new URL(baseDbUrl).host} (set TEST_DATABASE_URL or DATABASE_URL)`,
    redis ? null : `Redis at ${new URL(redisUrl).host} (set TEST_REDIS_URL or REDIS_URL)`,
  ].filter(Boolean);
  throw new Error(
    `The tests need a running ${missing.join(' and ')}. Start them (for example \`docker compose up -d mariadb redis\`) and run npm test again.`,
  );
}

export default async function setup(project: TestProject) {
  await ensureServices();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const url = new URL(baseDbUrl);
  url.pathname = `/ce_test_${runId}`;
  const databaseUrl = url.toString();
  const queuePrefix = `cet${runId}`;
  await migrateToLatest(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('queuePrefix', queuePrefix);

  return async () => {
    await dropDatabase(databaseUrl);
    await deleteKeysWithPrefix(redisUrl, queuePrefix);
  };
}
