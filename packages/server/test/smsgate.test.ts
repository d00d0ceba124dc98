/**
 * The standalone server's SMSGate APIs, as a new user meets them: the start-up text
 * says how to connect the app, the printed private token registers a device for
 * TEXTPORT_SMSGATE_PHONE_NUMBERS, a message sent through the user API (Basic login
 * `textport` with the API key) reaches the device's event stream and its reports
 * move the textport message; a restart keeps the token working without printing it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { banner } from '../src/banner.js';
import { type ConfigError, readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-standalone-smsgate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIM = '+15551234567';
const CONTACT = '+15557654321';
const env = (extra: Record<string, string> = {}) =>
  readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    TEXTPORT_DEMO_PHONE: 'off',
    TEXTPORT_SMSGATE_PHONE_NUMBERS: SIM,
    ...extra,
  });

/** Opens an event stream and resolves with the name of the first event. */
function firstEvent(url: string, token: string): Promise<{ name: string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        const name = /^event: (.+)$/m.exec(text)?.[1];
        if (name) resolve({ name, close: () => req.destroy() });
      });
    });
    req.on('error', (error) => (error.message.includes('aborted') ? undefined : reject(error)));
    req.end();
  });
}

describe('standalone server: SMSGate phones', () => {
  it('prints how to connect, registers with the printed token and sends through the user API', async () => {
    const lines: string[] = [];
    const config = env();
    const server = await startServer(config, () => {});
    try {
      const text = banner(config, server, 'test').join('\n');
      lines.push(text);
      const smsgate = server.smsgate;
      if (!smsgate?.newPrivateToken) throw new Error('a private token should have been generated');
      expect(text).toContain(`API URL: ${server.url}/smsgate/mobile/v1`);
      expect(text).toContain(`private token (shown once, keep it): ${smsgate.newPrivateToken}`);
      expect(text).toContain(`${SIM} (SIM 1)`);
      expect(text).toContain('SSE_ONLY');
      expect(text).toContain('the app needs HTTPS');

      const mobile = `${server.url}/smsgate/mobile/v1`;
      const registered = await fetch(`${mobile}/device`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${smsgate.newPrivateToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'Google/pixel', simCards: [{ slotIndex: 0, simNumber: 1 }] }),
      });
      expect(registered.status).toBe(201);
      const device = (await registered.json()) as { id: string; token: string; login: string };
      const basic = Buffer.from(`textport:${server.newApiKey}`).toString('base64');
      const stream = await new Promise<{ name: string; close(): void }>((resolve, reject) => {
        const opened = firstEvent(`${mobile}/events`, device.token);
        // The stream is open once the transport reaches the phone; then send.
        setTimeout(async () => {
          const sent = await fetch(`${server.url}/smsgate/3rdparty/v1/messages`, {
            method: 'POST',
            headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              id: 'hello-1',
              textMessage: { text: 'hi' },
              phoneNumbers: [CONTACT],
            }),
          });
          if (sent.status !== 202) reject(new Error(`send: ${sent.status} ${await sent.text()}`));
        }, 200);
        opened.then(resolve, reject);
      });
      expect(stream.name).toBe('MessageEnqueued');
      stream.close();
      const pulled = await fetch(`${mobile}/message?order=fifo`, {
        headers: { authorization: `Bearer ${device.token}` },
      });
      const items = (await pulled.json()) as { id: string; phoneNumbers: string[] }[];
      expect(items.map((m) => m.phoneNumbers)).toEqual([[CONTACT]]);
      const [item] = items;
      if (!item) throw new Error('one message expected');
      const reported = await fetch(`${mobile}/message`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          { id: item.id, state: 'Sent', recipients: [{ phoneNumber: CONTACT, state: 'Sent' }] },
        ]),
      });
      expect(reported.status).toBe(204);
      // The app knows a one-recipient message by its SMSGate id.
      expect(item.id).toBe('hello-1');
      const state = await fetch(`${server.url}/smsgate/3rdparty/v1/messages/hello-1`, {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(((await state.json()) as { state: string }).state).toBe('Sent');
    } finally {
      await server.close();
    }

    // A restart: the token is not printed again and still registers a device.
    const again = await startServer(env(), () => {});
    try {
      expect(again.smsgate?.newPrivateToken).toBeNull();
      expect(banner(env(), again, 'test').join('\n')).toContain(
        'private token: as printed on the start that made it',
      );
      const token = /private token \(shown once, keep it\): (\S+)/.exec(lines[0] ?? '')?.[1];
      const res = await fetch(`${again.url}/smsgate/mobile/v1/device`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(201);
    } finally {
      await again.close();
    }
  });

  it('takes a private token, a login and numbers from the environment; refuses bad ones', async () => {
    const config = env({
      TEXTPORT_SMSGATE_PRIVATE_TOKEN: 'a-private-token-of-mine',
      TEXTPORT_SMSGATE_USERNAME: 'ops',
      TEXTPORT_SMSGATE_PASSWORD: 'a-long-password-1',
    });
    const server = await startServer(config, () => {});
    try {
      expect(server.smsgate?.newPrivateToken).toBeNull();
      const text = banner(config, server, 'test').join('\n');
      expect(text).toContain('private token: TEXTPORT_SMSGATE_PRIVATE_TOKEN');
      expect(text).toContain('Basic login ops / TEXTPORT_SMSGATE_PASSWORD');
      const register = (token: string) =>
        fetch(`${server.url}/smsgate/mobile/v1/device`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
      expect((await register('a-private-token-of-mine')).status).toBe(201);
      expect((await register('a-private-token-of-yours')).status).toBe(401);
      const devices = (login: string) =>
        fetch(`${server.url}/smsgate/3rdparty/v1/devices`, {
          headers: { authorization: `Basic ${Buffer.from(login).toString('base64')}` },
        });
      expect((await devices('ops:a-long-password-1')).status).toBe(200);
      expect((await devices(`textport:${server.newApiKey ?? ''}`)).status).toBe(401);
    } finally {
      await server.close();
    }
    let error: unknown;
    try {
      env({
        TEXTPORT_SMSGATE: 'maybe',
        TEXTPORT_SMSGATE_PHONE_NUMBERS: '555',
        TEXTPORT_SMSGATE_PRIVATE_TOKEN: 'short',
        TEXTPORT_SMSGATE_PASSWORD: 'short',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'TEXTPORT_SMSGATE:',
      'TEXTPORT_SMSGATE_PHONE_NUMBERS',
      'TEXTPORT_SMSGATE_PRIVATE_TOKEN',
      'TEXTPORT_SMSGATE_PASSWORD',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('TEXTPORT_SMSGATE=off serves neither SMSGate API', async () => {
    const server = await startServer(env({ TEXTPORT_SMSGATE: 'off' }), () => {});
    try {
      expect(server.smsgate).toBeNull();
      const res = await fetch(`${server.url}/smsgate/mobile/v1/device`, { method: 'POST' });
      expect(res.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
