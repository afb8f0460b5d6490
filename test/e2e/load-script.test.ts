// The load scripts as a user runs them: a child process against real API and worker processes. They
// must pass a correctly started system and fail, naming the violation, a system started wrong.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/context.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack | undefined;
let outDir = '';
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'ce-load-'));
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  await rm(outDir, { recursive: true, force: true });
});

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a load script; `onSubmitted` fires once when its progress bar reports every request submitted. */
function runScript(script: string, args: string[], onSubmitted?: () => void): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let notified = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!notified && /submitted\s+\[/.test(stderr)) {
        notified = true;
        onSubmitted?.();
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const coupons = (url: string, out: string) => [
  ...['--url', url, '--requests', '600', '--stock', '50', '--repeat-share', '0.3'],
  ...['--concurrency', '50', '--timeout', '30', '--out', out],
];
const orders = (url: string, out: string) => [
  ...['--url', url, '--requests', '300', '--stock', '40', '--pay-share', '0.25'],
  ...['--concurrency', '50', '--timeout', '30', '--out', out],
];

async function reportVerdicts(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  expect((await readdir(dir)).filter((f) => f.endsWith('.html'))).toHaveLength(files.length);
  return Promise.all(
    files.map(async (f) => (JSON.parse(await readFile(join(dir, f), 'utf8')) as { verdict: string }).verdict),
  );
}

describe('load scripts', () => {
  it('when run against a correctly started system (API, two workers), then load:coupons and load:orders exit 0 with PASS', async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    stack.worker();
    stack.worker();

    const claims = await runScript('scripts/load-coupons.ts', coupons(url, outDir));
    expect(claims.stdout).toMatch(/verdict: PASS/);
    expect(claims.code).toBe(0);
    expect(claims.stdout).toMatch(/submit latency\s+p50 [\d.]+ ms/);

    const placed = await runScript('scripts/load-orders.ts', orders(url, outDir));
    expect(placed.stdout).toMatch(/verdict: PASS/);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toMatch(/placed\s+40 orders \(expected 40\)/);

    expect(await reportVerdicts(outDir)).toEqual(['PASS', 'PASS']);
  }, 90_000);

  it("when the lane decides batches newest first (the tests' reverse worker), then both scripts exit 1 naming the violation", async () => {
    stack = await isolatedStack();
    const { url } = await stack.api();
    // The worker starts once everything is queued, so its first batch holds the whole rush.
    const unfair = () => stack?.worker({}, 'test/support/reverse-worker.ts');
    let worker: ReturnType<Stack['worker']> | undefined;
    const claims = await runScript('scripts/load-coupons.ts', coupons(url, outDir), () => {
      worker = unfair();
    });
    expect(claims.stdout).toMatch(/verdict: FAIL/);
    expect(claims.stdout).toMatch(/violation: request c\d-\d+-\w+ \(seq \d+, user \d+\) (should have won|won but)/);
    expect(claims.code).toBe(1);

    await worker?.kill('SIGTERM');
    const placed = await runScript('scripts/load-orders.ts', orders(url, outDir), () => {
      worker = unfair();
    });
    expect(placed.stdout).toMatch(/verdict: FAIL/);
    expect(placed.stdout).toMatch(
      /violation: request o-\d+-\w+ \(seq \d+, user \d+\) (should have been placed|was placed although)/,
    );
    expect(placed.code).toBe(1);

    expect(await reportVerdicts(outDir)).toEqual(['FAIL', 'FAIL']);
  }, 90_000);
});
