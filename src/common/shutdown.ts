// One graceful shutdown for every process: the first SIGTERM or SIGINT runs `stop` once, a stop
// that outlasts `timeoutMs` exits with 1 instead of hanging, and a finished stop exits with 0.
import type { Logger } from '../logger.js';

export function onShutdownSignal(logger: Logger, timeoutMs: number, stopping: string, stop: () => Promise<void>): void {
  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    logger.info({ signal }, stopping);
    const force = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    await stop();
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
