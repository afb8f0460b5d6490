// Builds the HTTP app from its dependencies; no sockets, so tests drive it with app.request().
import type { Context } from 'hono';
import { except } from 'hono/combine';
import { routePath } from 'hono/route';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import type { Logger } from '../../src/logger.js';
import type { RedisClient } from '../../src/redis.js';
import { adminBasic, adminBearer } from '../../src/http/auth.js';
import { bodyLimit } from '../../src/http/body-limit.js';
import { responseHeader, setResponseHeader } from '../../src/http/response-headers.js';
import { DASHBOARD_PATH, dashboardRoutes } from '../../src/http/dashboard.routes.js';
import { docsRoutes } from '../../src/http/docs.routes.js';
import { idempotency } from '../../src/http/idempotency.js';
import { createIdentity, USER_ROUTES, VERIFIED_USER, type IdentityVariables } from '../../src/http/identity.js';
import { BODY_LIMIT_BYTES, documentApi, REQUEST_ID_PATTERN } from '../../src/http/openapi.js';
import { opsRoutes } from '../../src/http/ops.routes.js';
import { createSubmitLimiter } from '../../src/http/rate-limit.js';
import { errorToResponse, problem, problemResponse } from '../../src/http/problem.js';
import { validationHook } from '../../src/http/validation.js';
import { createHttpMetrics } from '../../src/metrics/http.metrics.js';
import { metricsRoutes } from '../../src/metrics/metrics.routes.js';
import { registerQueueMetrics } from '../../src/metrics/queue.metrics.js';
import { registerFrontMetrics } from '../../src/metrics/front.metrics.js';
import { balanceRoutes } from '../../src/balance/balance.routes.js';
import { productAdminRoutes, productRoutes } from '../../src/product/product.routes.js';
import { couponAdminRoutes, couponRoutes } from '../../src/coupon/coupon.routes.js';
import { requestResourceSchema, requestRoutes } from '../../src/request/request.routes.js';
import { orderRoutes } from '../../src/order/order.routes.js';
import { paymentRoutes } from '../../src/payment/payment.routes.js';
import type { LaneProgress } from '../../src/request/lane-progress.js';
import { OutcomeCache } from '../../src/request/outcome-cache.js';
import { InstantAnswers, type InstantOutcome } from '../../src/request/instant-answers.js';
import { LaneFront } from '../../src/request/lane-front.js';
import { LongPolls } from '../../src/request/long-polls.js';
import type { RequestLookup } from '../../src/request/request.resource.js';
import { LaneSet } from '../../src/lane/lane-set.js';
import type { LaneType } from '../../src/queues/lane-type.js';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: RedisClient;
  /**
   * The connection of the rate limiter's counts and of polls' reads (the API's has auto-pipelining
   * on: every count and read of an event-loop turn in one write); `redis` when not given.
   */
  limiterRedis?: RedisClient;
  logger: Logger;
  /** Every BullMQ queue of the engine by name (one per lane, and others); all appear on the dashboard and /metrics. */
  queues: Map<string, Queue>;
  progress: LaneProgress;
  /** The process's metrics registry (with process metrics); a fresh one when not given. */
  metrics?: Registry;
  /** Final outcomes already read; a bounded cache of its own when not given. */
  outcomes?: OutcomeCache;
  /** The lane types to accept requests for (apps/lane-types.ts); each type's own submit routes are mounted. */
  laneTypes: readonly LaneType[];
}

export type AppEnv = { Variables: IdentityVariables };

const API_VERSION = '0.1.0';

/** Every lane type's instant answers, by kind. */
function instantOutcomes(types: readonly LaneType[]): Map<string, InstantOutcome> {
  const outcomes = new Map<string, InstantOutcome>();
  for (const t of types) {
    for (const [kind, answer] of Object.entries(t.instantAnswers ?? {})) {
      if (outcomes.has(kind)) throw new Error(`two lane types declare the instant answer ${kind}`);
      outcomes.set(kind, { type: t.type, ...answer });
    }
  }
  return outcomes;
}

/** What the routes share: the input plus the request path's parts, made once per app. */
function requestDeps(input: AppDeps) {
  return {
    ...input,
    reads: input.limiterRedis ?? input.redis,
    outcomes: input.outcomes ?? new OutcomeCache(),
    instant: new InstantAnswers(input.redis, input.config.QUEUE_PREFIX, instantOutcomes(input.laneTypes)),
    front: new LaneFront(input),
    lanes: new LaneSet(input.laneTypes, input.config),
    /** Filled in as the lane types' API parts are made. */
    lookups: [] as RequestLookup[],
    resourceSchema: requestResourceSchema(input.laneTypes),
    identity: createIdentity(input.config),
    longPolls: new LongPolls(input.config.MAX_LONG_POLLS),
  };
}
type RequestDepsOfApp = ReturnType<typeof requestDeps>;

