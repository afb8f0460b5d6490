// The BullMQ this engine is built against. The lane scripts run BullMQ's private script files and
// one private function (src/bullmq/worker-scripts.ts), which BullMQ renames or changes without a
// major release (a script's file name carries its key count), so package.json pins the exact
// version and every process checks the installed one before any lane starts.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { JobJson } from 'bullmq';

/** The version package.json pins (test/unit/bullmq-support.test.ts holds them equal). */
export const BULLMQ_VERSION = '6.7.0';

/** The private files the lane scripts load, relative to BullMQ's package root. */
export const BULLMQ_PRIVATE_FILES = {
  moveToActive: 'dist/cjs/scripts/moveToActive-11.js',
  moveToFinished: 'dist/cjs/scripts/moveToFinished-14.js',
  queueBackend: 'dist/cjs/classes/redis-queue-backend.js',
} as const;

/** The installed BullMQ is not the one the engine is built against: no lane can run on it. */
export class BullmqUnsupportedError extends Error {
  override name = 'BullmqUnsupportedError';
}

// From the CommonJS build that `import 'bullmq'` loads, so these are the same modules BullMQ runs.
const require = createRequire(import.meta.url);

/** Where the installed BullMQ is (the folder of its package.json). */
export const installedBullmqRoot = (): string => dirname(require.resolve('bullmq/package.json'));

/**
 * Throws a BullmqUnsupportedError naming both versions when the BullMQ at `root` is not the pinned
 * one, or naming the file when one of the private files is missing.
 */
export function assertBullmqSupported(root: string = installedBullmqRoot()): void {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (version !== BULLMQ_VERSION) {
    throw new BullmqUnsupportedError(
      `bullmq ${String(version)} is installed (${root}), but this engine runs only on bullmq ${BULLMQ_VERSION}, ` +
        `whose private lane scripts it uses: install bullmq@${BULLMQ_VERSION} (npm ci)`,
    );
  }
  for (const file of Object.values(BULLMQ_PRIVATE_FILES)) {
    if (!existsSync(join(root, file))) {
      throw new BullmqUnsupportedError(
        `bullmq ${String(version)} (${root}) lacks ${file}, which the engine's lane scripts load for bullmq ${BULLMQ_VERSION}`,
      );
    }
  }
}

/** A BullMQ script as its build stores it. */
export interface BullmqScript {
  content: string;
  keys: number;
}

export interface BullmqInternals {
  moveToActive: BullmqScript;
  moveToFinished: BullmqScript;
  /** moveToActive's raw answer as the job's JSON and its id. */
  raw2NextJobData: (raw: unknown) => [JobJson | null, string];
}

let internals: BullmqInternals | undefined;

/** BullMQ's private modules, loaded once after the support check. */
export function bullmqInternals(): BullmqInternals {
  if (!internals) {
    assertBullmqSupported();
    const root = installedBullmqRoot();
    const load = <T>(file: string) => require(join(root, file)) as T;
    internals = {
      moveToActive: load<{ moveToActive: BullmqScript }>(BULLMQ_PRIVATE_FILES.moveToActive).moveToActive,
      moveToFinished: load<{ moveToFinished: BullmqScript }>(BULLMQ_PRIVATE_FILES.moveToFinished).moveToFinished,
      raw2NextJobData: load<Pick<BullmqInternals, 'raw2NextJobData'>>(BULLMQ_PRIVATE_FILES.queueBackend)
        .raw2NextJobData,
    };
  }
  return internals;
}
