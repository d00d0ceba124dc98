/** `GET /docs`: Swagger UI from the installed swagger-ui-dist, its files served under the mount prefix. */

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHandler } from '../src/index.js';
import { httpSetup, setup } from './helpers.js';

const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

let server: Server | undefined;
afterEach(() => server?.close());

async function listen(basePath: string) {
  const t = await setup();
  server = createServer(createNodeHandler(t.gateway, { basePath }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** The values of `attribute="…"` in the page. */
const attributes = (html: string, attribute: string) =>
  [...html.matchAll(new RegExp(`${attribute}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');

describe('the API reference page', () => {
  it('is HTML whose scripts, style sheet and document are served under the prefix', async () => {
    const origin = await listen('/sms');
    const page = await fetch(`${origin}/sms/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    const scripts = attributes(html, 'src');
    expect(scripts).toEqual(['/sms/docs/swagger-ui-bundle.js', '/sms/docs/start.js']);
    expect(attributes(html, 'href')).toEqual(['/sms/docs/swagger-ui.css']);
    expect(attributes(html, 'data-spec-url')).toEqual(['/sms/v1/openapi.json']);
    // No script or style from another host.
    expect(html).not.toMatch(/https?:\/\//);

    const bundle = await fetch(`${origin}/sms/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const served = Buffer.from(await bundle.arrayBuffer());
    expect(served.equals(readFileSync(join(dist, 'swagger-ui-bundle.js')))).toBe(true);

    const css = await fetch(`${origin}/sms/docs/swagger-ui.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    const start = await (await fetch(`${origin}/sms/docs/start.js`)).text();
    expect(start).toContain('SwaggerUIBundle(');
    expect(start).toContain('dataset.specUrl');

    const doc = (await (await fetch(`${origin}/sms/v1/openapi.json`)).json()) as {
      servers: { url: string }[];
    };
    expect(doc.servers.map((s) => s.url)).toEqual(['/sms']);
  });

  it('answers 404 for any other file name, even one of the package', async () => {
    const t = await httpSetup();
    for (const name of ['index.html', 'swagger-ui.js', '..%2Fpackage.json', 'start.js.map']) {
      const r = await t.call('GET', `/docs/${name}`, { key: null });
      expect([name, r.status, r.json.status]).toEqual([name, 404, 'error']);
    }
  });

  it('escapes the mount prefix it writes into the page', async () => {
    const t = await httpSetup();
    const response = await t.api.handle({
      method: 'GET',
      path: '/docs',
      basePath: '/a"><script>x</script>',
      headers: {},
    });
    const html = String(response?.body);
    expect(html).not.toContain('<script>x</script>');
    expect(attributes(html, 'data-spec-url')).toEqual([
      '/a&#34;&#62;&#60;script&#62;x&#60;/script&#62;/v1/openapi.json',
    ]);
  });
});
