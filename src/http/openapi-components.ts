// The components of the OpenAPI document that operations refer to by name: the security schemes and
// the request and response headers (openapi.ts registers them once per document).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { USER_BEARER_SCHEME } from './identity.js';

/** An X-Request-Id the API takes from the client; anything else is replaced by a new UUID. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const header = (description: string, schema: Record<string, unknown>, required = true) => ({
  description,
  required,
  schema,
});

type ApiRegistry = OpenAPIHono['openAPIRegistry'];

function registerSecuritySchemes(registry: ApiRegistry, identityEnabled: boolean): void {
  registry.registerComponent('securitySchemes', 'adminBearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'The configured ADMIN_TOKEN',
  });
  if (identityEnabled) {
    registry.registerComponent('securitySchemes', USER_BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: "A JWT whose `sub` is the user's id; a userId in the path or body must equal it",
    });
  }
}

/** The request and response headers the operations refer to. */
function registerHeaders(registry: ApiRegistry): void {
  registry.registerComponent('parameters', 'X-Request-Id', {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Echoed in the answer and named in the logs when it matches the pattern; else a new UUID is used',
    schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
    example: 'checkout-7f3a',
  });
  registry.registerComponent('parameters', 'Idempotency-Key', {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Repeating a POST with the same key and body within 24 hours returns the first answer and does nothing again; ' +
      'the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
    example: 'order-2f8c1e',
  });
  registry.registerComponent(
    'headers',
    'X-Request-Id',
    header('The request id: the one the client sent when it matches this pattern, else a new UUID', {
      type: 'string',
      pattern: REQUEST_ID_PATTERN.source,
    }),
  );
  registry.registerComponent(
    'headers',
    'Location',
    header('Where to poll the queued request: `/requests/{requestId}`', { type: 'string', pattern: '^/requests/' }),
  );
  registry.registerComponent(
    'headers',
    'Retry-After',
    header('Seconds to wait before asking again', { type: 'string', pattern: '^[0-9]+$' }),
  );
}

export function registerComponents(registry: ApiRegistry, identityEnabled: boolean): void {
  registerSecuritySchemes(registry, identityEnabled);
  registerHeaders(registry);
}
