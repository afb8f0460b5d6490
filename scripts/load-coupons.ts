// Fires a coupon rush at a running system and proves the outcome fair: creates its own coupon(s)
// through the admin API, submits the claims, long-polls every request to its final state, checks
// everything with the fairness oracle through the public API, prints a summary, writes a JSON and an
// HTML report, and exits 1 when the verification fails (2 on a usage or setup error).
//   npm run load:coupons -- --url http://127.0.0.1:3000 --admin-token T --requests 10000 --stock 1000
import { randomInt } from 'node:crypto';
import { verifyClaims } from '../src/verify/claims.oracle.js';
import type { Schemas } from '../client/index.js';
import { parseCli, usage, UsageError, type OptionSpec } from './lib/args.js';
import { makePlan, observeCoupon, toObservations } from '../rush/claims.js';
import { JsonClient, nowMs } from '../rush/http.js';
import { ProgressBar } from './lib/progress.js';
import { textTable, writeReport } from './lib/report.js';
import { renderHtml, rushCharts, SetupError, summaryRows } from './lib/rush-report.js';
import { awaitAll } from '../rush/poll.js';
import { rushFigures, Sampler } from './lib/rush-figures.js';
import { submitAll } from '../rush/submit.js';
import { bearerFor, hs256Signer, signForUsers } from '../rush/tokens.js';

const spec: Record<string, OptionSpec> = {
  url: { help: 'base URL of the API', default: 'http://127.0.0.1:3000' },
  'admin-token': { help: 'admin token (else $ADMIN_TOKEN)' },
  'jwt-secret': { help: 'for an API in HS256 identity mode: its AUTH_JWT_SECRET (else $AUTH_JWT_SECRET)' },
  requests: { help: 'claims to submit', default: '10000' },
  users: { help: 'distinct users (default: requests × (1 − repeat-share))' },
  'repeat-share': { help: 'share of claims by a user who already claimed', default: '0.3' },
  stock: { help: 'totalQuantity of each coupon', default: '1000' },
  coupons: { help: 'coupons in the rush (claims spread at random)', default: '1' },
  concurrency: { help: 'requests in flight (connections)', default: '100' },
  duration: { help: 'spread submissions over this many seconds (0 = as fast as possible)', default: '0' },
  'poll-concurrency': { help: 'long polls in flight while waiting', default: '100' },
  timeout: { help: 'seconds to wait for every request to be final', default: '120' },
  out: { help: 'directory for the JSON and HTML report', default: 'reports' },
  name: { help: 'report file name prefix', default: 'coupons' },
};

