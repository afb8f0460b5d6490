// The one classification of infrastructure errors: a dependency (MySQL, Redis) is down, a connection
// broke, or the database asked for the statement to be tried again. The HTTP layer answers these with
// 503 and the lanes retry the same batch in place; neither blames the request. Judged by error class
// and code, as the drivers expose them. On a Galera cluster the same holds for a certification
// failure, a node that is not ready and a connection cut at commit (docs/SCALING.md).
import { isNotConnectionError } from 'bullmq';

/** mysql2 and Node socket codes of a dependency that is down, unreachable or asks for a retry. */
const CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  // Galera reports a write set that lost certification against another node's (two writers) as a
  // deadlock, at any statement or at COMMIT; the whole transaction is to be run again.
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  // A Galera node that is joining, donating, cut off from the primary component or refusing queries
  // (wsrep_reject_queries) answers 1047 "WSREP has not yet prepared node for application use".
  'ER_UNKNOWN_COM_ERROR',
  // A node shutting down (SIGTERM) refuses new statements, or fails the COMMIT it was given.
  'ER_SERVER_SHUTDOWN',
  'ER_ERROR_DURING_COMMIT',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
]);

/**
 * MariaDB error numbers that mysql2 has no code name for: 1927 ER_CONNECTION_KILLED, the answer to a
 * statement on a connection the server is closing (a node's shutdown, HAProxy cutting a backup's
 * sessions at failback, `wsrep_reject_queries = ALL_KILL`).
 */
const ERRNOS = new Set([1927]);

/** ioredis error classes of a command given up on while Redis is unreachable. */
const REDIS_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/**
 * Errors both drivers raise as a plain `Error` without code or class: ioredis with the offline queue
 * off while disconnected, mysql2 once its pool is closed. They are matched whole, as the drivers
 * construct them.
 */
const UNCODED_MESSAGES = new Set(["Stream isn't writeable and enableOfflineQueue options is false", 'Pool is closed.']);

export function isInfrastructureError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CODES.has(code)) return true;
  const errno = (err as { errno?: unknown }).errno;
  if (typeof errno === 'number' && ERRNOS.has(errno)) return true;
  // mysql2 marks an error that leaves the connection unusable as fatal (also the rollback after a
  // connection died mid-transaction).
  if ((err as { fatal?: unknown }).fatal === true) return true;
  if (REDIS_ERROR_NAMES.has(err.name)) return true;
  // BullMQ's own test: its ConnectionClosedError, ioredis's "connection is closed", ECONNREFUSED.
  if (!isNotConnectionError(err)) return true;
  return UNCODED_MESSAGES.has(err.message);
}
