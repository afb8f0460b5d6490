// The startup check of the installed BullMQ: the pinned version with its private files passes, any
// other version or a missing private file is refused with an error that names what was found.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertBullmqSupported,
  BULLMQ_PRIVATE_FILES,
  BULLMQ_VERSION,
  BullmqUnsupportedError,
  installedBullmqRoot,
} from '../../src/bullmq/support.js';

const made: string[] = [];

/** A package folder that looks like BullMQ `version` with the given private files. */
function fakeBullmq(version: string, files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'ce-bullmq-'));
  made.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bullmq', version }));
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the BullMQ support check', () => {
  it('when the installed BullMQ is the one package.json pins, then the check passes', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['bullmq']).toBe(BULLMQ_VERSION);
    const installed = JSON.parse(readFileSync(join(installedBullmqRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(installed.version).toBe(BULLMQ_VERSION);
    expect(() => assertBullmqSupported()).not.toThrow();
  });

  it('when another version is installed, then it refuses with an error naming both versions', () => {
    const root = fakeBullmq('6.8.1', Object.values(BULLMQ_PRIVATE_FILES));
    expect(() => assertBullmqSupported(root)).toThrow(BullmqUnsupportedError);
    expect(() => assertBullmqSupported(root)).toThrow(
      `bullmq 6.8.1 is installed (${root}), but this engine runs only on bullmq ${BULLMQ_VERSION}`,
    );
  });

  it('when the pinned version lacks one of the private files, then it refuses naming that file', () => {
    const [first = '', ...rest] = Object.values(BULLMQ_PRIVATE_FILES);
    const root = fakeBullmq(BULLMQ_VERSION, rest);
    expect(() => assertBullmqSupported(root)).toThrow(`lacks ${first}`);
    expect(() => assertBullmqSupported(fakeBullmq(BULLMQ_VERSION, [first]))).toThrow(BullmqUnsupportedError);
  });
});
