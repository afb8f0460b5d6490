// What a decided batch tells the logs and the metrics.
import type { Logger } from '../logger.js';
import type { Decided } from './lane-commit.js';

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** How many requests of the batch ended with each code (or status when it has none). */
export function countOutcomes(done: Decided[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of done) {
    const key = outcome.error_code ?? outcome.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** At debug, a line per decided request with both its ids: one grep finds submit, decision, outcome. */
export function logDecisions(log: Logger, done: Decided[]): void {
  if (!log.isLevelEnabled('debug')) return;
  for (const { held, outcome } of done) {
    const httpRequestId = (held.job.data as { httpRequestId?: unknown } | undefined)?.httpRequestId;
    const { status, error_code: code } = outcome;
    const ids = { requestId: held.requestId, httpRequestId, sequence: held.sequence };
    log.debug({ ...ids, status, code: code ?? undefined }, 'decided');
  }
}
