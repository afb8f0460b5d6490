// `npm run dev`: bring the schema up to date, then run the API and one worker side by side with
// readable logs. Ctrl-C (or SIGTERM) is passed on to both; when one of them exits, the other is
// stopped too, and this process exits with the first non-zero exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfig();

try {
  const applied = await migrateToLatest(config.DATABASE_URL);
  console.log(applied.length > 0 ? `dev: migrations applied: ${applied.join(', ')}` : 'dev: schema up to date');
} catch (err) {
  console.error('dev: migration failed; is MariaDB running at DATABASE_URL?', err);
  process.exit(1);
}

const entries = [
  { name: 'api', file: 'apps/api/main.ts' },
  { name: 'worker', file: 'workers/main.ts' },
].filter(({ name, file }) => {
  if (existsSync(join(root, file))) return true;
  console.log(`dev: ${file} does not exist yet; not starting the ${name}`);
  return false;
});

const children = new Map<string, ChildProcess>();
let exitCode = 0;
let stopping = false;

function stopAll(signal: NodeJS.Signals) {
  for (const child of children.values()) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

for (const { name, file } of entries) {
  // Node with tsx's loader rather than the tsx command: Ctrl-C reaches every process of the group, and
  // the tsx command, seeing a second SIGINT (this script's) not echoed by its child within 30 ms,
  // kills that child with SIGKILL in the middle of its graceful stop.
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, LOG_PRETTY: '1' },
    stdio: 'inherit',
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    console.log(`dev: ${name} exited (${signal ?? `code ${code}`})`);
    if (code !== null && code !== 0 && exitCode === 0) exitCode = code;
    if (!stopping) {
      stopping = true;
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    stopAll(signal);
  });
}
