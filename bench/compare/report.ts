// What `npm run bench` prints about the machine and writes at the end: the machine and its servers'
// versions, and the JSON result (parameters, every run, the medians).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from '../../src/config.js';
import { timestampForFile } from '../../toolkit/report.js';
import { isolated } from '../lib/stack.js';

export type Machine = Awaited<ReturnType<typeof describeMachine>>;

export async function describeMachine(config: Config) {
  const iso = await isolated(config.DATABASE_URL, config.REDIS_URL, 'probe');
  try {
    const version = await sql<{ v: string }>`SELECT VERSION() AS v`.execute(iso.db);
    const redis = new Redis(config.REDIS_URL);
    const info = await redis.info('server');
    redis.disconnect();
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      mariadb: version.rows[0]?.v ?? 'unknown',
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    };
  } finally {
    await iso.close();
  }
}

/** Writes `result` as `bench-<time>.json` in `outDir`; the file's path. */
export async function writeResult(outDir: string, result: Record<string, unknown>): Promise<string> {
  const file = join(outDir, `bench-${timestampForFile()}.json`);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
