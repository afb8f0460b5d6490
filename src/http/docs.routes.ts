// The interactive documentation at /docs: Swagger UI from the installed swagger-ui-dist package,
// served by the API itself, so the page needs no network beyond the API (no CDN, no fonts, no
// validator badge). The files are read once, found through module resolution, so the working
// directory of the process does not matter.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

export const DOCS_PATH = '/docs';

const ASSETS = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Coupon engine API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

// validatorUrl null: otherwise the page asks an outside validator for a badge.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 1,
  displayOperationId: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

export function docsRoutes() {
  const root = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files = new Map<string, { body: Buffer; type: string }>(
    Object.entries(ASSETS).map(([name, type]) => [name, { body: readFileSync(join(root, name)), type }]),
  );
  files.set('init.js', { body: Buffer.from(INIT), type: 'text/javascript; charset=utf-8' });
  return new Hono()
    .get(DOCS_PATH, (c) => c.html(PAGE))
    .get(`${DOCS_PATH}/:file`, (c) => {
      const file = files.get(c.req.param('file'));
      if (!file) return c.notFound();
      return c.body(new Uint8Array(file.body), 200, {
        'Content-Type': file.type,
        'Cache-Control': 'public, max-age=3600',
      });
    });
}
