// A throwaway Redis Cluster of real redis-server processes on free loopback ports, in a temporary
// directory, for tests that must see keys spread over several masters.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../rush/processes.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RedisClusterHandle {
  ports: number[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`, the value of REDIS_CLUSTER_NODES. */
  nodes: string;
  /** `redis-cli -p <port> <args…>` against one node. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  let lastError: unknown;
  // A free port can be taken by someone else between our probe and redis-server's bind: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await tryStart(masters);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function tryStart(masters: number): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'ce-redis-cluster-'));
  const ports: number[] = [];
  const procs: ChildProcess[] = [];
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout;
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The cluster bus normally sits at port + 10000, which may be taken or out of range: pick it too.
      const busPort = await freePort();
      ports.push(port);
      const settings = {
        port,
        'cluster-port': busPort,
        bind: '127.0.0.1',
        'cluster-enabled': 'yes',
        'cluster-config-file': join(dir, `nodes-${port}.conf`),
        'cluster-node-timeout': 5000,
        save: '',
        appendonly: 'no',
        dir,
        'maxmemory-policy': 'noeviction',
      };
      const args = Object.entries(settings).flatMap(([k, v]) => [`--${k}`, String(v)]);
      const proc = spawn('redis-server', args, { stdio: 'ignore' });
      procs.push(proc);
    }
    // A fresh cluster-enabled node of ours knows only itself (a foreign server on the port would not).
    const fresh = async (port: number) =>
      procs.every((p) => p.exitCode === null) && (await cli(port, 'cluster', 'info')).includes('cluster_known_nodes:1');
    await Promise.all(ports.map((port) => until(() => fresh(port), 10_000)));
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await Promise.all(
      ports.map((port) => until(async () => (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'), 20_000)),
    );
    return { ports, nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), cli, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await check().catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Which master (by port) serves each slot range, from `CLUSTER NODES`. */
export async function slotOwners(cluster: RedisClusterHandle): Promise<{ port: number; ranges: [number, number][] }[]> {
  const out = await cluster.cli(cluster.ports[0] as number, 'cluster', 'nodes');
  return out
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 9 && f[2]?.includes('master'))
    .map((f) => ({
      port: Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]),
      ranges: f.slice(8).map((r): [number, number] => {
        const [start, end] = r.split('-').map(Number);
        return [start as number, end ?? (start as number)];
      }),
    }));
}
