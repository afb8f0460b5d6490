// The one place that reads process.env: parsed once, validated, frozen.
import { z } from 'zod';

const intFromEnv = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const flagFromEnv = () =>
  z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true');

/**
 * ADMIN_TOKEN values printed in this project's documentation (the README and compose file once
 * defaulted to `change-me`), which anyone could try; a value the docs show belongs here.
 */
export const EXAMPLE_ADMIN_TOKENS: readonly string[] = ['change-me'];

/** Whether a host to listen on or to fetch from is this machine only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const ConfigSchema = z.object({
  PORT: intFromEnv(3000, 0, 65535),
  /**
   * The address the API listens on. Beyond loopback (0.0.0.0, a LAN address, a host name) it starts
   * only with end-user identity on or TRUSTED_GATEWAY set.
   */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * The operator's statement that a gateway in front of the API authenticates users and passes on
   * only their own ids: lets the API listen beyond loopback with end-user identity off.
   */
  TRUSTED_GATEWAY: flagFromEnv(),
  /** Most connections one API process keeps open at once; more are closed as they arrive. */
  MAX_CONNECTIONS: intFromEnv(2_000, 1, 1_000_000),
  DATABASE_URL: z.string().url().default('mysql://root@127.0.0.1:3306/coupon_engine'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /**
   * `host:port,host:port,…` of some Redis Cluster nodes (any of them; the client discovers the rest).
   * When set, every Redis use of the engine goes to the cluster and REDIS_URL is ignored.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value, ctx) => (value === undefined ? undefined : parseClusterNodes(value, ctx))),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - only')
    .default('ce'),
  COUPON_LANES: intFromEnv(4, 1, 256),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .refine((t) => !EXAMPLE_ADMIN_TOKENS.includes(t), 'a value printed in documentation; choose your own')
    .optional(),
  /** Identity mode with HS256: the shared secret, at least 32 characters (256 bits, as RFC 7518 asks). */
  AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Identity mode with RS256/ES256: the issuer's JSON Web Key Set, fetched, cached and refreshed. */
  AUTH_JWKS_URL: z
    .string()
    .url()
    .refine(
      (u) => /^https:\/\//i.test(u) || (/^http:\/\//i.test(u) && isLoopbackHost(new URL(u).hostname)),
      'an https URL (plain http only on loopback)',
    )
    .optional(),
  /** When set, a token's `iss` must equal it. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** When set, a token's `aud` must name it. */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  ORDER_PAYMENT_WINDOW_MS: intFromEnv(600_000, 1_000),
  /**
   * Most units one user may hold in PENDING_PAYMENT orders, over every product; an order past it is
   * REJECTED PENDING_LIMIT_EXCEEDED. 0 turns the cap off.
   */
  MAX_PENDING_UNITS_PER_USER: intFromEnv(100, 0, 1_000_000),
  /** 1: an order whose payment amount exceeds the user's balance at decision time is REJECTED INSUFFICIENT_BALANCE. */
  ORDER_BALANCE_CHECK: flagFromEnv(),
  MAX_LANE_DEPTH: intFromEnv(100_000, 1),
  /** Long polls (`?waitMs=`) one API process holds at once; one more is answered 503 with Retry-After. */
  MAX_LONG_POLLS: intFromEnv(5_000, 1, 1_000_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: flagFromEnv(),
  METRICS_PORT: intFromEnv(9464, 0, 65535),
  LANE_BATCH_SIZE: intFromEnv(500, 1, 5000),
  LANE_LEASE_MS: intFromEnv(3_000, 300),
  EXPIRY_SWEEP_INTERVAL_MS: intFromEnv(30_000, 100),
  /**
   * How often a worker deletes Idempotency-Key records past IDEMPOTENCY_TTL_S (and request outcomes
   * past REQUEST_OUTCOME_RETENTION_S, when set), in small batches.
   */
  IDEMPOTENCY_PURGE_INTERVAL_MS: intFromEnv(60_000, 100),
  /** Keep each request's outcome this long (seconds); 0 keeps them all. At least IDEMPOTENCY_TTL_S when set. */
  REQUEST_OUTCOME_RETENTION_S: intFromEnv(0, 0),
  /** How long a lane keeps a completed job in Redis (at most 20,000 per lane); its outcome stays in MySQL. */
  COMPLETED_JOB_RETENTION_S: intFromEnv(3_600, 1),
  SHUTDOWN_TIMEOUT_MS: intFromEnv(10_000, 100),
  /**
   * Tests only: how long the lane owner pauses after closing a pre-queue and again after adding its
   * drawn claims, so a fault test can kill it inside the draw. 0 in production.
   */
  PRE_QUEUE_DRAW_PAUSE_MS: intFromEnv(0, 0, 60_000),
  /** How long an Idempotency-Key is remembered (its MySQL record or its Redis record). */
  IDEMPOTENCY_TTL_S: intFromEnv(86_400, 1),
  /** Queued submits (claims, orders) one user may make per second; 0 turns the limit off. */
  RATE_LIMIT_USER_PER_SECOND: intFromEnv(10, 0, 1_000_000),
  /** Queued submits per second from one client address; only counted when TRUST_PROXY is set. */
  RATE_LIMIT_ADDRESS_PER_SECOND: intFromEnv(100, 0, 1_000_000),
  /**
   * The header that carries the client's address as the proxy in front of the API saw it (e.g.
   * `X-Forwarded-For`, whose last entry is taken). Unset: no per-address limit.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name')
    .optional()
    .transform((v) => v?.toLowerCase()),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

function parseClusterNodes(value: string, ctx: z.RefinementCtx): ClusterNodeAddress[] {
  const nodes: ClusterNodeAddress[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):([0-9]{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match?.[1] || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected host:port[,host:port…], got "${entry}"` });
      return [];
    }
    nodes.push({ host: match[1].replace(/^\[(.*)\]$/, '$1'), port });
  }
  return nodes;
}

/** Rules between settings; each returns the reason the configuration is refused, or nothing. */
const CROSS_CHECKS: ((c: z.infer<typeof ConfigSchema>) => string | undefined)[] = [
  (c) =>
    c.AUTH_JWT_SECRET && c.AUTH_JWKS_URL ? 'AUTH_JWKS_URL: set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both' : undefined,
  // A keyed retry answers with its request's outcome, so outcomes must outlive their keys.
  (c) =>
    c.REQUEST_OUTCOME_RETENTION_S > 0 && c.REQUEST_OUTCOME_RETENTION_S < c.IDEMPOTENCY_TTL_S
      ? 'REQUEST_OUTCOME_RETENTION_S: 0 (keep) or at least IDEMPOTENCY_TTL_S'
      : undefined,
  // With identity off, whoever reaches the API may act for any user: only this machine, or a gateway
  // that authenticates users, may reach it.
  (c) =>
    isLoopbackHost(c.API_HOST) || c.AUTH_JWT_SECRET || c.AUTH_JWKS_URL || c.TRUSTED_GATEWAY
      ? undefined
      : `API_HOST: ${c.API_HOST} is beyond loopback and end-user identity is off; set AUTH_JWT_SECRET or AUTH_JWKS_URL, or TRUSTED_GATEWAY=true when a gateway in front authenticates users`,
];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const source = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(source);
  const lines = parsed.success
    ? CROSS_CHECKS.flatMap((check) => check(parsed.data) ?? [])
    : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!parsed.success || lines.length > 0) throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  return Object.freeze(parsed.data);
}
