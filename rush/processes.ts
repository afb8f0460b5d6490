// The process manager of rushes, benches and end-to-end tests: a TypeScript entry point (the API, a
// worker, a bench design) run as its own Node process through tsx, its output kept to wait on, its
// CPU time and memory read from /proc, stopped with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A port nobody listens on right now. */
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

/** One line of a process's output: its pino JSON, or `{ msg }` for a line that is not JSON. */
interface LogLine {
  msg?: string;
  time?: number;
  lane?: string;
  [key: string]: unknown;
}

interface ProcessOptions {
  /** Names the process in errors and reports; the entry point unless given. */
  label?: string;
  args?: string[];
  /** Runs it from another working directory (the entry point is resolved from this one). */
  cwd?: string;
  /** Options of node itself that NODE_OPTIONS does not take (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** Lines kept per process; a long bench run drops its oldest ones. */
const MAX_LINES = 100_000;

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly label: string;
  readonly exited: Promise<number | null>;
  /** Resolves once it has exited and its output is read to the end. */
  private readonly closed: Promise<void>;
  private readonly raw: string[] = [];
  private readonly parsed: LogLine[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    entry: string,
    env: Record<string, string>,
    { label, args = [], cwd, nodeArgs = [] }: ProcessOptions = {},
  ) {
    this.label = label ?? entry;
    const tsx = cwd ? pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href : 'tsx';
    // A compiled entry point (.js, from npm run build) runs on plain node.
    const loader = entry.endsWith('.js') ? [] : ['--import', tsx];
    this.child = spawn(process.execPath, [...nodeArgs, ...loader, cwd ? resolve(entry) : entry, ...args], {
      ...(cwd ? { cwd } : {}),
      env: { ...process.env, ...env, LOG_PRETTY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.raw.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      if (this.raw.length > MAX_LINES) {
        this.raw.splice(0, this.raw.length - MAX_LINES);
        this.parsed.length = 0;
      }
      for (const l of this.listeners) l();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The output so far, line by line (parsed when first asked for). */
  get lines(): readonly LogLine[] {
    for (const raw of this.raw.splice(0)) {
      try {
        this.parsed.push(JSON.parse(raw) as LogLine);
      } catch {
        this.parsed.push({ msg: raw });
      }
    }
    if (this.parsed.length > MAX_LINES) this.parsed.splice(0, this.parsed.length - MAX_LINES);
    return this.parsed;
  }

  /** Waits for a line whose `msg` matches (and that passes `where`), and returns it. */
  waitForLog(pattern: RegExp, timeoutMs = 30_000, where: (l: LogLine) => boolean = () => true): Promise<LogLine> {
    const find = () => this.lines.find((l) => pattern.test(String(l.msg ?? '')) && where(l));
    return new Promise((resolve, reject) => {
      const hit = find();
      if (hit) return resolve(hit);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `${this.label} (pid ${this.pid}): no ${pattern} within ${timeoutMs} ms; last lines: ${this.tail()}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const found = find();
        if (found) {
          done();
          resolve(found);
        }
      };
      this.listeners.add(check);
      void this.closed.then(() => {
        if (!this.listeners.has(check) || find()) return;
        done();
        reject(new Error(`${this.label} (pid ${this.pid}) exited before ${pattern}; last lines: ${this.tail()}`));
      });
    });
  }

  /** Sends `signal` (unless it has exited) and resolves with its exit code once it has. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.kill('SIGTERM');
    clearTimeout(timer);
  }

  /** CPU time (user + system) the process has used so far, in ms; NaN where /proc is unavailable. */
  cpuMs(): number {
    return processCpuMs(this.child.pid);
  }

  /** Resident memory now (VmRSS), in MiB; NaN where /proc is unavailable. */
  rssMb(): number {
    return procStatusMb(this.child.pid, 'VmRSS');
  }

  /** The most memory the process has held resident so far (VmHWM), in MiB; NaN where /proc is unavailable. */
  peakRssMb(): number {
    return procStatusMb(this.child.pid, 'VmHWM');
  }

  private tail(): string {
    return JSON.stringify(this.lines.slice(-5));
  }
}

function procStatusMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
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
