// Fires a coupon rush at a running system and proves the outcome fair: creates its own coupon(s)
// through the admin API, submits the claims, long-polls every request to its final state, checks
// everything with the fairness oracle through the public API, prints a summary, writes a JSON and an
// HTML report, and exits 1 when the verification fails (2 on a usage or setup error).
//   npm run load:coupons -- --url http://127.0.0.1:3000 --admin-token T --requests 10000 --stock 1000
// With --pre-queue N, the first coupon opens a pre-queue: N fresh users claim it before its start,
// the rush begins at the start, and the report shows the draw (its oracle, Spearman's rho of submit
// order against drawn sequence, the winners that came through the pre-queue).
import { randomInt } from 'node:crypto';
import type { Schemas } from '../client/index.js';
import {
  awaitAllFinal,
  makePlan,
  submitClaim,
  verifyRush,
  type ClaimPlanItem,
  type Submitted,
} from '../rush/claims.js';
import { pool } from '../rush/pool.js';
import { verifyDraw, type DrawVerdict } from '../rush/pre-queue.js';
import type { RequestResource } from '../rush/request-resource.js';
import { bearerFor, hs256Signer, signForUsers } from '../rush/tokens.js';
import type { ParsedArgs } from '../toolkit/args.js';
import { rushFigures } from './lib/rush-figures.js';
import { SetupError, summaryRows } from './lib/rush-report.js';
import { reportRush, runLoadScript, runRush, rushSpec, type RushContext, type RushRun } from './lib/rush-run.js';

const spec = rushSpec(
  'claims',
  { repeatShare: '0.3', name: 'coupons' },
  {
    'jwt-secret': { help: 'for an API in HS256 identity mode: its AUTH_JWT_SECRET (else $AUTH_JWT_SECRET)' },
    stock: { help: 'totalQuantity of each coupon', default: '1000' },
    coupons: { help: 'coupons in the rush (claims spread at random)', default: '1' },
    'pre-queue': {
      help: "claims by fresh users in the first coupon's pre-queue before its start (0: none)",
      default: '0',
    },
    'pre-queue-lead-s': { help: 'with --pre-queue: seconds from creating the coupon to its start', default: '15' },
  },
);

function couponOptions(args: ParsedArgs) {
  return {
    stock: args.number('stock', { min: 1, max: 100_000_000 }),
    couponCount: args.number('coupons', { min: 1, max: 100 }),
    jwtSecret: args.string('jwt-secret') ?? process.env.AUTH_JWT_SECRET,
    preQueue: args.number('pre-queue', { min: 0, max: 1_000_000 }),
    leadS: args.number('pre-queue-lead-s', { min: 1, max: 3600 }),
  };
}

type CouponOptions = ReturnType<typeof couponOptions>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function main(opts: CouponOptions, o: RushContext): Promise<number> {
  const { url, requests, users } = o;
  if (opts.preQueue > 0 && opts.jwtSecret) throw new SetupError('--pre-queue is not combined with identity mode here');
  const startsAt = Date.now() + opts.leadS * 1000;
  const couponIds = await createCoupons(o, opts, startsAt);
  // Fresh user ids each run, so earlier runs against the same system never matter.
  const firstUserId = randomInt(1_000_000, 2 ** 46);
  const plan = makePlan(couponIds, users, requests, firstUserId);
  // In identity mode every claim carries its user's token and leaves userId out.
  const tokens = opts.jwtSecret
    ? await signForUsers(
        hs256Signer(opts.jwtSecret),
        plan.map((p) => p.userId),
      )
    : undefined;
  const pre =
    opts.preQueue > 0
      ? await fillPreQueue(o, couponIds[0] as number, firstUserId + users, opts.preQueue, startsAt)
      : [];
  console.log(
    `load:coupons ${url}: ${requests} claims by ${users} users on ${opts.couponCount} coupon(s) of ${opts.stock} (ids ${couponIds.join(', ')}), concurrency ${o.concurrency}${o.durationS > 0 ? `, over ${o.durationS} s` : ''}`,
  );
  const run = await runRush({
    ...o,
    plan,
    request: (item) => ({
      path: `/coupons/${item.couponId}/claims`,
      body: tokens ? {} : { userId: item.userId },
      headers: bearerFor(tokens, item.userId),
    }),
    laneOf: (requestId) => {
      const code = /^c(\d+)-/.exec(requestId)?.[1];
      return code === undefined ? undefined : `claims-${code}`;
    },
    pollHeaders: (r) => bearerFor(tokens, r.userId),
  });
  return verifyAndReport(o, { ...opts, couponIds, firstUserId, tokens, pre, run });
}

