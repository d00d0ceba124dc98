import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard, dashboardCsp } from '../src/index.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A small app folder, so the rules are tested apart from what vite writes. */
function fakeApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'textport-dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><title>t</title></head><body></body></html>',
  );
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets/index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *');
  writeFileSync(join(dir, '..', 'secret.txt'), 'secret');
  return dir;
}

describe('dashboard handler', () => {
  let server: Server;
  let base: string;
  const passed: string[] = [];

  beforeAll(async () => {
    const serve = dashboard({ apiBase: '/sms/', basePath: '/admin', appDir: fakeApp() });
    const withoutNext = dashboard({ appDir: fakeApp() });
    server = createServer((req, res) => {
      if (req.url?.startsWith('/admin/')) {
        req.url = req.url.slice('/admin'.length);
        serve(req, res, () => {
          passed.push(req.url ?? '');
          res.writeHead(418).end();
        });
      } else withoutNext(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves index.html with the mount point and the API base, never cached', async () => {
    const res = await fetch(`${base}/admin/`, { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<base href="/admin/">');
    expect(html).toContain('<meta name="textport-api-base" content="/sms">');
    expect(res.headers.get('content-security-policy')).toBe(dashboardCsp('/sms'));
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('sends a Content-Security-Policy without inline code, allowing an API on another origin', async () => {
    expect(dashboardCsp()).toContain("script-src 'self';");
    expect(dashboardCsp()).toContain("style-src 'self';");
    expect(dashboardCsp()).toContain("connect-src 'self';");
    expect(dashboardCsp('https://api.example.com/sms')).toContain(
      "connect-src 'self' https://api.example.com;",
    );
    // An asset is a file, not a page: no policy needed.
    const asset = await fetch(`${base}/admin/assets/index-abc123.js`);
    expect(asset.headers.get('content-security-policy')).toBeNull();
    const own = dashboard({ appDir: fakeApp(), contentSecurityPolicy: "default-src 'none'" });
    const none = dashboard({ appDir: fakeApp(), contentSecurityPolicy: false });
    for (const [handler, expected] of [
      [own, "default-src 'none'"],
      [none, null],
    ] as const) {
      const other = createServer((req, res) => handler(req, res));
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      const res = await fetch(url, { headers: HTML });
      expect(res.headers.get('content-security-policy')).toBe(expected);
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('answers the routes of the app with index.html (SPA fallback)', async () => {
    const res = await fetch(`${base}/admin/messages/4b0f7a7e-0000-4000-8000-000000000000`, {
      headers: HTML,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<base href="/admin/">');
  });

  it('serves hashed assets with their type and a long immutable cache', async () => {
    const js = await fetch(`${base}/admin/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${base}/admin/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const other = await fetch(`${base}/admin/robots.txt`);
    expect(other.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('answers 404 for an unknown asset, even to a browser', async () => {
    const res = await fetch(`${base}/admin/assets/index-old999.js`, { headers: HTML });
    expect(res.status).toBe(404);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(`${base}/admin/assets/index-abc123.js`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('console.log(1)'.length));
    expect(await res.text()).toBe('');
  });

  it('never reaches outside the app folder', async () => {
    for (const path of [
      '/admin/../secret.txt',
      '/admin/%2e%2e/secret.txt',
      '/admin/assets/..%2f..%2fsecret.txt',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status === 404 || res.status === 418).toBe(true);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('passes on what it does not serve: other methods, non-HTML requests', async () => {
    passed.length = 0;
    expect((await fetch(`${base}/admin/v1/x`, { method: 'POST' })).status).toBe(418);
    expect(
      (await fetch(`${base}/admin/v1/x`, { headers: { accept: 'application/json' } })).status,
    ).toBe(418);
    expect(passed).toEqual(['/v1/x', '/v1/x']);
  });

  it('answers 404 itself when there is no next handler', async () => {
    expect(
      (await fetch(`${base}/nowhere`, { headers: { accept: 'application/json' } })).status,
    ).toBe(404);
    const page = await fetch(`${base}/nowhere`, { headers: HTML });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/">');
  });

  it('says how to build the app when it is missing', () => {
    expect(() => dashboard({ appDir: join(tmpdir(), 'textport-no-such-dir') })).toThrow(
      /npm run build:dashboard/,
    );
  });
});
