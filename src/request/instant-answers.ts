// Answers that are final at submission (a lane type's gate: a coupon sold out, a product out of
// stock) are never stored: everything a later poll needs is in the request id,
// `x-<kind>-<time>-<random>-<mac>`, and the mac (HMAC-SHA256 under a key the API processes share
// through Redis, created once) proves the id was issued by the engine. A poll of such an id costs
// no I/O; ids answer for 24 hours. The kinds are the lane types' `instantAnswers`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestType } from '../db/schema.js';
import type { RedisClient } from '../redis.js';
import { newNonce } from './request.ids.js';

/** What an instant answer of one kind says; the kind is part of the id, so keep kinds stable. */
export interface InstantOutcome {
  type: RequestType;
  code: string;
  message: string;
}

export interface InstantResource {
  requestId: string;
  type: RequestType;
  status: 'REJECTED';
  sequence: null;
  error: { code: string; message: string };
  acceptedAt: string;
  finishedAt: string;
}

const TTL_MS = 24 * 3600 * 1000;
const ID_PATTERN = /^x-([a-z]{2})-([0-9a-z]{1,10})-([a-z0-9]{10})-([0-9a-f]{16})$/;

export function isInstantRequestId(id: string): boolean {
  return id.startsWith('x-');
}

export class InstantAnswers {
  private key: Buffer | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly queuePrefix: string,
    /** By kind: two lowercase letters. */
    private readonly outcomes: ReadonlyMap<string, InstantOutcome>,
  ) {
    for (const kind of outcomes.keys())
      if (!/^[a-z]{2}$/.test(kind)) throw new Error(`bad instant answer kind ${kind}`);
  }

  /** The shared key: the first answer to be issued creates it; a poll only reads it. */
  private async secret(create: boolean): Promise<Buffer | undefined> {
    if (this.key) return this.key;
    const name = `${this.queuePrefix}:instant-secret`;
    if (create) await this.redis.set(name, randomBytes(32).toString('hex'), 'NX');
    const value = await this.redis.get(name);
    if (value) this.key = Buffer.from(value, 'hex');
    return this.key;
  }

  private static mac(key: Buffer, kind: string, time: string, nonce: string): string {
    return createHmac('sha256', key).update(`${kind}.${time}.${nonce}`).digest('hex').slice(0, 16);
  }

  async issue(kind: string, now = Date.now()): Promise<InstantResource> {
    const outcome = this.outcomes.get(kind);
    if (!outcome) throw new Error(`no instant answer of kind ${kind}`);
    const time = now.toString(36);
    const nonce = newNonce();
    const key = await this.secret(true);
    if (!key) throw new Error('instant answer key missing');
    return resource(`x-${kind}-${time}-${nonce}-${InstantAnswers.mac(key, kind, time, nonce)}`, outcome, now);
  }

  /** The answer an id was issued with; undefined when the engine did not issue it or it is too old. */
  async read(requestId: string, now = Date.now()): Promise<InstantResource | undefined> {
    const [, kind, time, nonce, mac] = ID_PATTERN.exec(requestId) ?? [];
    const outcome = kind ? this.outcomes.get(kind) : undefined;
    if (!kind || !time || !nonce || !mac || !outcome) return undefined;
    const at = parseInt(time, 36);
    if (!(at <= now + 60_000 && now - at < TTL_MS)) return undefined;
    // Without the key no answer was ever issued under it; reading it writes nothing.
    const key = await this.secret(false);
    if (!key) return undefined;
    const expected = Buffer.from(InstantAnswers.mac(key, kind, time, nonce));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    return resource(requestId, outcome, at);
  }
}

function resource(requestId: string, { type, code, message }: InstantOutcome, at: number): InstantResource {
  const iso = new Date(at).toISOString();
  return {
    requestId,
    type,
    status: 'REJECTED',
    sequence: null,
    error: { code, message },
    acceptedAt: iso,
    finishedAt: iso,
  };
}
