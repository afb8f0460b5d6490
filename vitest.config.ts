import { configDefaults, defineConfig } from 'vitest/config';

// `npm run chaos` (vitest run test/chaos) runs the fault-injection and fuzzing suite on its own: it
// takes minutes and measures takeover and resume times, so its files run one at a time. `npm run
// chaos:cluster` (vitest run test/cluster) runs the database-cluster topologies the same way (it
// starts a Galera cluster and HAProxy). `npm test` leaves both out; CI runs `npm test` and the chaos
// suite (.ci/run).
const names = (dir: string) =>
  process.argv.some((arg) => new RegExp(`(^|/)test/${dir}(/|$)`).test(arg.replace(/\\/g, '/')));
const suite = names('cluster') ? 'cluster' : names('chaos') ? 'chaos' : undefined;
const chaos = suite !== undefined;
// Under CI, `npm test` as a developer runs it also leaves a JSON report that .ci/run counts from.
const ciReport = /^(true|1)$/i.test(process.env.CI ?? '') && !chaos;

export default defineConfig({
  test: {
    include: [suite ? `test/${suite}/**/*.test.ts` : 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(suite ? [] : ['test/chaos/**', 'test/cluster/**'])],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: chaos ? 180_000 : 90_000,
    hookTimeout: 60_000,
    fileParallelism: !chaos,
    maxWorkers: 2,
    ...(ciReport ? { reporters: ['default', 'json'], outputFile: { json: 'reports/vitest.json' } } : {}),
  },
});