/** The rush's coupons, created through the admin API; with a pre-queue, the first opens one now and starts at `startsAt`. */
async function createCoupons(o: RushContext, opts: CouponOptions, startsAt: number): Promise<number[]> {
  const couponIds: number[] = [];
  const runTag = new Date().toISOString();
  const window = {
    preQueueOpensAt: new Date(Date.now() - 1_000).toISOString(),
    claimStartsAt: new Date(startsAt).toISOString(),
  };
  for (let i = 0; i < opts.couponCount; i++) {
    const res = await o.client.post<Schemas['Coupon']>(
      '/admin/coupons',
      {
        name: `load ${runTag} #${i + 1}`,
        discountType: 'FIXED',
        discountValue: 1000,
        totalQuantity: opts.stock,
        validDays: 7,
        ...(opts.preQueue > 0 && i === 0 ? window : {}),
      },
      { authorization: `Bearer ${o.adminToken}` },
    );
    if (res.status !== 201)
      throw new SetupError(`POST /admin/coupons answered ${res.status}: ${JSON.stringify(res.body)}`);
    couponIds.push(res.body.id);
  }
  return couponIds;
}

/** `count` claims by fresh users into the coupon's pre-queue, then waits for its start. */
async function fillPreQueue(
  o: RushContext,
  couponId: number,
  firstUserId: number,
  count: number,
  startsAt: number,
): Promise<Submitted[]> {
  const starts = new Date(startsAt).toISOString();
  console.log(`pre-queue: ${count} claims on coupon ${couponId} before its start at ${starts}`);
  const early = Array.from({ length: count }, (_, i) => ({ couponId, userId: firstUserId + i }));
  const pre = await pool(early, o.concurrency, (item) => submitClaim(o.url, item));
  const late = pre.filter((s) => s.resource?.preQueued !== true).length;
  if (late > 0)
    console.log(`pre-queue: ${late} claims were not taken into the pre-queue (too late? raise --pre-queue-lead-s)`);
  await sleep(startsAt - Date.now());
  return pre;
}

interface CouponRush extends CouponOptions {
  couponIds: number[];
  firstUserId: number;
  tokens: Map<number, string> | undefined;
  pre: Submitted[];
  run: RushRun<ClaimPlanItem>;
}

/** The fairness oracle (and the draw's, with a pre-queue) through the public API, then the report. */
async function verifyAndReport(o: RushContext, r: CouponRush): Promise<number> {
  const { url } = o;
  const { couponIds, pre, run } = r;
  process.stderr.write('verifying through the public API …\n');
  const preFinals =
    pre.length > 0
      ? await awaitAllFinal(url, pre, { timeoutMs: o.timeoutS * 1000 })
      : new Map<string, RequestResource>();
  const finals = new Map([...run.finals, ...preFinals]);
  const all = [...pre, ...run.records];
  const oracle = await verifyRush(url, couponIds, all, finals, r.tokens);
  const draw =
    pre.length > 0 ? await verifyDraw(url, o.adminToken, couponIds[0] as number, pre, all, finals) : undefined;
  const figures = rushFigures(run.records, run.finals);
  return reportRush({
    kind: 'load:coupons',
    title: 'Coupon rush',
    params: { stock: r.stock, coupons: r.couponCount, couponIds, firstUserId: r.firstUserId, preQueue: r.preQueue },
    run,
    figures,
    summary: summaryRows(figures),
    notes: [
      ...oracle.perCoupon.map(
        (c) => `coupon ${c.couponId}: ${c.requests} claims, ${c.succeeded} issued (expected ${c.expectedWinners})`,
      ),
      ...(draw ? [drawNote(couponIds[0] as number, draw)] : []),
    ],
    found: [oracle.violations, draw?.oracle.violations ?? []],
    extra: {
      perCoupon: oracle.perCoupon,
      lanes: [...run.lanes],
      ...(draw ? { preQueue: drawFigures(draw) } : {}),
    },
    chartTitles: { timeToFinal: 'Time to final (accepted → decided, queued requests)', depth: 'Lane depth over time' },
    options: o,
  });
}

const drawNote = (couponId: number, d: DrawVerdict) =>
  `pre-queue draw of coupon ${couponId}: ${d.draw.claims.length} claims drawn at ${d.draw.drawnAt}; ` +
  `Spearman rho of submit order against drawn sequence ${d.rho.toFixed(3)}; ` +
  `${d.preQueuedWinners} of ${d.winners} winners came through the pre-queue`;

const drawFigures = (d: DrawVerdict) => ({
  claims: d.draw.claims.length,
  drawnAt: d.draw.drawnAt,
  rho: d.rho,
  winners: d.winners,
  preQueuedWinners: d.preQueuedWinners,
});

runLoadScript('npm run load:coupons --', 'Coupon rush with fairness verification.', spec, couponOptions, main);
