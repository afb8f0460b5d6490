// The bench's load generator, run as its own process so that it never competes with the system
// under test for an event loop (it still shares the machine's cores). It POSTs a prepared list of
// requests over a keep-alive undici pool, closed loop with one request in flight per connection,
// and writes every answer with its timing to a JSON file.
//   tsx bench/generator.ts --spec spec.json --out results.json
import { readFile, writeFile } from 'node:fs/promises';
import { JsonClient } from '../rush/http.js';
import { commandArgs } from '../toolkit/args.js';
import { ProgressBar } from '../toolkit/progress.js';
import { submitAll, type SubmitRecord } from '../rush/submit.js';

export interface GeneratorSpec {
  baseUrl: string;
  connections: number;
  /** `headers`, e.g. a user's bearer token, go with that request only. */
  requests: { path: string; body: unknown; headers?: Record<string, string> }[];
}

export type GeneratorResult = SubmitRecord;

const { specPath, outPath } = commandArgs(
  {
    command: 'tsx bench/generator.ts',
    summary: "The bench's load generator: POSTs the spec's requests, writes every answer.",
    options: {
      spec: { help: 'JSON file of the GeneratorSpec' },
      out: { help: 'JSON file the results are written to' },
    },
  },
  (args) => ({ specPath: args.required('spec'), outPath: args.required('out') }),
);
const spec = JSON.parse(await readFile(specPath, 'utf8')) as GeneratorSpec;
const client = new JsonClient(spec.baseUrl, spec.connections);
const records = await submitAll(client, spec.requests, (r) => r, {
  concurrency: spec.connections,
  durationS: 0,
  progress: new ProgressBar(),
});
await client.close();
const results: GeneratorResult[] = records.map(({ path: _path, body: _body, headers: _headers, ...r }) => r);
await writeFile(outPath, JSON.stringify(results));
process.exit(0);
