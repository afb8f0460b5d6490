// The API process: config, logger, pool, queues, then the app; on SIGTERM it closes them in reverse.
// Started by apps/api/main.ts.
import { serve } from '@hono/node-server';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { loadConfig, type Config } from '../../src/config.js';
import { assertBullmqSupported } from '../../src/bullmq/support.js';
import { createDb } from '../../src/db/database.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createRedis } from '../../src/redis.js';
import { createLaneQueues } from '../../src/queues/lanes.js';
import { createExpiryQueue, EXPIRY_QUEUE } from '../../src/order/order-expiry.js';
import { LaneProgress } from '../../src/request/lane-progress.js';
import { answerClientError } from '../../src/http/client-error.js';
import { logIdentityMode } from '../../src/http/identity.js';
import { createApp } from './app.js';
import type { LaneType } from '../../src/queues/lane-type.js';
import { LaneSet } from '../../src/lane/lane-set.js';
import { onShutdownSignal } from '../../src/common/shutdown.js';

export interface ApiOptions {
  /** The lane types to accept requests for (apps/lane-types.ts). */
  laneTypes: readonly LaneType[];
}

export function startApi(options: ApiOptions): void {
  assertBullmqSupported();
  const config = configOrExit();
  const logger = createLogger(config, 'api');
  logIdentityMode(config, logger);
  const db = createDb(config.DATABASE_URL, { connectionLimit: 20 });
  // Without the offline queue a command fails at once while Redis is unreachable, so a submit answers
  // 503 instead of waiting out ioredis's reconnection backoff (up to 5 s per attempt). Reconnecting at
  // least every half second (instead of that backoff) lets the API take submits again within about
  // half a second of Redis coming back.
  // A command whose answer was lost with its connection is not sent again on reconnect: it may have
  // run (an add without an Idempotency-Key would then be queued twice); the client is told 503 instead
  // and a keyed retry finds what it made.
  const requestPath = {
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    enableOfflineQueue: false,
    retryStrategy: (times: number) => Math.min(times * 100, 500),
  };
  const redis = createRedis(config, requestPath);
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  // The rate limiter's counts and the reads of polls go on a connection of their own that pipelines
  // each event-loop turn's commands into one write; the lane appends and BullMQ stay on the plain one.
  const limiterRedis = createRedis(config, { ...requestPath, enableAutoPipelining: true });
  limiterRedis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis limiter error'));

  const { laneTypes } = options;
  const queues = createLaneQueues(config, redis, new LaneSet(laneTypes, config).all);
  queues.set(EXPIRY_QUEUE, createExpiryQueue(config.QUEUE_PREFIX, redis));
  // Each queue re-emits its connection's errors, and BullMQ prints them to stderr when nobody listens;
  // the client's own listener above already logs them.
  for (const queue of queues.values()) queue.on('error', () => undefined);
  const subscriber = createRedis(config);
  subscriber.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis subscriber error'));
  const progress = new LaneProgress(subscriber, config.QUEUE_PREFIX, logger);

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const app = createApp({ config, db, redis, limiterRedis, logger, queues, progress, metrics, laneTypes });
  const server = listen(app.fetch, config, logger, metrics);

  onShutdownSignal(
    logger,
    config.SHUTDOWN_TIMEOUT_MS,
    'shutting down: no new connections, finishing requests in flight',
    async () => {
      await closeServer(server);
      progress.close();
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      await Promise.all([redis.quit(), limiterRedis.quit()]).catch(() => undefined);
      await db.destroy();
      logger.info('api stopped');
    },
  );
}

/**
 * The configuration, or one line saying why it is refused and exit 1, before any connection is made
 * or any socket listens (an API beyond loopback without identity, a short admin token…).
 */
function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\n\s*/g, ' ');
    createLogger({ LOG_LEVEL: 'info', LOG_PRETTY: false }, 'api').fatal(`refusing to start: ${reason}`);
    process.exit(1);
  }
}

type Fetch = Parameters<typeof serve>[0]['fetch'];

function listen(fetch: Fetch, config: Config, logger: Logger, metrics: Registry) {
  const server = serve({ fetch, port: config.PORT, hostname: config.API_HOST }, (info) => {
    logger.info({ host: config.API_HOST, port: info.port }, 'api listening');
  });
  // Without this, Node answers a request its parser refuses (e.g. headers over 16 KiB) with a bare 431/400.
  server.on('clientError', answerClientError);
  // Each open connection costs memory and a file descriptor; past the cap Node closes new ones as
  // they arrive, and the process keeps serving those it has.
  server.maxConnections = config.MAX_CONNECTIONS;
  const dropped = new Counter({
    name: 'ce_http_connections_dropped_total',
    help: 'Connections closed on arrival because the process had MAX_CONNECTIONS open',
    registers: [metrics],
  });
  server.on('drop', () => dropped.inc());
  // Node closes an idle keep-alive connection after 5 s; a client (or load balancer) that reuses it just
  // then gets a reset instead of an answer. Idle connections live longer than common client and load
  // balancer idle timeouts (60 s) instead; shutdown closes them at once all the same.
  if ('keepAliveTimeout' in server) {
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  }
  return server;
}

async function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (!('closeIdleConnections' in server)) return;
    // close() leaves open keep-alive connections alone, and clients keep them for seconds. Ask
    // clients to close after any answer still to come, and drop each connection once it is idle.
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 50).unref();
  });
}