async function main(): Promise<number> {
  const args = parseCli(spec);
  if (args.help) {
    console.log(usage('npm run load:coupons --', 'Coupon rush with fairness verification.', spec));
    return 0;
  }
  const url = (args.string('url') as string).replace(/\/$/, '');
  const adminToken = args.string('admin-token') ?? process.env.ADMIN_TOKEN;
  if (!adminToken) throw new UsageError('an admin token is needed: --admin-token or ADMIN_TOKEN');
  const requests = args.number('requests', { min: 1, max: 10_000_000 });
  const repeatShare = args.number('repeat-share', { min: 0, max: 0.99, fractional: true });
  const users =
    args.optionalNumber('users', { min: 1, max: requests }) ?? Math.max(1, Math.round(requests * (1 - repeatShare)));
  const stock = args.number('stock', { min: 1, max: 100_000_000 });
  const couponCount = args.number('coupons', { min: 1, max: 100 });
  const concurrency = args.number('concurrency', { min: 1, max: 5_000 });
  const durationS = args.number('duration', { min: 0, max: 3_600, fractional: true });
  const pollConcurrency = args.number('poll-concurrency', { min: 1, max: 5_000 });
  const timeoutS = args.number('timeout', { min: 1, max: 86_400 });
  const outDir = args.string('out') as string;
  const name = args.string('name') as string;
  const jwtSecret = args.string('jwt-secret') ?? process.env.AUTH_JWT_SECRET;

  const client = new JsonClient(url, concurrency);
  const poller = new JsonClient(url, pollConcurrency + 2);
  const progress = new ProgressBar();
  try {
    const health = await client.get('/healthz').catch((err: Error) => ({ status: 0, body: err.message }));
    if (health.status !== 200) throw new SetupError(`${url}/healthz answered ${health.status}: ${String(health.body)}`);

    const couponIds: number[] = [];
    const runTag = new Date().toISOString();
    for (let i = 0; i < couponCount; i++) {
      const res = await client.post<Schemas['Coupon']>(
        '/admin/coupons',
        {
          name: `load ${runTag} #${i + 1}`,
          discountType: 'FIXED',
          discountValue: 1000,
          totalQuantity: stock,
          validDays: 7,
        },
        { authorization: `Bearer ${adminToken}` },
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
      `load:coupons ${url}: ${requests} claims by ${users} users on ${couponCount} coupon(s) of ${stock} (ids ${couponIds.join(', ')}), concurrency ${concurrency}${durationS > 0 ? `, over ${durationS} s` : ''}`,
    );

    const start = nowMs();
    let submitted = 0;
    let accepted = 0;
    let final = 0;
    const lanes = new Set<string>();
    const sampler = new Sampler(
      client,
      start,
      () => [...lanes],
      () => ({ submitted, accepted, final }),
    );
    sampler.begin();
    const records = await submitAll(
      client,
      plan,
      (item) => {
        submitted++;
        return {
          path: `/coupons/${item.couponId}/claims`,
          body: tokens ? {} : { userId: item.userId },
          headers: bearerFor(tokens, item.userId),
        };
      },
      {
        concurrency,
        durationS,
        progress,
        onAnswer: (r) => {
          if (!r.requestId) return;
          accepted++;
          if (r.resource?.sequence === null) final++;
          const code = /^c(\d+)-/.exec(r.requestId)?.[1];
          if (code !== undefined) lanes.add(`claims-${code}`);
        },
      },
    );
    const finals = await awaitAll(poller, records, {
      concurrency: pollConcurrency,
      deadline: Date.now() + timeoutS * 1000,
      progress,
      onFinal: () => final++,
      headers: (r) => bearerFor(tokens, r.userId),
    });
    await sampler.stop();

    process.stderr.write('verifying through the public API …\n');
    const coupons = await Promise.all(
      couponIds.map((id) =>
        observeCoupon(
          url,
          id,
          plan.filter((p) => p.couponId === id).map((p) => p.userId),
          50,
          tokens,
        ),
      ),
    );
    const oracle = verifyClaims(toObservations(records, finals), coupons);
    const figures = rushFigures(records, finals);
    const violations = [...oracle.violations];
    const errors = Object.entries(figures.submitErrors);
    if (errors.length > 0) {
      violations.unshift(
        `${errors.reduce((n, [, c]) => n + c, 0)} submissions were not accepted: ${errors.map(([k, c]) => `${k} ×${c}`).join(', ')}`,
      );
    }
    const pass = violations.length === 0;

    const summary = summaryRows(figures);
    console.log();
    console.log(textTable(['figure', 'value'], summary));
    for (const c of oracle.perCoupon) {
      console.log(`coupon ${c.couponId}: ${c.requests} claims, ${c.succeeded} issued (expected ${c.expectedWinners})`);
    }
    console.log(`verdict: ${pass ? 'PASS' : 'FAIL'}`);
    for (const v of violations) console.log(`  violation: ${v}`);

    const params = {
      url,
      requests,
      users,
      repeatShare,
      stock,
      coupons: couponCount,
      couponIds,
      concurrency,
      durationS,
      firstUserId,
    };
    const json = {
      kind: 'load:coupons',
      startedAt: new Date(start).toISOString(),
      params,
      verdict: pass ? 'PASS' : 'FAIL',
      violations,
      perCoupon: oracle.perCoupon,
      figures: {
        ...figures,
        submitLatency: figures.submitLatency.summary(),
        timeToFinal: figures.timeToFinal.summary(),
      },
      lanes: [...lanes],
      laneDepthSource: sampler.hasMetrics ? '/metrics' : 'position and decided counts',
      samples: sampler.samples,
    };
    const html = renderHtml(
      'Coupon rush',
      params,
      summary,
      pass,
      violations,
      figures,
      rushCharts(
        { records, finals, samples: sampler.samples, start, figures },
        { timeToFinal: 'Time to final (accepted → decided, queued requests)', depth: 'Lane depth over time' },
      ),
    );
    const files = await writeReport(outDir, name, json, html);
    console.log(`report: ${files.json}\n        ${files.html}`);
    return pass ? 0 : 1;
  } finally {
    await Promise.all([client.close(), poller.close()]);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write('\n');
    if (err instanceof UsageError)
      console.error(
        `${err.message}\n\n${usage('npm run load:coupons --', 'Coupon rush with fairness verification.', spec)}`,
      );
    else console.error(err instanceof SetupError ? `setup failed: ${err.message}` : err);
    process.exit(2);
  },
);
