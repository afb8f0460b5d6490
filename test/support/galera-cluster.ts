// A three-node MariaDB Galera cluster behind an HAProxy of the test's own: node1 the writer, node2
// and node3 backups, each taken only while its check responder (ops/galera/galera-check.ts) says it
// is Synced. Every process is started here on free ports and stopped here by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { freePort, ManagedProcess } from '../../rush/processes.js';
import { sleep } from '../../rush/http.js';
import { GaleraNode } from './galera.js';

export const HAPROXY_CONFIG = resolve('ops/galera/haproxy.cfg');

export interface ClusterOptions {
  /** Replaces the shared file's wsrep_provider_options (e.g. '' for Galera's defaults). */
  providerOptions?: string;
  /** HAProxy's check interval (default 250ms). */
  checkInter?: string;
}

/**
 * Free ports below the kernel's ephemeral range, `count` in a row (Galera's IST listens on the group
 * port + 1). A node listens on its ports again when it restarts; a port from the ephemeral range may
 * by then be taken by any outgoing connection on the machine.
 */
async function freeStablePorts(count: number, taken: Set<number>): Promise<number> {
  const ephemeralFrom = Number(
    (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768')).split(/\s+/)[0],
  );
  for (;;) {
    const first = 10_000 + randomInt(Math.max(1_000, ephemeralFrom - 10_000 - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((p) => taken.has(p)) || !(await Promise.all(ports.map(bindable))).every(Boolean)) continue;
    for (const p of ports) taken.add(p);
    return first;
  }
}

/** Whether a listener can bind the port on every address (gcomm listens on 0.0.0.0). */
function bindable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
  });
}

export class GaleraCluster {
  private haproxy: ChildProcess | undefined;
  private checker: ManagedProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly nodes: GaleraNode[],
    readonly proxyPort: number,
    private readonly checkPorts: number[],
    private readonly checkInter: string,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<GaleraCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'ce-galera-'));
    // The nodes run as `mysql`, which must reach their directories inside it.
    await chmod(dir, 0o755);
    const extra =
      options.providerOptions !== undefined ? [`wsrep_provider_options = "${options.providerOptions}"`] : [];
    const nodes: GaleraNode[] = [];
    const taken = new Set<number>();
    for (const n of [1, 2, 3]) {
      const first = await freeStablePorts(4, taken);
      const ports = { mysql: first, gcomm: first + 1, sst: first + 3 };
      nodes.push(new GaleraNode(`node${n}`, join(dir, `node${n}`), ports, extra));
    }
    const address = `gcomm://${nodes.map((n) => `127.0.0.1:${n.ports.gcomm}`).join(',')}`;
    const checks = await freeStablePorts(3, taken);
    const checkPorts = [checks, checks + 1, checks + 2];
    const cluster = new GaleraCluster(dir, nodes, await freePort(), checkPorts, options.checkInter ?? '250ms');
    try {
      for (const node of nodes) await node.prepare(address);
      const [first, ...others] = nodes as [GaleraNode, ...GaleraNode[]];
      first.installDataDir();
      await first.start({ bootstrap: true });
      // The engine connects over TCP; root@localhost only matches the socket under skip_name_resolve.
      await first.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
      await first.query("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
      // One at a time: a donor serves one full copy at once.
      for (const node of others) await node.start();
      await cluster.startChecker();
      await cluster.startHaproxy();
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  node(name: string): GaleraNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** The engine's DATABASE_URL for `database`, through HAProxy. */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.proxyPort}/${database}`;
  }

  /** The node HAProxy sends a new connection to now, or null when none answers. */
  async writer(): Promise<string | null> {
    try {
      const conn = await createConnection({
        host: '127.0.0.1',
        port: this.proxyPort,
        user: 'root',
        connectTimeout: 1_000,
      });
      try {
        const [rows] = await conn.query<RowDataPacket[]>('SELECT @@wsrep_node_name AS name');
        return String(rows[0]?.name);
      } finally {
        conn.destroy();
      }
    } catch {
      return null;
    }
  }

  /**
   * Brings a stopped node back: after a crash, `--wsrep-recover` first reads its last committed
   * position from InnoDB, without which it would rejoin by a full copy (and block its donor).
   */
  async rejoin(node: GaleraNode, crashed: boolean): Promise<{ ms: number; ist: boolean }> {
    const started = Date.now();
    const startPosition = crashed ? await node.recoverPosition() : undefined;
    await node.start(startPosition ? { startPosition } : {});
    return { ms: Date.now() - started, ist: await node.joinedByIst() };
  }

  /** Every node running and Synced, node1 the writer again (whatever a test before left). */
  async heal(): Promise<void> {
    for (const node of this.nodes) if (!node.running) await this.rejoin(node, true);
    await this.waitForWriter('node1');
  }

  /** Waits until new connections through HAProxy land on `name`. */
  async waitForWriter(name: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.writer()) === name) return;
      await sleep(100);
    }
    throw new Error(`HAProxy did not send connections to ${name} within ${timeoutMs} ms`);
  }

  private async startChecker(): Promise<void> {
    const checks = this.nodes.map((n, i) => `${this.checkPorts[i]}=mysql://root@127.0.0.1:${n.ports.mysql}`);
    this.checker = new ManagedProcess('ops/galera/galera-check.ts', { GALERA_CHECKS: checks.join(',') });
    for (const port of this.checkPorts) await this.checker.waitForLog(new RegExp(`listening on ${port}$`), 30_000);
  }

  private async startHaproxy(): Promise<void> {
    const env: Record<string, string> = {
      ...process.env,
      GALERA_BIND: `127.0.0.1:${this.proxyPort}`,
      GALERA_CHECK_INTER: this.checkInter,
    };
    this.nodes.forEach((n, i) => {
      env[`GALERA_NODE${i + 1}`] = `127.0.0.1:${n.ports.mysql}`;
      env[`GALERA_NODE${i + 1}_CHECK_HOST`] = '127.0.0.1';
      env[`GALERA_NODE${i + 1}_CHECK_PORT`] = String(this.checkPorts[i]);
    });
    // -db: stay in the foreground, so the pid is HAProxy's own and stopping it stops it.
    this.haproxy = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], { env, stdio: 'ignore' });
    await this.waitForWriter('node1');
  }

  /** Stops HAProxy, the responder and every node (SIGKILL), and removes their files. */
  async close(): Promise<void> {
    const haproxy = this.haproxy;
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      const gone = new Promise((done) => haproxy.once('exit', done));
      haproxy.kill('SIGKILL');
      await gone;
    }
    await this.checker?.kill('SIGKILL');
    await Promise.all(this.nodes.map((n) => n.stop('SIGKILL')));
    await rm(this.dir, { recursive: true, force: true });
  }
}
