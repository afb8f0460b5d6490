// Headers of an answer on the hot paths (request id, Location, Retry-After). On the Node server they
// go straight onto the outgoing response, whatever answers in the end: a Hono header makes the
// answer build a Web Headers object, a good part of a cheap request's cost. Without Node
// (app.request() in tests) they are Hono's.
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

const outgoingOf = (c: Context) => (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;

export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = outgoingOf(c);
  if (outgoing) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/** A header of the answer, wherever it was set. */
export function responseHeader(c: Context, name: string): string | undefined {
  const value = outgoingOf(c)?.getHeader(name);
  if (value !== undefined) return String(value);
  return c.res.headers.get(name) ?? undefined;
}
