import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startFcmGateway } from '../src/app.js';

/** A local stand-in for Google's token endpoint and FCM that records the pushes. */
async function googleStandIn() {
  const pushes: { token: string; data: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.setHeader('content-type', 'application/json');
      if (req.url === '/token') {
        res.end(
          JSON.stringify({ access_token: 'test-token', expires_in: 3600, token_type: 'Bearer' }),
        );
        return;
      }
      const { message } = JSON.parse(body) as {
        message: { token: string; data: Record<string, string> };
      };
      pushes.push({ token: message.token, data: message.data });
      res.end(JSON.stringify({ name: `projects/demo/messages/${pushes.length}` }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, pushes, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe('fcm example', () => {
  it('runs the httpSMS app flow: login, push, outstanding, SENT, DELIVERED', async () => {
    const google = await googleStandIn();
    cleanup.push(google.close);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = await startFcmGateway({
      credentials: {
        type: 'service_account',
        project_id: 'demo',
        client_email: 'textport@demo.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        token_uri: `${google.url}/token`,
      },
      endpoint: google.url,
    });
    cleanup.push(app.close);
    const { record: account, apiKey: userKey } = await app.gateway.accounts.create();
    const { apiKey: phoneKey } = await app.gateway.accounts.createPhoneKey(account.id, {
      name: 'pixel',
    });
    const asApp = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: {
          'x-api-key': phoneKey,
          'X-Client-Version': 'test',
          'Content-Type': 'application/json; charset=utf-8',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const login = await asApp('/v1/phones/fcm-token', 'PUT', {
      fcm_token: 'device-token',
      phone_number: '+18005550199',
      sim: 'SIM1',
    });
    expect(login.status).toBe(200);
    const sent = await fetch(`${app.url}/v1/messages/send`, {
      method: 'POST',
      headers: { 'x-api-key': userKey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'via FCM' }),
    });
    const id = ((await sent.json()) as { data: { id: string } }).data.id;

    await expect.poll(() => google.pushes.length, { timeout: 10_000 }).toBe(1);
    expect(google.pushes[0]).toEqual({ token: 'device-token', data: { KEY_MESSAGE_ID: id } });
    const outstanding = await asApp(`/v1/messages/outstanding?message_id=${id}`);
    expect(((await outstanding.json()) as { data: { status: string } }).data.status).toBe(
      'sending',
    );
    for (const event_name of ['SENT', 'DELIVERED']) {
      const r = await asApp(`/v1/messages/${id}/events`, 'POST', {
        event_name,
        reason: null,
        timestamp: new Date().toISOString(),
      });
      expect(r.status).toBe(200);
    }
    expect((await app.gateway.messages.get(account.id, id)).status).toBe('delivered');
  });
});
