/** The server's admin routes: on with TEXTPORT_ADMIN_KEY, absent without it; GET / names its parts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-admin-http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ADMIN_KEY = 'adm_server_admin_key_0123456789';

async function start(name: string, env: Record<string, string> = {}) {
  return startServer(
    readConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
      TEXTPORT_DEMO_PHONE: 'off',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    () => {},
  );
}

describe('admin routes of the server', () => {
  it('create an account with TEXTPORT_ADMIN_KEY, whose key then sends', async () => {
    const server = await start('on', { TEXTPORT_ADMIN_KEY: ADMIN_KEY });
    try {
      const created = await fetch(`${server.url}/v1/admin/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'team@example.com' }),
      });
      expect(created.status).toBe(201);
      const { data } = (await created.json()) as { data: { id: string; api_key: string } };
      const me = await fetch(`${server.url}/v1/users/me`, {
        headers: { 'x-api-key': data.api_key },
      });
      expect(((await me.json()) as { data: { id: string } }).data.id).toBe(data.id);
      const listed = await fetch(`${server.url}/v1/admin/accounts`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(((await listed.json()) as { data: unknown[] }).data).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('are absent without it, and GET / lists the docs, probes and metrics', async () => {
    const server = await start('off');
    try {
      const response = await fetch(`${server.url}/v1/admin/accounts`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(response.status).toBe(404);
      const root = (await (await fetch(`${server.url}/`)).json()) as { docs: string };
      expect(root).toMatchObject({
        openapi: '/v1/openapi.json',
        docs: '/docs',
        ready: '/health/ready',
        metrics: '/metrics',
      });
      expect((await fetch(`${server.url}${root.docs}`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses a short admin key', () => {
    expect(() => readConfig({ TEXTPORT_ADMIN_KEY: 'short' })).toThrow(ConfigError);
  });
});
