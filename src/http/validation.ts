// Shared request schemas and the validation hook: the same zod schemas validate requests and
// generate the OpenAPI document.
import { z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { ValidationError } from '../shared/errors.js';

/** A positive id in a path segment: digits only, within JavaScript's safe integer range. */
export const idParam = (name: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is out of range`)
    .openapi({ param: { name, in: 'path' }, example: '1', type: 'integer' });

export const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An optional integer query parameter within bounds. */
export const intQuery = (name: string, min: number, max: number, def: number) =>
  z
    .string()
    .regex(/^-?[0-9]{1,16}$/, `${name} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`)
    .optional()
    .transform((n) => n ?? def)
    .openapi({ param: { name, in: 'query' }, type: 'integer', example: String(def) });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: 'Problem details', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );

export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], target: string) {
  return issues.map((i) => ({
    path: [target, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the hook serves every route and env
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) {
    const errors = zodIssuesToErrors(result.error.issues, result.target);
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ValidationError(detail || 'Invalid request', errors);
  }
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});
