// Shared request schemas and the validation hook: the same zod schemas validate requests and
// generate the OpenAPI document.
import { z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { ValidationError } from '../common/errors.js';

/** A positive id in a path segment: digits only, within JavaScript's safe integer range. */
export const idParam = (name: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is out of range`)
    .openapi({
      param: { name, in: 'path' },
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      example: 1,
    });

/** A positive id in a body: an integer within JavaScript's safe range (MySQL BIGINT). */
export const positiveId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ example: 1 });

/** An optional integer query parameter within bounds. */
export const intQuery = (name: string, min: number, max: number, def: number) =>
  z
    .string()
    .regex(/^-?[0-9]{1,16}$/, `${name} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`)
    .optional()
    .transform((n) => n ?? def)
    .openapi({ param: { name, in: 'query' }, type: 'integer', minimum: min, maximum: max, default: def, example: def });

/** The `cursor` of a list: the `nextCursor` of the page before. */
export const cursorQuery = z
  .string()
  .max(200)
  .optional()
  .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `nextCursor` of the previous page' });

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
