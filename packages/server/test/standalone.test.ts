import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-standalone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) =>
  readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    ...extra,
  });

async function api(server: RunningServer, key: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers },
  });
  return {
    status: response.status,
    body: (await response.json()) as { data: Record<string, unknown> },
  };
}

describe('configuration', () => {
  it('reports every bad variable at once, each with how to fix it', () => {
    let error: unknown;
    try {
      readConfig({
        PORT: 'eighty',
        DATABASE_URL: 'oracle://x',
        TEXTPORT_API_KEY: 'secret',
        TEXTPORT_DEMO_PHONE: '555',
        TEXTPORT_PHONE_KEYS_RESTRICTED: 'yes',
        TLS_CERT: 'cert.pem',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'TEXTPORT_API_KEY',
      'TEXTPORT_DEMO_PHONE',
      'TEXTPORT_PHONE_KEYS_RESTRICTED',
      'TLS_KEY',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problems).toContain('sqlite:<path>');
  });

  it('e-mail alerts need an SMTP URL and a sender address', () => {
    const problems = (env: Record<string, string>) => {
      try {
        readConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ TEXTPORT_SMTP_URL: 'smtp://mail.example.com:587' })).toEqual([
      expect.stringContaining('TEXTPORT_SMTP_FROM'),
    ]);
    expect(
      problems({
        TEXTPORT_SMTP_URL: 'http://mail.example.com',
        TEXTPORT_SMTP_FROM: 'nobody',
        TEXTPORT_ALERT_EMAIL: 'ops',
      }).map((p) => p.split(':')[0]),
    ).toEqual(['TEXTPORT_SMTP_URL', 'TEXTPORT_SMTP_FROM', 'TEXTPORT_ALERT_EMAIL']);
    expect(
      readConfig({
        TEXTPORT_SMTP_URL: 'smtps://u:p@mail.example.com:465',
        TEXTPORT_SMTP_FROM: 'textport <alerts@example.com>',
        TEXTPORT_ALERT_EMAIL: 'ops@example.com',
      }),
    ).toMatchObject({ TEXTPORT_SMTP_FROM: 'textport <alerts@example.com>' });
  });

  it('has the documented defaults', () => {
    expect(readConfig({})).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:./data/textport.sqlite',
      TEXTPORT_DEMO_PHONE: '+18005550199',
      TEXTPORT_PHONE_KEYS_RESTRICTED: false,
    });
  });
});

describe('standalone server', () => {
  it('delivers through the virtual phone, and a restart keeps keys, messages and scheduled work', async () => {
    const first = await startServer(env(), () => {});
    const key = first.newApiKey ?? '';
    expect(key).toMatch(/^uk_/);
    expect(first.newPhoneApiKey).toMatch(/^pk_/);
    const sent = await api(first, key, '/v1/messages/send', {
      method: 'POST',
      body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'hello' }),
    });
    expect(sent.status).toBe(200);
    const id = String(sent.body.data.id);
    await expect
      .poll(async () => (await api(first, key, `/v1/messages/${id}`)).body.data.status, {
        timeout: 10_000,
      })
      .toBe('delivered');
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const later = await api(first, key, '/v1/messages/send', {
      method: 'POST',
      body: JSON.stringify({
        from: '+18005550199',
        to: '+18005550100',
        content: 'later',
        send_at: sendAt,
      }),
    });
    await first.close();

    const second = await startServer(env(), () => {});
    try {
      expect(second.newApiKey).toBeNull();
      expect(second.newPhoneApiKey).toBeNull();
      const again = await api(second, key, `/v1/messages/${id}`);
      expect(again.body.data.status).toBe('delivered');
      const scheduled = await api(second, key, `/v1/messages/${String(later.body.data.id)}`);
      expect(scheduled.body.data.status).toBe('pending');
      // The wire trims trailing zeros of the fraction, as Go's RFC 3339 format does.
      expect(Date.parse(String(scheduled.body.data.scheduled_send_time))).toBe(Date.parse(sendAt));
      const row = await second.gateway.store.getMessage(
        second.accountId,
        String(later.body.data.id),
      );
      expect(row?.dueAt).toBe(Date.parse(sendAt));
    } finally {
      await second.close();
    }
  });

  it('TEXTPORT_PHONE_KEYS_RESTRICTED: a phone key needs its numbers; the virtual phone still delivers', async () => {
    const server = await startServer(
      env({
        DATABASE_URL: `sqlite:${join(dir, 'restricted.sqlite')}`,
        TEXTPORT_PHONE_KEYS_RESTRICTED: 'true',
      }),
      () => {},
    );
    try {
      const key = server.newApiKey ?? '';
      const open = await api(server, key, '/v1/phone-api-keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'pixel' }),
      });
      expect(open.status).toBe(422);
      expect(open.body.data).toHaveProperty('phone_numbers');
      const sent = await api(server, key, '/v1/messages/send', {
        method: 'POST',
        body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'hello' }),
      });
      const id = String(sent.body.data.id);
      await expect
        .poll(async () => (await api(server, key, `/v1/messages/${id}`)).body.data.status, {
          timeout: 10_000,
        })
        .toBe('delivered');
    } finally {
      await server.close();
    }
  });

  it('keys from the environment replace the stored ones', async () => {
    const apiKey = 'uk_environment-key-0123456789';
    const server = await startServer(
      env({ TEXTPORT_API_KEY: apiKey, TEXTPORT_DEMO_PHONE: 'off' }),
      () => {},
    );
    try {
      expect(server.newApiKey).toBeNull();
      expect(server.virtualPhone).toBeNull();
      expect((await api(server, apiKey, '/v1/users/me')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
