import { ValidationError } from './errors.js';

/** Opaque pagination cursors wrapping a numeric id. */
export function encodeCursor(id: number): string {
  return Buffer.from(`i:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return null;
  const match = /^i:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match?.[1] ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ValidationError('cursor is not valid', [
      { path: 'query.cursor', message: 'not a cursor returned by this API' },
    ]);
  }
  return id;
}
