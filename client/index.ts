// A typed client of the API: openapi-fetch over the types that `npm run client:gen` generates from
// the OpenAPI document (client/schema.ts), so paths, parameters, bodies and answers are checked by
// the compiler against what the API serves.
//   const api = createApiClient('http://127.0.0.1:3000');
//   const { data, error, response } = await api.POST('/coupons/{couponId}/claims', {
//     params: { path: { couponId: 7 } },
//     body: { userId: 42 },
//   });
import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
/** The document's schemas by name: `Schemas['QueuedRequest']`, `Schemas['Problem']`, … */
export type Schemas = components['schemas'];
export type QueuedRequest = Schemas['QueuedRequest'];
export type Problem = Schemas['Problem'];

export function createApiClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}) {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ''), ...options });
}

export type ApiClient = ReturnType<typeof createApiClient>;
