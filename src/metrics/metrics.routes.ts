// Serving a registry in the Prometheus text format: as a route of the API, and as a small HTTP
// server of its own in a worker process.
import { createServer, type Server } from 'node:http';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

export function metricsRoutes(registry: Registry) {
  return new Hono().get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
  );
}

/** Listens on `port` (all interfaces) and serves GET /metrics; resolves once listening. */
export async function startMetricsServer(registry: Registry, port: number, logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => {
        logger.warn({ err: err.message }, 'metrics collection failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : port }, 'metrics listening');
  return server;
}
