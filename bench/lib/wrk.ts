// wrk, the C load generator of the request-path figures and the profile: whether it is installed,
// one run under bash (whose `times` reports wrk's own CPU), and the Lua script of a claim rush.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

export async function wrkAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(true));
  });
}

/** A wrk script that claims `couponId`, every request as a new user from `firstUser` on (so no limit per user or place in line ever answers instead). */
export async function writeSubmitScript(dir: string, couponId: number, firstUser: number): Promise<string> {
  const file = join(dir, `submit-${couponId}-${firstUser}.lua`);
  await writeFile(
    file,
    `local n = ${firstUser}\nwrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n` +
      `request = function()\n  n = n + 1\n  return wrk.format(nil, "/coupons/${couponId}/claims", nil, '{"userId":' .. n .. '}')\nend\n`,
  );
  return file;
}

export interface WrkResult {
  perSecond: number;
  p99Ms: number;
  requests: number;
  errors: number;
  generatorShare: number;
}

/** wrk -t1 under bash, whose `times` reports the CPU that wrk used. */
export async function wrk(url: string, connections: number, seconds: number, script?: string): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(script ? ['-s', script] : []), url];
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', `wrk ${quoted}; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const perSecond = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1]);
  const requests = Number(/([0-9]+) requests in/.exec(out)?.[1]);
  const p99 = /\s99%\s+([0-9.]+)(us|ms|s)\b/.exec(out);
  const p99Ms = p99 ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us' | 'ms' | 's'] ?? NaN) : NaN;
  const errors = Number(/Non-2xx or 3xx responses:\s+([0-9]+)/.exec(out)?.[1] ?? 0);
  // `times` prints the shell's own user/system time, then its children's: wrk's.
  const child = /\n(\d+)m([0-9.]+)s (\d+)m([0-9.]+)s\s*$/.exec(out);
  const cpuS = child ? Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4]) : NaN;
  return { perSecond, p99Ms, requests, errors, generatorShare: cpuS / (seconds * cpus().length) };
}
