// Writes the OpenAPI document the API serves at /openapi.json to a file, without a running API.
//   npx tsx scripts/openapi.ts --out reports/openapi.json [--identity]
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseCli, usage, type OptionSpec } from '../toolkit/args.js';
import { openApiDocument } from './lib/openapi-document.js';

const spec: Record<string, OptionSpec> = {
  out: { help: 'file to write', default: 'reports/openapi.json' },
  identity: { help: 'the document of identity mode (user routes need a bearer JWT)', boolean: true },
};

const args = parseCli(spec);
if (args.help) {
  console.log(usage('npx tsx scripts/openapi.ts', 'Write the OpenAPI document to a file.', spec));
} else {
  const out = args.string('out') as string;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await openApiDocument({ identity: args.flag('identity') }), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
