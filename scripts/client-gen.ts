// Generates the client's types (client/schema.ts) from the OpenAPI document with
// openapi-typescript; `--check` only compares and exits 1 when the committed file is stale.
//   npm run client:gen      npm run client:check
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { runCli, type ParsedArgs } from '../toolkit/args.js';
import { openApiDocument } from './lib/openapi-document.js';

const TARGET = 'client/schema.ts';
const HEADER = '// Generated from the OpenAPI document by `npm run client:gen` (openapi-typescript). Do not edit.\n';

const command = {
  command: 'npx tsx scripts/client-gen.ts',
  summary: 'Generate the API client types.',
  options: { check: { help: `only check that ${TARGET} is up to date`, boolean: true } },
};

async function main(args: ParsedArgs): Promise<number> {
  const ast = await openapiTS((await openApiDocument()) as unknown as OpenAPI3, { alphabetize: true });
  const generated = await format(HEADER + astToString(ast), {
    ...(await resolveConfig(TARGET)),
    filepath: TARGET,
  });
  const current = await readFile(TARGET, 'utf8').catch(() => '');
  if (!args.flag('check')) {
    if (current !== generated) await writeFile(TARGET, generated);
    console.log(current === generated ? `${TARGET} is up to date` : `wrote ${TARGET}`);
    return 0;
  }
  if (current === generated) {
    console.log(`${TARGET} is up to date`);
    return 0;
  }
  console.error(`${TARGET} is stale: the OpenAPI document changed. Run \`npm run client:gen\` and commit it.`);
  return 1;
}

runCli(command, main);
