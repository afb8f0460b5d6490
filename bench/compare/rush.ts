// One closed-loop rush of the comparison: the design started and warmed up, the load generator's
// requests fired over its connections, every queued request awaited until decided, and each answer
// joined with its outcome (the answer itself for the naive design, the outcome row for the others).
import type { Db } from '../../src/db/database.js';
import { FINAL_STATUSES } from '../../rush/poll.js';
import type { ManagedProcess } from '../../rush/processes.js';
import type { GeneratorResult, GeneratorSpec } from '../generator.js';
import { countRows, runGenerator, waitForRows, type Isolated } from '../lib/stack.js';
import { cpuMeter, startDesign, warmUp, type BenchContext, type Design } from './designs.js';

/** One design's rush: where it runs, how many connections fire it, and the processes it started. */
export interface RushSetup {
  design: Design;
  iso: Isolated;
  connections: number;
  /** The design's processes join it as they start, for the caller to stop. */
  children: ManagedProcess[];
}

/** An answer and, for a queued request, its outcome. */
export interface Finalised {
  result: GeneratorResult;
  status: string;
  sequence: number | null;
  errorCode: string | undefined;
  resultBody: Record<string, unknown> | undefined;
  /** Epoch ms at which the outcome was final: the answer itself, or the decision of a queued request. */
  finalAt: number;
}

interface OutcomeRow {
  request_id: string;
  status: string;
  error_code: string | null;
  sequence: number | null;
  result: string | null;
  finished_at: Date;
}

/** Starts the design, warms it up with `warm`, fires `rush` and waits until every queued request is decided. */
export async function fireRush(
  ctx: BenchContext,
  { design, iso, connections, children }: RushSetup,
  warm: GeneratorSpec['requests'],
  rush: GeneratorSpec['requests'],
) {
  const started = await startDesign(ctx, design, iso);
  children.push(...started.children);
  const warmQueued = await warmUp(started.url, warm);
  if (warmQueued > 0) await waitForRows(iso.db, 'request_outcomes', warmQueued, 60_000);
  const baseline = design === 'naive' ? 0 : await countRows(iso.db, 'request_outcomes');
  const meter = cpuMeter(ctx, started.children);
  const results = await runGenerator(started.url, connections, rush);
  const queued = distinctQueued(results);
  const outcomes =
    design === 'naive' ? new Map<string, OutcomeRow>() : await awaitOutcomes(ctx, iso.db, baseline, queued);
  const cpu = meter(results.length);
  return { results, cpu, rows: finalise(results, outcomes) };
}

/**
 * Queued requests, each once: a repeated submit of a user still in line gets the same request back
 * (202, same id and sequence), so answers and requests are not one to one.
 */
const distinctQueued = (results: GeneratorResult[]) =>
  new Set(results.filter((r) => r.httpStatus === 202 && r.requestId).map((r) => r.requestId)).size;

/** One observation per request id, the first answer that named it. */
export function oncePerRequest<T extends { requestId: string }>(observations: T[]): T[] {
  const seen = new Set<string>();
  return observations.filter((o) => !seen.has(o.requestId) && seen.add(o.requestId));
}

/** Waits until the queued requests all have an outcome, then reads the outcomes. */
async function awaitOutcomes(
  { progress }: BenchContext,
  db: Db,
  baseline: number,
  queued: number,
): Promise<Map<string, OutcomeRow>> {
  const timeoutMs = Math.max(120_000, queued * 10);
  const done = await waitForRows(db, 'request_outcomes', baseline + queued, timeoutMs, (n) =>
    progress.update('deciding', n - baseline, queued),
  );
  progress.finish('decided', (await countRows(db, 'request_outcomes')) - baseline, queued);
  if (!done) console.log(`  not every request was decided within ${timeoutMs / 1000} s`);
  const rows = await db
    .selectFrom('request_outcomes')
    .select(['request_id', 'status', 'error_code', 'sequence', 'result', 'finished_at'])
    .execute();
  return new Map(rows.map((r) => [r.request_id, r as OutcomeRow]));
}

function finalise(results: GeneratorResult[], outcomes: Map<string, OutcomeRow>): Finalised[] {
  return results.map((r) => {
    const answer = r.resource;
    const row = r.requestId ? outcomes.get(r.requestId) : undefined;
    if (row) {
      return {
        result: r,
        status: row.status,
        sequence: row.sequence === null ? null : Number(row.sequence),
        errorCode: row.error_code ?? undefined,
        resultBody: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : undefined,
        finalAt: new Date(row.finished_at).getTime(),
      };
    }
    const final = answer && FINAL_STATUSES.has(answer.status);
    return {
      result: r,
      status: answer?.status ?? `HTTP ${r.httpStatus}`,
      sequence: answer?.sequence ?? null,
      errorCode: answer?.error?.code ?? r.problemCode,
      resultBody: answer?.result,
      finalAt: final ? r.answeredAt : NaN,
    };
  });
}

/** A rush passes when every submission was accepted and the oracle found nothing. */
export function verdict(results: readonly GeneratorResult[], found: readonly string[]) {
  const rejectedAtSubmit = results.filter((r) => !r.requestId).length;
  const violations = [...(rejectedAtSubmit > 0 ? [`${rejectedAtSubmit} submissions were not accepted`] : []), ...found];
  return { verdict: violations.length === 0 ? ('PASS' as const) : ('FAIL' as const), violations };
}
