// Hostile requests over a real socket to a real API process: what Node's HTTP parser refuses before the
// app sees it (a header block over its 16 KiB limit, a malformed request line, a bad header) and bodies
// over the limit, sent with and without a length. Each gets a problem+json answer and the process
// goes on serving.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedStack, type Stack } from '../support/processes.js';
import { type ManagedProcess } from '../../rush/processes.js';
import { adminHeaders } from '../support/context.js';

let stack: Stack;
let url: string;
let api: ManagedProcess;

beforeAll(async () => {
  stack = await isolatedStack();
  ({ url, proc: api } = await stack.api());
  // Coupon 1 of this run's database: claims for a coupon that does not exist are 404.
  const coupon = { name: 'limits', discountType: 'FIXED', discountValue: 1, totalQuantity: 10, validDays: 1 };
  await fetch(`${url}/admin/coupons`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(coupon) });
});
afterAll(() => stack?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `payload` on a fresh connection and reads the one answer until the server closes or it is complete. */
function raw(payload: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(payload));
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => finish(), 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no complete answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: text.slice(end + 4) });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *([0-9]+)/i.exec(text.slice(0, end))?.[1];
      if (end >= 0 && length !== undefined && data.length >= Buffer.byteLength(text.slice(0, end + 4)) + Number(length))
        finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

function expectProblemAnswer(a: RawAnswer, status: number, code: string) {
  expect(a.status, a.body).toBe(status);
  expect(a.headers['content-type']).toBe('application/problem+json');
  expect(a.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  expect(JSON.parse(a.body)).toMatchObject({ status, code, type: expect.any(String), detail: expect.any(String) });
}

describe('HTTP limits over a real socket', () => {
  it('when a header block is over 16 KiB, one huge header or thousands of small ones, then the answer is 431 problem+json and the server keeps serving', async () => {
    const huge = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectProblemAnswer(huge, 431, 'REQUEST_HEADERS_TOO_LARGE');
    const many = Array.from({ length: 2_000 }, (_, i) => `X-H${i}: ${'v'.repeat(10)}\r\n`).join('');
    expectProblemAnswer(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n`), 431, 'REQUEST_HEADERS_TOO_LARGE');
    const idempotency = await raw(
      `POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: ${'k'.repeat(17_000)}\r\n` +
        'Content-Length: 2\r\n\r\n{}',
    );
    expectProblemAnswer(idempotency, 431, 'REQUEST_HEADERS_TOO_LARGE');
    const requestId = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${'r'.repeat(17_000)}\r\n\r\n`);
    expectProblemAnswer(requestId, 431, 'REQUEST_HEADERS_TOO_LARGE');

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
  });

  it('when the request line or a header is not valid HTTP, then the answer is 400 problem+json and the server keeps serving', async () => {
    for (const payload of [
      'GARBAGE\r\n\r\n',
      'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n',
      'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{',
      'POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      expectProblemAnswer(await raw(payload), 400, 'MALFORMED_REQUEST');
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
  });

  it('when a body over 64 KiB comes with a length or chunked without one, then the answer is 413 problem+json', async () => {
    const body = JSON.stringify({ userId: 1, pad: 'x'.repeat(70_000) });
    const withLength = await raw(
      `POST /coupons/1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expectProblemAnswer(withLength, 413, 'PAYLOAD_TOO_LARGE');
    const chunks = body.match(/.{1,8192}/g) ?? [];
    const chunked = await raw(
      `POST /coupons/1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n` +
        `Connection: close\r\n\r\n${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`,
    );
    expectProblemAnswer(chunked, 413, 'PAYLOAD_TOO_LARGE');
    expect(api.child.exitCode).toBeNull();
  });

  it('when a body under 64 KiB comes chunked without a length, then it is read and the claim is queued', async () => {
    const body = JSON.stringify({ userId: 7, pad: 'x'.repeat(30_000) });
    const chunks = body.match(/.{1,4096}/g) ?? [];
    const answer = await raw(
      `POST /coupons/1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n` +
        `Connection: close\r\n\r\n${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`,
    );
    expect(answer.status, answer.body).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'QUEUED', type: 'COUPON_CLAIM' });
  });
});
