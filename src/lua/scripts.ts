// The one way the engine's Redis scripts are loaded: each lives in a `.lua` file in this folder (and
// in dist/src/lua, where `npm run build` copies them), is read once by name, and is defined once per
// client as a command, so calls go as EVALSHA and ioredis falls back to EVAL on NOSCRIPT, on a
// standalone server and on a Cluster alike (a script's keys share one slot). A line
// `--- @include "<name>"` stands for the file `<name>.lua`, as in BullMQ's src/commands.
import { readFileSync } from 'node:fs';
import type { ChainableCommander } from 'ioredis';

/** A script and the command it is defined as. */
export interface LuaScript {
  readonly command: string;
  readonly lua: string;
}

/** A client the scripts can be defined on: ioredis's Redis or Cluster. */
interface ScriptHost {
  defineCommand(name: string, definition: { lua: string }): void;
}

type Arg = string | number | Buffer;
type Command = (numberOfKeys: number, ...keysAndArgs: Arg[]) => Promise<unknown>;

const INCLUDE = /^--- @include "([\w-]+)"\s*$/gm;

function read(name: string, seen: ReadonlySet<string>): string {
  if (seen.has(name)) throw new Error(`the Lua script ${name} includes itself`);
  const text = readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
  const inner = new Set([...seen, name]);
  return text.replace(INCLUDE, (_line, included: string) => read(included, inner));
}

/** `lane-append` -> `ceLaneAppend`: commands of ours never shadow one of Redis's or BullMQ's. */
const commandName = (name: string) => `ce${name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`;

/**
 * The script in `<name>.lua`, its includes in place. `prelude` is Lua put before it (Lua that is
 * not ours: a library script wrapped in a function the file calls).
 */
export function loadScript(name: string, prelude = ''): LuaScript {
  return { command: commandName(name), lua: prelude + read(name, new Set()) };
}

const defined = new WeakMap<object, Set<string>>();

/** Defines the script on the client unless it is already: the client's pipelines and transactions then have it too. */
export function defineScript(client: ScriptHost, script: LuaScript): void {
  let commands = defined.get(client);
  if (!commands) {
    commands = new Set();
    defined.set(client, commands);
  }
  if (commands.has(script.command)) return;
  client.defineCommand(script.command, { lua: script.lua });
  commands.add(script.command);
}

/** Runs the script on the client (defining it first if needed); answers the script's reply. */
export function runScript(
  client: ScriptHost,
  script: LuaScript,
  keys: readonly string[],
  args: readonly Arg[],
): Promise<unknown> {
  defineScript(client, script);
  const command = (client as unknown as Record<string, Command>)[script.command] as Command;
  return command.call(client, keys.length, ...keys, ...args);
}

/** Queues the script in a pipeline or transaction of a client it was defined on before the pipeline was made. */
export function queueScript(
  pipeline: ChainableCommander,
  script: LuaScript,
  keys: readonly string[],
  args: readonly Arg[],
): ChainableCommander {
  const command = (pipeline as unknown as Record<string, Command | undefined>)[script.command];
  if (!command) throw new Error(`the script ${script.command} was not defined before its pipeline was made`);
  void command.call(pipeline, keys.length, ...keys, ...args);
  return pipeline;
}
