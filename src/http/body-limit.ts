// The 64 KiB body limit without building a Web Request. Hono's own bodyLimit reads `c.req.raw.body`,
// which makes @hono/node-server materialise a full undici Request (with Headers and an AbortSignal)
// for every request, GETs included. Here a declared Content-Length is checked from the header alone
// (Node's parser never delivers more bytes than it declares); a body without one (chunked) is read
// from the Node request, counting, and handed to Hono's body cache for the route's validator.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler, Next } from 'hono';

const decoder = new TextDecoder();

export function bodyLimit(maxBytes: number, tooLarge: (c: Context) => Response): MiddlewareHandler {
  const refuse = (c: Context) => {
    // The rest of the body is never read: ask Node to close the connection instead of draining it.
    c.header('Connection', 'close');
    return tooLarge(c);
  };
  // Not async where the header decides: next()'s promise is returned as it is, without one more
  // promise around it on every request.
  return (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(length) > maxBytes ? Promise.resolve(refuse(c)) : next();
    }
    return counted(c, next);
  };

  async function counted(c: Context, next: Next): Promise<Response | void> {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    // Without Node (app.request() in tests) the request is a Web Request already.
    const source: AsyncIterable<Uint8Array> | null | undefined = incoming
      ? incoming.iterator({ destroyOnReturn: false })
      : c.req.raw.body;
    if (!source) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) return refuse(c);
      chunks.push(chunk);
    }
    // Hono's cache holds the promise of each body form, whatever its declared type says.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(decoder.decode(Buffer.concat(chunks)));
    return next();
  }
}
