// `npm test`'s pretest as a user meets it: a variable naming a binary that is not there is answered
// with one line naming the variable, before anything is installed; a binary that is there is enough.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function pretest(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-test-tools.ts'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('the pretest step', () => {
  it('when CHROMIUM_PATH names no executable, then it exits 1 with one line naming the variable and installs nothing', () => {
    const run = pretest({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'pretest: CHROMIUM_PATH=/nonexistent/chromium is not an executable Chromium; fix or unset it (test/e2e/docs-page.test.ts)',
    ]);
  });

  it('when CHROMIUM_PATH names an executable, then it exits 0 and says nothing', () => {
    const run = pretest({ CHROMIUM_PATH: process.execPath });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
