// What every design in the bench needs: its own database (the engine's schema) and Redis prefix,
// child processes whose output can be waited on, and clean-up afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/database.js';
import { dropDatabase, migrateToLatest } from '../../src/db/migrate.js';
import type { GeneratorResult, GeneratorSpec } from '../generator.js';

/** The engine's API runs with the heap cap of `npm start` (package.json). */
export const API_NODE_OPTIONS = { NODE_OPTIONS: '--max-old-space-size=128' };

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
      await deleteKeys(redisUrl, queuePrefix);
    },
  };
}

export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A TypeScript entry point run as its own Node process (through tsx), its output kept for waiting. */
export class Child {
  readonly proc: ChildProcess;
  private output = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    entry: string,
    env: Record<string, string>,
    args: string[] = [],
  ) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { ...process.env, LOG_PRETTY: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
      for (const w of this.waiters) w();
    };
    this.proc.stdout?.on('data', onData);
    this.proc.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  get log(): string {
    return this.output;
  }

  /** CPU time (user + system) the process has used so far, in ms; NaN where /proc is unavailable. */
  cpuMs(): number {
    return processCpuMs(this.proc.pid);
  }

  /** The most memory the process has held resident so far (VmHWM), in MB; NaN where /proc is unavailable. */
  peakRssMb(): number {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (pattern.test(this.output)) return resolve();
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.label}: no ${pattern} within ${timeoutMs} ms; output:\n${this.output.slice(-2000)}`));
      }, timeoutMs);
      const check = () => {
        if (!pattern.test(this.output)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      void this.exited.then(() => {
        if (this.waiters.has(check)) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new Error(`${this.label} exited before ${pattern}; output:\n${this.output.slice(-2000)}`));
        }
      });
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function countRows(db: Db, table: 'request_outcomes' | 'orders'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`COUNT(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
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

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return NaN;
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/generator.ts', specPath, outPath], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    return JSON.parse(await readFile(outPath, 'utf8')) as GeneratorResult[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
