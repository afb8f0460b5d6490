// Real API and worker processes for end-to-end tests, each with its own database and key prefix.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dropDatabase, migrateToLatest } from '../../src/db/migrate.js';
import { deleteKeysWithPrefix } from './redis-cleanup.js';
import { ADMIN_TOKEN } from './context.js';

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

/**
 * A database and Redis prefix of their own, so lanes of different tests never meet. With
 * `redisClusterNodes`, every process of the stack uses that Redis Cluster (REDIS_CLUSTER_NODES).
 */
export async function isolatedStack({ redisClusterNodes }: { redisClusterNodes?: string } = {}) {
  const suffix = randomBytes(3).toString('hex');
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${suffix}`;
  const databaseUrl = url.toString();
  const queuePrefix = `${inject('queuePrefix')}-${suffix}`;
  await migrateToLatest(databaseUrl);
  const procs: ManagedProcess[] = [];
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: queuePrefix,
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    ...(redisClusterNodes ? { REDIS_CLUSTER_NODES: redisClusterNodes } : {}),
    ...extra,
  });
  return {
    databaseUrl,
    queuePrefix,
    env,
    /**
     * `cwd` runs the API from another working directory (it must not depend on it); `startTimeoutMs`
     * gives a slow start (many processes starting at once) longer than the default.
     */
    async api(
      extra: Record<string, string> = {},
      options: { cwd?: string; startTimeoutMs?: number; entry?: string } = {},
    ) {
      const port = await freePort();
      const entry = options.entry ?? 'apps/api/main.ts';
      const proc = new ManagedProcess(entry, env({ PORT: String(port), ...extra }), options.cwd);
      procs.push(proc);
      await proc.waitForLog(/api listening/, options.startTimeoutMs ?? 30_000);
      return { proc, url: `http://127.0.0.1:${port}` };
    },
    /** `entry` runs another worker entry point (the tests' unfair worker, test/support/reverse-worker.ts). */
    worker(extra: Record<string, string> = {}, entry = 'workers/main.ts') {
      const proc = new ManagedProcess(entry, env({ METRICS_PORT: '0', ...extra }));
      procs.push(proc);
      return proc;
    },
    async close() {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
      await dropDatabase(databaseUrl);
      const cluster = redisClusterNodes ? loadConfig({ REDIS_CLUSTER_NODES: redisClusterNodes }) : null;
      await deleteKeysWithPrefix(inject('redisUrl'), queuePrefix, cluster?.REDIS_CLUSTER_NODES);
    },
  };
}

export type Stack = Awaited<ReturnType<typeof isolatedStack>>;

export interface LogLine {
  msg?: string;
  time?: number;
  lane?: string;
  [key: string]: unknown;
}

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  private readonly listeners = new Set<() => void>();
  private exited: Promise<number | null>;

  constructor(entry: string, env: Record<string, string>, cwd?: string) {
    const args = cwd
      ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, resolve(entry)]
      : ['--import', 'tsx', entry];
    this.child = spawn(process.execPath, args, {
      ...(cwd ? { cwd } : {}),
      env: { ...process.env, ...env, LOG_PRETTY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const raw = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(raw) as LogLine);
        } catch {
          this.lines.push({ msg: raw });
        }
      }
      for (const l of this.listeners) l();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Waits for a log line whose `msg` matches (and that passes `where`), and returns it. */
  waitForLog(pattern: RegExp, timeoutMs = 30_000, where: (l: LogLine) => boolean = () => true): Promise<LogLine> {
    const find = () => this.lines.find((l) => pattern.test(String(l.msg ?? '')) && where(l));
    return new Promise((resolve, reject) => {
      const hit = find();
      if (hit) return resolve(hit);
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `timed out waiting for ${pattern} from pid ${this.pid}; last lines: ${JSON.stringify(this.lines.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const found = find();
        if (found) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(found);
        }
      };
      this.listeners.add(check);
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
