// A JSON client for load generators: one undici Pool of keep-alive connections per origin. It costs
// far less CPU per request than fetch, which matters when the generator shares two cores with the
// system under test.
import { Pool } from 'undici';

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export class JsonClient {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    readonly connections = 100,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {
    this.pool = new Pool(new URL(baseUrl).origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
  }

  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const res = await this.pool.request({
      method,
      path,
      headers: {
        ...this.defaultHeaders,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    if (text.length > 0 && /json/.test(String(res.headers['content-type'] ?? ''))) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.statusCode, headers: res.headers, body: parsed as T };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Wall-clock time in milliseconds with sub-millisecond precision (performance.now on the epoch). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
