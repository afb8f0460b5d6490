// /docs as a person sees it: a real API process, headless Chromium (Debian's `chromium`, driven by
// playwright-core), and every request that would leave the machine refused. The page must show
// the operations and schemas from the API alone.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedStack, type Stack } from '../support/processes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack: Stack;
let url: string;
let context: BrowserContext;
let profile: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    // `npm test` brings it first (scripts/ensure-test-tools.ts); a bare `vitest run` does not.
    throw new Error(`No Chromium at ${CHROMIUM}: run npm test as root, install Debian's chromium or set CHROMIUM_PATH`);
  }
  stack = await isolatedStack();
  ({ url } = await stack.api());
  profile = await mkdtemp(join(tmpdir(), 'ce-docs-chromium-'));
  // A fresh profile each run (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await stack?.close();
});

describe('/docs offline', () => {
  it('when /docs is opened with every request off the machine refused, then operations and schemas are shown and no request left', async () => {
    const origin = new URL(url).origin;
    const local: string[] = [];
    const refused: string[] = [];
    await context.route('**/*', async (route) => {
      const requested = route.request().url();
      if (new URL(requested).origin === origin || requested.startsWith('data:')) {
        local.push(requested);
        await route.continue();
      } else {
        refused.push(requested);
        await route.abort('internetdisconnected');
      }
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await page.goto(`${url}/docs`, { waitUntil: 'networkidle' });
    await page.locator('.opblock-summary-path').first().waitFor();

    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths).toContain('/coupons/{couponId}/claims');
    expect(paths).toContain('/requests/{requestId}');
    expect(paths).toContain('/orders');
    const schemas = await page.locator('.models .json-schema-2020-12__title').allTextContents();
    expect(schemas).toContain('QueuedRequest');
    expect(schemas).toContain('Problem');

    const shots = join('reports', 'img');
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'docs.png') });

    expect(pageErrors).toEqual([]);
    expect(local.some((u) => u.endsWith('/openapi.json'))).toBe(true);
    expect(refused).toEqual([]);
  });
});
