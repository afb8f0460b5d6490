// Secure by default, through real API processes: the API does not start listening beyond loopback
// with end-user identity off unless TRUSTED_GATEWAY says a gateway in front authenticates users; a
// short or documented admin token and a plain-http JWKS beyond loopback are refused at startup, each
// with one line and exit 1 before any socket listens; connections past MAX_CONNECTIONS are closed
// while the ones held are served.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ManagedProcess } from '../../rush/processes.js';
import { isolatedStack, type Stack } from '../support/processes.js';

let stack: Stack;
const started: ManagedProcess[] = [];
beforeAll(async () => {
  stack = await isolatedStack();
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.kill('SIGKILL')));
  await stack?.close();
});

/** Starts an API with `env` (ADMIN_TOKEN: '' leaves it unset) and waits for it to listen or exit. */
async function startApi(env: Record<string, string>) {
  const port = await freePort();
  const proc = new ManagedProcess('apps/api/main.ts', stack.env({ PORT: String(port), ...env }));
  started.push(proc);
  const outcome = await Promise.race([
    proc.waitForLog(/api listening/, 30_000).then(() => 'listening' as const),
    proc.exited.then((code) => ({ code })),
  ]);
  return { proc, port, outcome };
}

async function expectRefused(env: Record<string, string>, reason: RegExp) {
  const { proc, port, outcome } = await startApi(env);
  expect(outcome).toEqual({ code: 1 });
  const lines = proc.lines.filter((l) => String(l.msg ?? '').length > 0);
  expect(lines.map((l) => l.msg)).toHaveLength(1);
  expect(String(lines[0]?.msg)).toMatch(/^refusing to start: Invalid configuration: /);
  expect(String(lines[0]?.msg)).toMatch(reason);
  expect(lines[0]?.level).toBe(60);
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
}

describe('startup refusals', () => {
  it('when the API would listen beyond loopback with identity off, then it refuses to start; with TRUSTED_GATEWAY or identity it starts', async () => {
    await expectRefused({ API_HOST: '0.0.0.0' }, /API_HOST: 0\.0\.0\.0 is beyond loopback .* TRUSTED_GATEWAY=true/);
    const settings: Record<string, string>[] = [{ TRUSTED_GATEWAY: 'true' }, { AUTH_JWT_SECRET: 'k'.repeat(32) }];
    for (const extra of settings) {
      const { proc, port, outcome } = await startApi({ API_HOST: '0.0.0.0', ...extra });
      expect(outcome).toBe('listening');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(await proc.kill('SIGTERM')).toBe(0);
    }
  });

  it('when nothing says where to listen, then the API listens on loopback only and starts', async () => {
    const { proc, port, outcome } = await startApi({});
    expect(outcome).toBe('listening');
    expect(proc.lines.find((l) => l.msg === 'api listening')?.host).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await proc.kill('SIGTERM');
  });

  it('when ADMIN_TOKEN is shorter than 16 characters or the documented example, then the API refuses to start', async () => {
    await expectRefused({ ADMIN_TOKEN: 'change-me' }, /ADMIN_TOKEN: at least 16 characters/);
    await expectRefused({ ADMIN_TOKEN: '0123456789abcde' }, /ADMIN_TOKEN: at least 16 characters/);
  });

  it('when AUTH_JWKS_URL is plain http beyond loopback, then the API refuses to start', async () => {
    await expectRefused({ AUTH_JWKS_URL: 'http://issuer.example/jwks.json' }, /AUTH_JWKS_URL: an https URL/);
  });
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one keep-alive GET /healthz on `socket` and resolves with the status line, or null when the server closed it. */
function ask(socket: Socket): Promise<string | null> {
  return new Promise((resolve) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('utf8');
      if (data.includes('\r\n\r\n')) finish(data.slice(0, data.indexOf('\r\n')));
    };
    const finish = (line: string | null) => {
      socket.off('data', onData);
      clearTimeout(timer);
      resolve(line);
    };
    const timer = setTimeout(() => finish(null), 5_000);
    socket.on('data', onData);
    socket.once('close', () => finish(null));
    socket.once('error', () => finish(null));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

describe('connection cap', () => {
  it('when a client holds MAX_CONNECTIONS connections, then a further one is closed unanswered, the held ones are served, and a freed slot is taken again', async () => {
    const { proc, port, outcome } = await startApi({ MAX_CONNECTIONS: '20' });
    expect(outcome).toBe('listening');
    const held = await Promise.all(Array.from({ length: 20 }, () => open(port)));
    try {
      expect(await Promise.all(held.map(ask))).toEqual(Array<string>(20).fill('HTTP/1.1 200 OK'));
      const extra = await Promise.all(Array.from({ length: 5 }, () => open(port).then(ask, () => null)));
      expect(extra).toEqual(Array<null>(5).fill(null));
      expect(await ask(held[0] as Socket)).toBe('HTTP/1.1 200 OK');
      held.pop()?.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const again = await open(port);
      expect(await ask(again)).toBe('HTTP/1.1 200 OK');
      again.destroy();
      held[0]?.destroy();
      held.shift();
      await new Promise((r) => setTimeout(r, 200));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(Number(/^ce_http_connections_dropped_total (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(5);
    } finally {
      for (const s of held) s.destroy();
      await proc.kill('SIGTERM');
    }
  });
});
