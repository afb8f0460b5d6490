// A MariaDB Galera node of a test's own, from the installed binaries: its own defaults file (which
// includes ops/galera/galera.cnf), data directory, socket, pid file and free ports, run as `mysql`
// when the test runs as root (rsync state transfer fails as root). The machine's own MariaDB is
// never touched: nothing here reads the system my.cnf.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { sleep } from '../../rush/http.js';

export const MARIADBD = '/usr/sbin/mariadbd';
export const NODE_CONFIG = resolve('ops/galera/galera.cnf');
const asRoot = process.getuid?.() === 0;

export interface NodePorts {
  mysql: number;
  /** Group communication; IST listens on the next port. */
  gcomm: number;
  sst: number;
}

export class GaleraNode {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly ports: NodePorts,
    /** Extra `[mysqld]` lines, after the shared file (e.g. other wsrep_provider_options). */
    private readonly extra: string[] = [],
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }
  get socket(): string {
    return join(this.dir, 'mysqld.sock');
  }
  get defaultsFile(): string {
    return join(this.dir, 'my.cnf');
  }
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async prepare(clusterAddress: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    const lines = [
      `!include ${NODE_CONFIG}`,
      '[mysqld]',
      ...(asRoot ? ['user = mysql'] : []),
      `datadir = ${this.dataDir}`,
      `socket = ${this.socket}`,
      `pid-file = ${join(this.dir, 'mysqld.pid')}`,
      `log_error = ${join(this.dir, 'error.log')}`,
      `port = ${this.ports.mysql}`,
      'bind_address = 127.0.0.1',
      `wsrep_node_name = ${this.name}`,
      `wsrep_node_address = 127.0.0.1:${this.ports.gcomm}`,
      `wsrep_cluster_address = ${clusterAddress}`,
      `wsrep_sst_receive_address = 127.0.0.1:${this.ports.sst}`,
      ...this.extra,
      // The client tools (the rsync SST script among them) read the [client] group.
      '[client]',
      `socket = ${this.socket}`,
      '',
    ];
    await writeFile(this.defaultsFile, lines.join('\n'));
    if (asRoot) execFileSync('chown', ['-R', 'mysql:mysql', this.dir]);
  }

  /** The system tables of a new cluster, on the node that bootstraps it. */
  installDataDir(): void {
    execFileSync(
      'mariadb-install-db',
      [
        `--defaults-file=${this.defaultsFile}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...(asRoot ? ['--user=mysql'] : []),
      ],
      { stdio: 'ignore', timeout: 120_000 },
    );
  }

  /** Starts mariadbd and resolves once the node is Synced. */
  async start(options: { bootstrap?: boolean; startPosition?: string } = {}, timeoutMs = 90_000): Promise<void> {
    const args = [`--defaults-file=${this.defaultsFile}`];
    if (options.bootstrap) args.push('--wsrep-new-cluster');
    if (options.startPosition) args.push(`--wsrep-start-position=${options.startPosition}`);
    const child = spawn(MARIADBD, args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited at start: ${await this.logTail()}`);
      if ((await this.status().catch(() => null))?.wsrep_local_state === '4') return;
      await sleep(200);
    }
    throw new Error(`${this.name} not Synced within ${timeoutMs} ms: ${await this.logTail()}`);
  }

  /** SIGKILL (a crash) or SIGTERM (a clean shutdown); resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (this.running) this.child?.kill(signal);
    await this.exited;
  }

  /**
   * The last committed position (`uuid:seqno`) read from InnoDB by `mariadbd --wsrep-recover`, which
   * a node killed without a shutdown needs to rejoin by an incremental transfer instead of a full copy.
   */
  async recoverPosition(): Promise<string> {
    const log = join(this.dir, 'recover.log');
    execFileSync(MARIADBD, [`--defaults-file=${this.defaultsFile}`, '--wsrep-recover', `--log-error=${log}`], {
      stdio: 'ignore',
      timeout: 120_000,
    });
    const found = /Recovered position:\s*(\S+:-?\d+)/.exec(await readFile(log, 'utf8'));
    if (!found?.[1]) throw new Error(`${this.name}: no recovered position in ${log}`);
    return found[1];
  }

  async query<T extends RowDataPacket>(sql: string, values: unknown[] = []): Promise<T[]> {
    const conn = await createConnection({ socketPath: this.socket, user: 'root', connectTimeout: 2_000 });
    try {
      return (await conn.query<T[]>(sql, values))[0];
    } finally {
      await conn.end();
    }
  }

  /**
   * CHECKSUM TABLE of every table of `database`, `table=checksum` joined, read once this node has
   * applied everything the cluster had committed when asked (wsrep_sync_wait).
   */
  async checksums(database: string): Promise<string> {
    const conn = await createConnection({ socketPath: this.socket, user: 'root', connectTimeout: 2_000 });
    try {
      await conn.query('SET SESSION wsrep_sync_wait = 1');
      const [tables] = await conn.query<RowDataPacket[]>(
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
        [database],
      );
      const sums: string[] = [];
      for (const { t } of tables) {
        const [rows] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE \`${database}\`.\`${String(t)}\``);
        sums.push(`${String(t)}=${String(rows[0]?.Checksum)}`);
      }
      return sums.join(' ');
    } finally {
      await conn.end();
    }
  }

  async status(): Promise<Record<string, string>> {
    const rows = await this.query<RowDataPacket>("SHOW GLOBAL STATUS LIKE 'wsrep%'");
    return Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
  }

  /** Whether the error log says the node joined by an incremental transfer (IST) rather than a full copy. */
  async joinedByIst(): Promise<boolean> {
    const log = await this.logTail(200_000);
    const lastStart = log.lastIndexOf('Starting MariaDB');
    return /IST received|Receiving IST/.test(log.slice(Math.max(0, lastStart)));
  }

  async logTail(chars = 3_000): Promise<string> {
    return (await readFile(join(this.dir, 'error.log'), 'utf8').catch(() => '')).slice(-chars);
  }
}
