// The one command-line parser of every script and benchmark: node:util's parseArgs (`--flag value`,
// `--flag` for a boolean) plus checked numbers and a usage text, so a typo answers with the usage
// instead of a NaN deep inside a run.
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
  /** A string that must be given. */
  required(name: string): string;
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
  const help = `${'  --help'.padEnd(28)} this text`;
  return `${summary}\n\nUsage: ${command} [options]\n\n${lines.join('\n')}\n${help}`;
}

function parseCli(spec: Record<string, OptionSpec>, argv = process.argv.slice(2)): ParsedArgs & { help: boolean } {
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
    required(name) {
      const v = string(name);
      if (v === undefined) throw new UsageError(`--${name} is required`);
      return v;
    },
    optionalNumber,
    number(name, opts) {
      const n = optionalNumber(name, opts);
      if (n === undefined) throw new UsageError(`--${name} is required`);
      return n;
    },
  };
}

/** What `--help` prints for a command: how it is typed, what it does, its options. */
interface Command {
  command: string;
  summary: string;
  options: Record<string, OptionSpec>;
}

const usageOf = (cmd: Command) => usage(cmd.command, cmd.summary, cmd.options);

/**
 * Reads the command's options with `read`, for a script that runs at the top level: `--help` prints
 * the usage and exits 0; a wrong option (a UsageError, from parsing or from `read`) prints what is
 * wrong and the usage and exits 2.
 */
export function commandArgs<T>(cmd: Command, read: (args: ParsedArgs) => T, argv = process.argv.slice(2)): T {
  try {
    const args = parseCli(cmd.options, argv);
    if (!args.help) return read(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${usageOf(cmd)}`);
    process.exit(2);
  }
  console.log(usageOf(cmd));
  process.exit(0);
}

/**
 * Runs a command-line tool: its options as `commandArgs` reads them, then `main`, then exits with
 * the code `main` returns (0 when none). An option `main` finds wrong (a UsageError) prints the
 * usage and exits 2; any other error is printed and exits 1.
 */
export function runCli(cmd: Command, main: (args: ParsedArgs) => Promise<number | void>): void {
  const run = async () => (await main(commandArgs(cmd, (args) => args))) ?? 0;
  run().then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) console.error(`${err.message}\n\n${usageOf(cmd)}`);
      else console.error(err);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
