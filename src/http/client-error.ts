// Requests that Node's HTTP parser refuses before the app sees them (a header block over the limit,
// a malformed request line, a request that took too long to arrive) still get a problem+json answer
// with an X-Request-Id, like every other error of the API. Attach to the server's `clientError`.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../common/errors.js';
import { problem } from './problem.js';

const BY_PARSER_CODE: Record<string, { status: number; code: ErrorCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'REQUEST_HEADERS_TOO_LARGE',
    detail: 'The request header block exceeds the server limit',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The chunk extensions exceed the server limit',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    detail: 'The request did not arrive in time',
  },
};

const MALFORMED: { status: number; code: ErrorCode; detail: string } = {
  status: 400,
  code: 'MALFORMED_REQUEST',
  detail: 'The request is not valid HTTP/1.1',
};

export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // The peer is gone, or part of an answer was already written on this connection: just close it.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || answering) {
    socket.destroy();
    return;
  }
  const { status, code, detail } = BY_PARSER_CODE[err.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(problem(status, code, detail));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
