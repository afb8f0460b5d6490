// A redis-server of the test's own, with append-only persistence in a directory the test owns, so a
// test can kill it and start it again on the same port with the same data (AOF reload).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../rush/processes.js';

export type AppendFsync = 'always' | 'everysec';

export class RedisServer {
  private child: ChildProcess | undefined;
  /** Lines redis-server wrote at its last start (the AOF load report is among them). */
  startLog = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly appendfsync: AppendFsync,
  ) {}

  static async create(appendfsync: AppendFsync): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), await mkdtemp(join(tmpdir(), 'ce-redis-')), appendfsync);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts (or restarts) the server on its port and directory; resolves once it accepts connections. */
  start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        this.appendfsync,
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.startLog = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${this.startLog}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (this.startLog.length < 20_000) this.startLog += chunk.toString();
        if (this.startLog.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${this.startLog}`));
      });
    });
  }

  /** Kills the server at once (SIGKILL): no shutdown, no final write of anything. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  /** The append-only file that takes new writes (Redis 7 keeps a base file and incremental files). */
  async incrementalAof(): Promise<string> {
    const aofDir = join(this.dir, 'appendonlydir');
    const files = (await readdir(aofDir)).filter((f) => f.endsWith('.incr.aof')).sort();
    const last = files.at(-1);
    if (!last) throw new Error(`no incremental AOF in ${aofDir}`);
    return join(aofDir, last);
  }

  async aofSize(): Promise<number> {
    return (await stat(await this.incrementalAof())).size;
  }

  /** Cuts the append-only file back to `size` bytes, as if the writes after it had never reached the disk. */
  async truncateAof(size: number): Promise<void> {
    await truncate(await this.incrementalAof(), size);
  }

  async close(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
