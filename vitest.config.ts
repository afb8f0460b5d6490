import { configDefaults, defineConfig } from 'vitest/config';

// `npm run chaos` (vitest run test/chaos) runs the fault-injection and fuzzing suite on its own: it
// takes minutes and measures takeover and resume times, so its files run one at a time. `npm test`
// leaves it out; CI runs both (.ci/run).
const chaos = process.argv.some((arg) => /(^|\/)test\/chaos(\/|$)/.test(arg.replace(/\\/g, '/')));
// Under CI, `npm test` as a developer runs it also leaves a JSON report that .ci/run counts from.
const ciReport = /^(true|1)$/i.test(process.env.CI ?? '') && !chaos;

export default defineConfig({
  test: {
    include: [chaos ? 'test/chaos/**/*.test.ts' : 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(chaos ? [] : ['test/chaos/**'])],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: chaos ? 180_000 : 90_000,
    hookTimeout: 60_000,
    fileParallelism: !chaos,
    maxWorkers: 2,
    ...(ciReport ? { reporters: ['default', 'json'], outputFile: { json: 'reports/vitest.json' } } : {}),
  },
});
