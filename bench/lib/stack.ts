// What every design in the bench needs: its own database (the engine's schema) and Redis prefix,
// the load generator as its own process, and clean-up afterwards (processes: rush/processes.ts).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/database.js';
import { dropDatabase, migrateToLatest } from '../../src/db/migrate.js';
import { deleteKeysWithPrefix } from '../../rush/redis-cleanup.js';
import type { GeneratorResult, GeneratorSpec } from '../generator.js';

export interface Isolated {
  name: string;
  databaseUrl: string;
  queuePrefix: string;
  db: Db;
  close(): Promise<void>;
}

export async function isolated(baseDatabaseUrl: string, redisUrl: string, label: string): Promise<Isolated> {
  const suffix = randomBytes(3).toString('hex');
  const url = new URL(baseDatabaseUrl);
  url.pathname = `/ce_bench_${label}_${suffix}`;
  const databaseUrl = url.toString();
  const queuePrefix = `cebench-${label}-${suffix}`;
  await migrateToLatest(databaseUrl);
  const db = createDb(databaseUrl, { connectionLimit: 4 });
  return {
    name: label,
    databaseUrl,
    queuePrefix,
    db,
    async close() {
      await db.destroy();
      await dropDatabase(databaseUrl);
      await deleteKeysWithPrefix(redisUrl, queuePrefix);
    },
  };
}

export async function countRows(db: Db, table: 'request_outcomes' | 'orders'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`COUNT(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many outcomes the lane wrote, from its first decision to its last, and the rate that makes. */
export async function decideSpan(db: Db): Promise<{ decided: number; seconds: number; rate: number }> {
  const span = await db
    .selectFrom('request_outcomes')
    .select([
      sql<Date>`MIN(finished_at)`.as('first'),
      sql<Date>`MAX(finished_at)`.as('last'),
      sql<number>`COUNT(*)`.as('n'),
    ])
    .executeTakeFirstOrThrow();
  const seconds = (new Date(span.last).getTime() - new Date(span.first).getTime()) / 1000;
  return { decided: Number(span.n), seconds, rate: Number(span.n) / Math.max(seconds, 0.001) };
}

/** Waits until `table` holds at least `target` rows; false when `timeoutMs` passed first. */
export async function waitForRows(
  db: Db,
  table: 'request_outcomes' | 'orders',
  target: number,
  timeoutMs: number,
  onProgress?: (n: number) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countRows(db, table);
    onProgress?.(n);
    if (n >= target) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The MariaDB server and the Redis server on `redisPort` (shared with anything else on the machine). */
export function servicePids(redisPort: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const cmdline = comm === 'redis-server' ? readFileSync(`/proc/${entry}/cmdline`, 'utf8') : '';
      if (comm === 'mariadbd' || comm === 'mysqld' || cmdline.includes(`:${redisPort}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Runs the load generator (bench/generator.ts) as its own process over `requests` and returns every answer. */
export async function runGenerator(url: string, connections: number, requests: GeneratorSpec['requests']) {
  const dir = await mkdtemp(join(tmpdir(), 'ce-bench-'));
  try {
    const specPath = join(dir, 'spec.json');
    const outPath = join(dir, 'results.json');
    await writeFile(specPath, JSON.stringify({ baseUrl: url, connections, requests } satisfies GeneratorSpec));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/generator.ts', '--spec', specPath, '--out', outPath],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    return JSON.parse(await readFile(outPath, 'utf8')) as GeneratorResult[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
