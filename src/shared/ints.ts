/** Reads a BIGINT that mysql2 returned (number, or string beyond 2^53) as a safe JavaScript integer. */
export function safeInt(value: unknown, what = 'value'): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new Error(`${what} is not a safe integer: ${String(value)}`);
  }
  return n;
}
