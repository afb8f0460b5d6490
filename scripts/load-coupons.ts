// Fires a coupon rush at a running system and proves the outcome fair: creates its own coupon(s)
// through the admin API, submits the claims, long-polls every request to its final state, checks
// everything with the fairness oracle through the public API, prints a summary, writes a JSON and an
// HTML report, and exits 1 when the verification fails (2 on a usage or setup error).
//   npm run load:coupons -- --url http://127.0.0.1:3000 --admin-token T --requests 10000 --stock 1000
import { randomInt } from 'node:crypto';
import type { Schemas } from '../client/index.js';
import { makePlan, verifyRush } from '../rush/claims.js';
import { bearerFor, hs256Signer, signForUsers } from '../rush/tokens.js';
import type { ParsedArgs } from './lib/args.js';
import { rushFigures } from './lib/rush-figures.js';
import { SetupError, summaryRows } from './lib/rush-report.js';
import { reportRush, runLoadScript, runRush, rushSpec, type RushContext } from './lib/rush-run.js';

const spec = rushSpec(
  'claims',
  { repeatShare: '0.3', name: 'coupons' },
  {
    'jwt-secret': { help: 'for an API in HS256 identity mode: its AUTH_JWT_SECRET (else $AUTH_JWT_SECRET)' },
    stock: { help: 'totalQuantity of each coupon', default: '1000' },
    coupons: { help: 'coupons in the rush (claims spread at random)', default: '1' },
  },
);

function couponOptions(args: ParsedArgs) {
  return {
    stock: args.number('stock', { min: 1, max: 100_000_000 }),
    couponCount: args.number('coupons', { min: 1, max: 100 }),
    jwtSecret: args.string('jwt-secret') ?? process.env.AUTH_JWT_SECRET,
  };
}

async function main(
  { stock, couponCount, jwtSecret }: ReturnType<typeof couponOptions>,
  o: RushContext,
): Promise<number> {
  const { url, requests, users } = o;
  const couponIds: number[] = [];
  const runTag = new Date().toISOString();
  for (let i = 0; i < couponCount; i++) {
    const res = await o.client.post<Schemas['Coupon']>(
      '/admin/coupons',
      {
        name: `load ${runTag} #${i + 1}`,
        discountType: 'FIXED',
        discountValue: 1000,
        totalQuantity: stock,
        validDays: 7,
      },
      { authorization: `Bearer ${o.adminToken}` },
    );
    if (res.status !== 201)
      throw new SetupError(`POST /admin/coupons answered ${res.status}: ${JSON.stringify(res.body)}`);
    couponIds.push(res.body.id);
  }
  // Fresh user ids each run, so earlier runs against the same system never matter.
  const firstUserId = randomInt(1_000_000, 2 ** 46);
  const plan = makePlan(couponIds, users, requests, firstUserId);
  // In identity mode every claim carries its user's token and leaves userId out.
  const tokens = jwtSecret
    ? await signForUsers(
        hs256Signer(jwtSecret),
        plan.map((p) => p.userId),
      )
    : undefined;
  console.log(
    `load:coupons ${url}: ${requests} claims by ${users} users on ${couponCount} coupon(s) of ${stock} (ids ${couponIds.join(', ')}), concurrency ${o.concurrency}${o.durationS > 0 ? `, over ${o.durationS} s` : ''}`,
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

  process.stderr.write('verifying through the public API …\n');
  const oracle = await verifyRush(url, couponIds, run.records, run.finals, tokens);
  const figures = rushFigures(run.records, run.finals);
  const params = {
    stock,
    coupons: couponCount,
    couponIds,
    firstUserId,
  };
  return reportRush({
    kind: 'load:coupons',
    title: 'Coupon rush',
    params,
    run,
    figures,
    summary: summaryRows(figures),
    notes: oracle.perCoupon.map(
      (c) => `coupon ${c.couponId}: ${c.requests} claims, ${c.succeeded} issued (expected ${c.expectedWinners})`,
    ),
    found: [oracle.violations],
    extra: { perCoupon: oracle.perCoupon, lanes: [...run.lanes] },
    chartTitles: { timeToFinal: 'Time to final (accepted → decided, queued requests)', depth: 'Lane depth over time' },
    options: o,
  });
}

runLoadScript('npm run load:coupons --', 'Coupon rush with fairness verification.', spec, couponOptions, main);
