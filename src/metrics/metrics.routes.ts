// Serving a registry in the Prometheus text format: as a route of the API, and as a small HTTP
// server of its own in a worker process.
import { createServer, type Server } from 'node:http';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { route } from '../http/openapi.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

export function metricsRoutes(registry: Registry) {
  return new OpenAPIHono().openapi(
    route({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this API process',
      description:
        'HTTP latency histogram, per-lane queue depth and age, accepted and decided sequences, Redis reachability, ' +
        'and the standard process and Node.js metrics.',
      tags: ['Operations'],
      access: 'public',
      responses: {
        200: {
          description: 'The Prometheus text exposition format',
          content: { 'text/plain': { schema: z.string().openapi({ example: 'ce_redis_up 1' }) } },
        },
      },
    }),
    async (c) => c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
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
