// Writes the OpenAPI document the API serves at /openapi.json to a file, without a running API.
//   npx tsx scripts/openapi.ts --out reports/openapi.json [--identity]
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runCli } from '../toolkit/args.js';
import { openApiDocument } from './lib/openapi-document.js';

const command = {
  command: 'npx tsx scripts/openapi.ts',
  summary: 'Write the OpenAPI document to a file.',
  options: {
    out: { help: 'file to write', default: 'reports/openapi.json' },
    identity: { help: 'the document of identity mode (user routes need a bearer JWT)', boolean: true },
  },
};

runCli(command, async (args) => {
  const out = args.string('out') as string;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await openApiDocument({ identity: args.flag('identity') }), null, 2)}\n`);
  console.log(`wrote ${out}`);
});
