// BullMQ's worker side, a batch at a time: the keys and arguments BullMQ passes its moveToActive and
// moveToFinished scripts, those scripts wrapped in Lua functions that our batch scripts call once per
// job (src/lua/bullmq-*-batch.lua), and the raw answers turned into BullMQ jobs.
import { Job, type KeepJobs, type Worker } from 'bullmq';
import { Packr } from 'msgpackr';
import { loadScript, type LuaScript } from '../lua/scripts.js';
import { bullmqInternals } from './support.js';

/** moveToFinished's arguments per job (its keys: the script's own count). */
const ARGS_PER_JOB = 9;

/** Options packed as BullMQ packs them for its scripts. */
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

type Arg = string | number | Buffer;

export interface ScriptCall {
  script: LuaScript;
  keys: string[];
  args: Arg[];
}

let scripts: { take: LuaScript; finish: LuaScript } | undefined;

function batchScripts(): { take: LuaScript; finish: LuaScript } {
  if (!scripts) {
    const { moveToActive, moveToFinished } = bullmqInternals();
    const wrap = (fn: string, content: string) => `local function ${fn}(KEYS, ARGV)\n${content}\nend\n`;
    scripts = {
      take: loadScript('bullmq-take-batch', wrap('takeOne', moveToActive.content)),
      finish: loadScript(
        'bullmq-finish-batch',
        `${wrap('finishOne', moveToFinished.content)}local KEYS_PER_JOB, ARGS_PER_JOB = ${moveToFinished.keys}, ${ARGS_PER_JOB}\n`,
      ),
    };
  }
  return scripts;
}

/** The call that takes up to `count` waiting jobs for `token`, as Worker.getNextJob(token) would each. */
export function takeBatchCall(worker: Worker, token: string, count: number): ScriptCall {
  const k = worker.keys;
  const keys = [
    k.wait,
    k.active,
    k.prioritized,
    k.events,
    k.stalled,
    k.limiter,
    k.delayed,
    k.paused,
    k.meta,
    k.pc,
    k.marker,
  ];
  const opts = packer.pack({
    token,
    lockDuration: worker.opts.lockDuration,
    limiter: worker.opts.limiter,
    name: worker.opts.name,
  });
  return {
    script: batchScripts().take,
    keys: keys.map((key) => key ?? ''),
    args: [k[''] ?? '', Date.now(), opts, count],
  };
}

/** The jobs a take answered, in order, as Worker.getNextJob gives them (holding `token`). */
export function takenJobs(worker: Worker, token: string, raw: unknown): Job[] {
  if (!Array.isArray(raw)) throw new Error('the batch take gave no answer');
  const { raw2NextJobData } = bullmqInternals();
  const jobs: Job[] = [];
  for (const one of raw) {
    const [json, id] = raw2NextJobData(one);
    if (!json) break;
    const job = Job.fromJSON(worker, json, id);
    job.token = token;
    jobs.push(job);
  }
  return jobs;
}

/**
 * The call that moves the jobs (taken by `worker`, token-less) to completed, as
 * Job.moveToCompleted(returnValue, '0', false) would one by one.
 */
export function finishBatchCall(worker: Worker, jobs: readonly { job: Job; returnValue: unknown }[]): ScriptCall {
  const script = batchScripts().finish;
  const keysPerJob = bullmqInternals().moveToFinished.keys;
  const backend = worker.getBackend();
  const keys: string[] = [];
  const args: Arg[] = [];
  for (const { job, returnValue } of jobs) {
    const removeOnComplete = job.opts.removeOnComplete as boolean | number | KeepJobs;
    const all = backend.moveToCompletedArgs(job, JSON.stringify(returnValue), removeOnComplete, '0', false);
    if (all.length !== keysPerJob + ARGS_PER_JOB) {
      throw new Error(
        `BullMQ's moveToFinished now takes ${all.length} keys and arguments, not ${keysPerJob + ARGS_PER_JOB}`,
      );
    }
    all.forEach((value, i) => {
      const v = value === undefined ? '' : typeof value === 'boolean' ? (value ? 1 : 0) : value;
      if (i < keysPerJob) keys.push(String(v));
      else args.push(v);
    });
  }
  return { script, keys, args };
}
