// Checks answers of the app against its own OpenAPI document with openapi-backend (a maintained
// OpenAPI validator, Ajv underneath): the status must be declared for the operation, the
// Content-Type must be one of its media types, every required header present and every declared
// header valid, and the body valid against the schema. Component tests get it through their
// context (test/support/context.ts), so every answer they see is checked.
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Document } from 'openapi-backend';

type Json = Record<string, unknown>;
type MediaTypes = Record<string, { schema?: unknown }>;
type ResponseSpec = { content?: MediaTypes; headers?: Record<string, { required?: boolean }> };

/**
 * openapi-backend validates bodies of `application/json` only; problem+json is JSON too, so each
 * problem answer's schema is offered to it under that name as well. The document is otherwise as served.
 */
function forValidator(doc: Json): Document {
  const copy = structuredClone(doc) as { paths: Record<string, Record<string, { responses?: Json }>> };
  for (const item of Object.values(copy.paths)) {
    for (const op of Object.values(item)) {
      for (const response of Object.values(op.responses ?? {}) as ResponseSpec[]) {
        const problem = response.content?.['application/problem+json'];
        if (problem && response.content && !response.content['application/json']) {
          response.content['application/json'] = problem;
        }
      }
    }
  }
  return copy as unknown as Document;
}

export interface Checked {
  operationId: string | undefined;
  violations: string[];
}

export class OpenApiConformance {
  private readonly api: OpenAPIBackend;
  private readonly ready: Promise<unknown>;
  /** Operations answered at least once, by operationId. */
  readonly seen = new Set<string>();

  constructor(private readonly document: Json) {
    this.api = new OpenAPIBackend({
      definition: forValidator(document),
      // openapi-backend checks a document against the OpenAPI 3.0 schema only; this one is 3.1 and
      // is linted by redocly instead. Quick mode skips that check and dereferences synchronously.
      quick: true,
      strict: true,
      validate: true,
      customizeAjv: (ajv) => {
        addFormats.default(ajv);
        return ajv;
      },
    });
    this.ready = this.api.init();
  }

  /** The violations of one answer; an empty list when it conforms or no documented operation matches. */
  async check(method: string, url: URL, res: Response): Promise<Checked> {
    await this.ready;
    const op = this.api.router.matchOperation({
      method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: {},
    });
    if (!op?.operationId) return { operationId: undefined, violations: [] };
    this.seen.add(op.operationId);
    const where = `${method} ${url.pathname} → ${res.status}`;
    const declared = (op.responses ?? {}) as Record<string, ResponseSpec>;
    const spec = declared[String(res.status)] ?? declared.default;
    if (!spec)
      return { operationId: op.operationId, violations: [`${where}: status not declared for ${op.operationId}`] };

    const violations: string[] = [];
    const headers = Object.fromEntries([...res.headers].map(([k, v]) => [k.toLowerCase(), v]));
    for (const [name, h] of Object.entries(spec.headers ?? {})) {
      if (h.required && headers[name.toLowerCase()] === undefined) violations.push(`${where}: header ${name} missing`);
    }
    const headerResult = this.api.validator.validateResponseHeaders(headers, op, { statusCode: res.status });
    for (const e of headerResult.errors ?? []) violations.push(`${where}: header ${e.instancePath} ${e.message}`);

    const text = await res.text();
    const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const media = (this.document.paths as Json)[op.path] as Json;
    const served =
      (media[op.method] as { responses: Record<string, ResponseSpec> }).responses[String(res.status)] ?? spec;
    const types = Object.keys(served.content ?? {});
    if (text.length > 0 && !types.includes(type)) {
      violations.push(`${where}: Content-Type ${type || '(none)'} is not one of ${types.join(', ') || '(no body)'}`);
    }
    if (/json$/.test(type) && text.length > 0) {
      const bodyResult = this.api.validator.validateResponse(JSON.parse(text), op, res.status);
      for (const e of bodyResult.errors ?? []) {
        violations.push(`${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
      }
    }
    return { operationId: op.operationId, violations };
  }
}

/**
 * Wraps an app's `request` so that every answer is checked against the app's own /openapi.json;
 * a violation fails the calling test with the answer's method, path, status and what is wrong.
 */
export function checkRequests(app: { request: unknown }): void {
  const original = (app.request as (input: unknown, init?: RequestInit) => Promise<Response>).bind(app);
  let conformance: Promise<OpenApiConformance> | undefined;
  const checker = () =>
    (conformance ??= original('/openapi.json').then(async (r) => new OpenApiConformance((await r.json()) as Json)));
  app.request = async (input: unknown, init?: RequestInit) => {
    const res = await original(input, init);
    const url = input instanceof Request ? new URL(input.url) : new URL(String(input), 'http://localhost');
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const { violations } = await (await checker()).check(method, url, res.clone());
    if (violations.length > 0) throw new Error(`answer does not conform to /openapi.json:\n${violations.join('\n')}`);
    return res;
  };
}
