// Command-line options for the load and bench scripts: node:util's parseArgs plus checked numbers
// and a usage text, so a typo answers with the usage instead of a NaN deep inside a run.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  /** Shown in the usage text. */
  help: string;
  default?: string;
  /** A flag without a value. */
  boolean?: boolean;
}

export class UsageError extends Error {}

export interface ParsedArgs {
  string(name: string): string | undefined;
  flag(name: string): boolean;
  /** A number within [min, max]; integer unless `fractional`. */
  number(name: string, opts?: { min?: number; max?: number; fractional?: boolean }): number;
  /** A number when given, else undefined. */
  optionalNumber(name: string, opts?: { min?: number; max?: number; fractional?: boolean }): number | undefined;
}

export function usage(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([name, o]) => {
    const left = `  --${name}${o.boolean ? '' : ' <value>'}`;
    return `${left.padEnd(28)} ${o.help}${o.default !== undefined ? ` (default ${o.default})` : ''}`;
  });
  return `${summary}\n\nUsage: ${command} [options]\n\n${lines.join('\n')}\n  --help                       this text`;
}

export function parseCli(
  spec: Record<string, OptionSpec>,
  argv = process.argv.slice(2),
): ParsedArgs & { help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string }> = { help: { type: 'boolean' } };
  for (const [name, o] of Object.entries(spec)) {
    options[name] = o.boolean
      ? { type: 'boolean' }
      : { type: 'string', ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const string = (name: string) => {
    const v = values[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const optionalNumber = (name: string, opts: { min?: number; max?: number; fractional?: boolean } = {}) => {
    const raw = string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const { min = -Infinity, max = Infinity, fractional = false } = opts;
    if (!Number.isFinite(n) || (!fractional && !Number.isInteger(n)) || n < min || n > max) {
      throw new UsageError(
        `--${name} must be ${fractional ? 'a number' : 'an integer'} from ${min} to ${max}, got "${raw}"`,
      );
    }
    return n;
  };
  return {
    help: values.help === true,
    string,
    flag: (name) => values[name] === true,
    optionalNumber,
    number(name, opts) {
      const n = optionalNumber(name, opts);
      if (n === undefined) throw new UsageError(`--${name} is required`);
      return n;
    },
  };
}
