// The engine on one MariaDB against the engine on a three-node Galera cluster behind HAProxy, side by
// side in one run: one lane's decide rate (claims, then orders; bench/lane.ts) and an order
// rush through an API and two workers (scripts/load-orders.ts), alternating the two databases run by
// run. The cluster is started here from the installed binaries (test/support/galera-cluster.ts) and
// stopped at the end; the single database is DATABASE_URL's server.
//   npm run bench:galera -- --runs 3 --claims 20000 --orders 10000
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { ManagedProcess, freePort } from '../rush/processes.js';
import { isolated } from './lib/stack.js';
import { API_NODE_OPTIONS, ENGINE_API, ENGINE_WORKER, WORKER_NODE_OPTIONS } from '../toolkit/engine.js';
import { GaleraCluster } from '../test/support/galera-cluster.js';
import { commandArgs } from '../toolkit/args.js';

const command = {
  command: 'npm run bench:galera --',
  summary: 'The engine on one MariaDB against the engine on a Galera cluster behind HAProxy.',
  options: {
    runs: { help: 'runs, alternating the two databases', default: '3' },
    claims: { help: "requests pre-filled for a lane's decide rate", default: '20000' },
    orders: { help: 'orders in the order rush', default: '10000' },
  },
};
const values = commandArgs(command, (args) => ({
  runs: args.number('runs', { min: 1, max: 20 }),
  claims: String(args.number('claims', { min: 1, max: 10_000_000 })),
  orders: String(args.number('orders', { min: 4, max: 10_000_000 })),
}));
const { runs } = values;
const base = loadConfig();
const ADMIN_TOKEN = 'bench-galera-admin-token';

/** Runs a script under tsx with `env` and returns the first capture of `pattern` in its output. */
function runScript(args: string[], env: Record<string, string>, pattern: RegExp): string {
  const out = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = `${out.stdout}\n${out.stderr}`;
  const found = pattern.exec(text)?.[1];
  if (!found) throw new Error(`${args.join(' ')}: no ${pattern} in its output:\n${text.slice(-2_000)}`);
  return found;
}

const laneRate = (databaseUrl: string, lane: 'claims' | 'orders') =>
  Number(
    runScript(
      ['bench/lane.ts', '--runs', '1', '--lane', lane, '--claims', String(values.claims)],
      { DATABASE_URL: databaseUrl },
      /= (\d+)\/s/,
    ),
  );

/** An order rush through a fresh API and two workers on `databaseUrl`: its drain rate and time to final p99. */
async function orderRush(databaseUrl: string, label: string): Promise<{ drain: number; p99: string }> {
  const iso = await isolated(databaseUrl, base.REDIS_URL, label);
  const port = await freePort();
  const env = { DATABASE_URL: iso.databaseUrl, QUEUE_PREFIX: iso.queuePrefix, ADMIN_TOKEN, LOG_LEVEL: 'info' };
  const api = new ManagedProcess(ENGINE_API, { ...env, ...API_NODE_OPTIONS, PORT: String(port) });
  const workers = [1, 2].map(
    () => new ManagedProcess(ENGINE_WORKER, { ...env, ...WORKER_NODE_OPTIONS, METRICS_PORT: '0' }),
  );
  try {
    await api.waitForLog(/api listening/, 60_000);
    const orders = String(values.orders);
    const args = ['scripts/load-orders.ts', '--url', `http://127.0.0.1:${port}`, '--admin-token', ADMIN_TOKEN];
    const summary = runScript(
      [...args, '--requests', orders, '--stock', String(Number(orders) / 4), '--out', 'reports/bench-galera'],
      {},
      /(drain rate[\s\S]*?time to final[^\n]*|time to final[\s\S]*?drain rate[^\n]*)/,
    );
    return {
      drain: Number(/(\d+) decided\/s/.exec(summary)?.[1] ?? NaN),
      p99: /p99 ([\d.]+ m?s)/.exec(summary.slice(summary.indexOf('time to final')))?.[1] ?? '?',
    };
  } finally {
    await Promise.all([api, ...workers].map((p) => p.stop()));
    await iso.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const cluster = await GaleraCluster.start();
try {
  const targets = { single: base.DATABASE_URL, galera: cluster.url('ce_bench') };
  const figures: Record<string, Record<string, number[]>> = { single: {}, galera: {} };
  const add = (target: string, what: string, value: number) => (figures[target]![what] ??= []).push(value);
  for (let run = 1; run <= runs; run++) {
    for (const [target, url] of Object.entries(targets)) {
      add(target, 'claim lane decided/s', laneRate(url, 'claims'));
      add(target, 'order lane decided/s', laneRate(url, 'orders'));
      const rush = await orderRush(url, target);
      add(target, 'order rush drain decided/s', rush.drain);
      console.log(
        `run ${run} ${target}: ${JSON.stringify(Object.fromEntries(Object.entries(figures[target]!).map(([k, v]) => [k, v.at(-1)])))} time to final p99 ${rush.p99}`,
      );
    }
  }
  console.log(
    `\n| what (median of ${runs}) | one MariaDB | Galera, 3 nodes via HAProxy | ratio |\n| --- | --- | --- | --- |`,
  );
  for (const what of Object.keys(figures.single!)) {
    const [one, three] = [median(figures.single![what]!), median(figures.galera![what]!)];
    console.log(`| ${what} | ${one} | ${three} | ${(three / one).toFixed(2)} |`);
  }
} finally {
  await cluster.close();
}
