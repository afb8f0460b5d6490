import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';

const config = loadConfig();
const logger = createLogger(config, 'migrate');
try {
  const applied = await migrateToLatest(config.DATABASE_URL);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already up to date');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
}
