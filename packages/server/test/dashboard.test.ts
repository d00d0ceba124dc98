/** The server serves the dashboard at `/` to browsers, keeps its JSON pointer for API clients. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner } from '../src/banner.js';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-dashboard-'));
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const config = readConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
  TEXTPORT_DEMO_PHONE: 'off',
  LOG_LEVEL: 'silent',
});
let server: RunningServer;

beforeAll(async () => {
  server = await startServer(config, () => {});
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in the server', () => {
  it('answers a browser at / with the app, and curl with the JSON pointer', async () => {
    const page = await fetch(`${server.url}/`, { headers: HTML });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<base href="/">');
    expect(html).toContain('<meta name="textport-api-base" content="">');
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${server.url}/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    const pointer = await fetch(`${server.url}/`);
    expect(await pointer.json()).toMatchObject({ api: '/v1', dashboard: '/' });
  });

  it("serves the app's pages to browsers, and leaves other paths to the API", async () => {
    const messages = await fetch(`${server.url}/messages`, { headers: HTML });
    expect(messages.status).toBe(200);
    expect(await messages.text()).toContain('textport-api-base');
    expect((await fetch(`${server.url}/v1/no-such-route`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/gone.js`)).status).toBe(404);
    const me = await fetch(`${server.url}/v1/users/me`, { headers: HTML });
    expect(me.status).toBe(401);
  });

  it('says where the dashboard is when it starts', () => {
    expect(banner(config, server, 'test')).toContain(
      `  dashboard: ${server.url}/ (open it in a browser, sign in with the API key)`,
    );
  });
});
