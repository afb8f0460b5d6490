// Screenshots the Bull Board dashboard of a running system during a coupon rush that this script
// fires itself (a few coupons, so several lanes are busy), with headless Chromium from the system
// (Debian's `chromium`) driven by playwright-core. Writes the overview and one lane's job list.
//   npx tsx scripts/screenshot-dashboard.ts --url http://127.0.0.1:3000 --admin-token T
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runCli, UsageError } from '../toolkit/args.js';
import { adminCreateCoupon, makePlan, submitClaim } from '../rush/claims.js';
import { pool } from '../rush/pool.js';

const command = {
  command: 'npx tsx scripts/screenshot-dashboard.ts',
  summary: 'Screenshot the dashboard during a rush.',
  options: {
    url: { help: 'base URL of the API', default: 'http://127.0.0.1:3000' },
    'admin-token': { help: 'admin token (else $ADMIN_TOKEN)' },
    chromium: { help: 'Chromium executable', default: '/usr/bin/chromium' },
    requests: { help: 'claims in the rush', default: '20000' },
    coupons: { help: 'coupons in the rush (each maps to a lane)', default: '3' },
    concurrency: { help: 'requests in flight', default: '200' },
    out: { help: 'directory for dashboard.png and dashboard-lane.png', default: 'docs/img' },
  },
};

interface Shot {
  url: string;
  token: string;
  requests: number;
  concurrency: number;
  outDir: string;
}

runCli(command, async (args) => {
  const token = args.string('admin-token') ?? process.env.ADMIN_TOKEN;
  if (!token) throw new UsageError('an admin token is needed: --admin-token or ADMIN_TOKEN');
  const shot: Shot = {
    url: (args.string('url') as string).replace(/\/$/, ''),
    token,
    requests: args.number('requests', { min: 100, max: 1_000_000 }),
    concurrency: args.number('concurrency', { min: 1, max: 2_000 }),
    outDir: args.string('out') as string,
  };
  const couponIds = await createCoupons(shot, args.number('coupons', { min: 1, max: 20 }));
  const browser = await launchChromium(args.string('chromium') as string);
  try {
    await screenshotDuringRush(browser, shot, couponIds);
  } finally {
    await browser.close();
  }
});

/** Coupons that sell out halfway, so the picture has winners, SOLD_OUT decisions and claims still queued. */
async function createCoupons({ url, token, requests }: Shot, count: number): Promise<number[]> {
  const couponIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await adminCreateCoupon(url, token, {
      name: `Screenshot rush ${i + 1}`,
      discountType: 'PERCENT',
      discountValue: 10,
      totalQuantity: Math.ceil(requests / count / 2),
      validDays: 7,
    });
    couponIds.push(id);
  }
  return couponIds;
}

function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Fires the rush, screenshots the overview once 40% is submitted, then one lane's completed jobs. */
async function screenshotDuringRush(browser: Browser, shot: Shot, couponIds: number[]): Promise<void> {
  const { url, token, requests, concurrency, outDir } = shot;
  const plan = makePlan(couponIds, Math.ceil(requests * 0.7), requests, 1_000_000 + Math.floor(Math.random() * 1e6));
  const context = await browser.newContext({
    httpCredentials: { username: 'admin', password: token },
    viewport: { width: 1440, height: 900 },
  });
  // The board's page links a web font; without network access it would only delay rendering.
  await context.route(/fonts\.(googleapis|gstatic)\.com/, (route) => route.abort());
  const page = await context.newPage();

  let submitted = 0;
  // Only a picture is at stake: a claim whose connection fails is dropped, not retried.
  const rush = pool(plan, concurrency, async (item) => {
    await submitClaim(url, item).catch(() => undefined);
    submitted++;
  });
  while (submitted < requests * 0.4) await new Promise((r) => setTimeout(r, 50));
  await page.goto(`${url}/admin/queues`, { waitUntil: 'networkidle' });
  await page.getByText('claims-0').first().waitFor();
  await mkdir(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, 'dashboard.png') });
  console.log(`dashboard.png taken after ${submitted} of ${requests} claims were submitted`);

  const lane = `claims-${(couponIds[0] as number) % 4}`;
  await page.goto(`${url}/admin/queues/queue/${lane}?status=completed`, { waitUntil: 'networkidle' });
  await page.getByText('claim coupon').first().waitFor();
  await page.screenshot({ path: join(outDir, 'dashboard-lane.png') });
  console.log(`dashboard-lane.png: completed jobs of ${lane}`);
  await rush;
}