export function createApp(input: AppDeps) {
  const deps = requestDeps(input);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const registry = deps.metrics ?? new Registry();
  registerQueueMetrics(registry, deps);
  registerFrontMetrics(registry, deps);
  observeRequests(app, registry, deps.logger, deps.identity.enabled);
  guardRequests(app, deps);
  mountRoutes(app, deps, registry);
  documentApi(app, API_VERSION, deps.identity.enabled);
  app.route('/', docsRoutes());
  app.notFound((c) => problemResponse(c, problem(404, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorToResponse(err, c, deps.logger.child({ reqId: c.get('requestId') })));
  return app;
}

/**
 * One middleware around every request: its id (an X-Request-Id from the client is kept when it is
 * safe to log; anything else is replaced), its duration in the metrics, and a log line for a 5xx.
 */
function observeRequests(app: OpenAPIHono<AppEnv>, registry: Registry, logger: Logger, identityEnabled: boolean) {
  const observe = createHttpMetrics(registry);
  const answered = (c: Context, id: string, started: number) => {
    const ms = performance.now() - started;
    const status = c.res.status;
    // After next(), the route index points at whatever answered: a route, or a middleware such as
    // auth; requests nothing matched carry the catch-all pattern.
    observe(c.req.method, routePath(c), status, ms);
    if (status < 500 && !logger.isLevelEnabled('debug')) return;
    // A queued request names its id in Location: with it, one grep finds submit, decision and outcome.
    const location = responseHeader(c, 'Location');
    const line = {
      reqId: id,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round(ms * 100) / 100,
      ...(location?.startsWith('/requests/') ? { requestId: location.slice('/requests/'.length) } : {}),
    };
    if (status >= 500) logger.error(line, 'request');
    else logger.debug(line, 'request');
  };
  // Not async: one promise (next()'s continuation) per request instead of an async function's as well.
  app.use('*', (c, next) => {
    const given = c.req.header('X-Request-Id');
    const id = given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    // With identity off, user routes trust the ids they are given: marked here, instead of one more
    // middleware to dispatch on each user route.
    if (!identityEnabled) c.set(VERIFIED_USER, null);
    setResponseHeader(c as Context, 'X-Request-Id', id);
    const started = performance.now();
    return next().then(() => answered(c as Context, id, started));
  });
}

/** Body limit, authentication and idempotency, in that order, before any route. */
function guardRequests(app: OpenAPIHono<AppEnv>, { config, db, identity }: RequestDepsOfApp) {
  // Only requests that may carry a body pass the body limit; only POSTs take an Idempotency-Key.
  app.on(
    ['POST', 'PUT', 'PATCH', 'DELETE'],
    '*',
    bodyLimit(BODY_LIMIT_BYTES, (c) =>
      problemResponse(c, problem(413, 'PAYLOAD_TOO_LARGE', 'Request body exceeds 64 KiB')),
    ),
  );
  // Authentication comes before idempotency: a refused call must not record an answer that the
  // same key would replay once the caller presents the right token.
  app.use(
    '/admin/*',
    except((c) => c.req.path.startsWith(DASHBOARD_PATH), adminBearer(config.ADMIN_TOKEN)),
  );
  app.use(`${DASHBOARD_PATH}/*`, adminBasic(config.ADMIN_TOKEN));
  if (identity.enabled) for (const path of USER_ROUTES) app.use(path, identity.middleware);
  app.on('POST', '*', idempotency(db, config.IDEMPOTENCY_TTL_S * 1000));
}

/** Every feature's routes, and each lane type's own (its submit routes, and its request ids' reader). */
function mountRoutes(app: OpenAPIHono<AppEnv>, deps: RequestDepsOfApp, registry: Registry) {
  app.route('/', opsRoutes(deps));
  app.route('/', metricsRoutes(registry));
  app.route(DASHBOARD_PATH, dashboardRoutes(deps));
  app.route('/', balanceRoutes(deps));
  app.route('/', productRoutes(deps));
  app.route('/', productAdminRoutes(deps));
  app.route('/', couponRoutes(deps));
  app.route('/', couponAdminRoutes(deps));
  app.route('/', requestRoutes(deps));
  app.route('/', orderRoutes(deps));
  app.route('/', paymentRoutes(deps));
  const submits = { ...deps, limiter: createSubmitLimiter(deps.limiterRedis ?? deps.redis, deps.config, registry) };
  for (const laneType of deps.laneTypes) {
    const api = laneType.api(submits);
    app.route('/', api.routes);
    if (api.lookup) deps.lookups.push(api.lookup);
  }
}

export type App = ReturnType<typeof createApp>;
