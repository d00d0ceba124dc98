/**
 * The API reference page (`GET /docs`): Swagger UI from the installed
 * `swagger-ui-dist` package, served by the API itself (no CDN). The page loads
 * the bundle, its style sheet and a small start script from `/docs/…` below the
 * mount prefix, and the start script reads the document's URL from the page.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpResponse } from './types.js';

/** The files of the page below `/docs/`, by name: where each comes from and its type. */
const ASSETS: Readonly<Record<string, { file: string | null; type: string }>> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'start.js': { file: null, type: 'text/javascript; charset=utf-8' },
};

export const REFERENCE_ASSETS: readonly string[] = Object.keys(ASSETS);

/** Starts Swagger UI on `#reference` with the document named by its `data-spec-url`. */
const START_SCRIPT = `window.addEventListener('load', function () {
  var root = document.getElementById('reference');
  window.ui = SwaggerUIBundle({ url: root.dataset.specUrl, dom_id: '#reference', deepLinking: true });
});
`;

const HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' };

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page for an API mounted at `basePath` (`/sms`; '' at the root). */
export function referencePage(basePath: string, title: string): HttpResponse {
  const at = (path: string) => escapeAttribute(`${basePath}${path}`);
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttribute(title)}</title>
<link rel="stylesheet" href="${at('/docs/swagger-ui.css')}">
</head>
<body>
<div id="reference" data-spec-url="${at('/v1/openapi.json')}"></div>
<script src="${at('/docs/swagger-ui-bundle.js')}"></script>
<script src="${at('/docs/start.js')}"></script>
</body>
</html>
`;
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body,
  };
}

let distDir: string | undefined;
const cache = new Map<string, Promise<Uint8Array>>();

function read(file: string): Promise<Uint8Array> {
  distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  let bytes = cache.get(file);
  if (!bytes) {
    bytes = readFile(join(distDir, file));
    // A failed read is tried again on the next request.
    bytes.catch(() => cache.delete(file));
    cache.set(file, bytes);
  }
  return bytes;
}

/** A file of the page by its name below `/docs/`, or null when there is none of that name. */
export async function referenceAsset(name: string): Promise<HttpResponse | null> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return null;
  const body = asset.file === null ? START_SCRIPT : await read(asset.file);
  return { status: 200, headers: { 'content-type': asset.type, ...HEADERS }, body };
}
