// What a script that adds jobs the way BullMQ's Queue.add does (src/lua/bullmq-add-job.lua) needs of
// a queue: the keys in the order that script reads them, the prefix of its job hashes, and the job
// options BullMQ would store, in its own normalisation and short names.
import { Job, optsEncodeMap, type Queue } from 'bullmq';

export interface JobWriteTarget {
  /** wait, meta, id counter, active, events, marker: KEYS 1 to 6 of bullmq-add-job.lua. */
  keys: readonly string[];
  /** A job's hash is this prefix and its id. */
  jobPrefix: string;
  /** The jobs' stored options as JSON without the closing brace (the script may add `de`). */
  opts: string;
}

const targets = new WeakMap<Queue, JobWriteTarget>();

function storedOpts(queue: Queue): string {
  // BullMQ's own normalisation of the queue's default options, then its short names.
  const { opts } = new Job(queue, 'template', {}, queue.defaultJobOptions);
  const encoded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(opts)) {
    if (value === undefined) continue;
    encoded[(optsEncodeMap as Record<string, string>)[name] ?? name] = value;
  }
  return JSON.stringify(encoded).slice(0, -1);
}

/** The queue's keys, job prefix and stored options, worked out once per queue. */
export function jobWriteTarget(queue: Queue): JobWriteTarget {
  let target = targets.get(queue);
  if (!target) {
    const k = queue.keys;
    target = {
      keys: [k.wait, k.meta, k.id, k.active, k.events, k.marker].map((key) => key ?? ''),
      jobPrefix: k[''] ?? '',
      opts: storedOpts(queue),
    };
    targets.set(queue, target);
  }
  return target;
}
