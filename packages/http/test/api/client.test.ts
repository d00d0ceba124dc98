/** The unchanged npm `httpsms` client against the node handler on a real port, under a path prefix. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from '@textport/core';
import HttpSms from 'httpsms';
import { afterEach, describe, expect, it } from 'vitest';
import { appSetup, CONTACT, OWNER, PREFIX } from './helpers.js';

let server: Server | undefined;
afterEach(() => server?.close());

async function client() {
  const t = await appSetup();
  server = createServer(t.handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const sms = new HttpSms(t.apiKey, `http://127.0.0.1:${port}${PREFIX}`);
  return { ...t, sms };
}

describe('npm httpsms client', () => {
  it('sends a plain message', async () => {
    const t = await client();
    const message = await t.sms.messages.postSend({
      from: OWNER,
      to: CONTACT,
      content: 'Hello',
      encrypted: false,
    });
    expect(message).toMatchObject({
      owner: OWNER,
      contact: CONTACT,
      content: 'Hello',
      status: 'pending',
      encrypted: false,
    });
    expect((await t.raw.message(message.id))?.content).toBe('Hello');
  });

  it('sends an encrypted message whose content round-trips and decrypts', async () => {
    const t = await client();
    const key = 'correct horse battery staple';
    const text = 'Café ☕ at 9? 😀';
    const content = t.sms.cipher.encrypt(key, text);
    const message = await t.sms.messages.postSend({
      from: OWNER,
      to: CONTACT,
      content,
      encrypted: true,
    });
    expect(message.encrypted).toBe(true);
    expect(message.content).toBe(content);
    expect(t.sms.cipher.decrypt(key, message.content)).toBe(text);
    // The phone gets the ciphertext unchanged and decrypts it with the shared key.
    const user = {
      accountId: t.account.id,
      kind: 'user' as const,
      keyId: null,
      phoneNumbers: null,
    };
    const taken = await t.gateway.phoneApi.takeOutstanding(user, message.id);
    expect(decrypt(key, taken.content)).toBe(text);
  });

  it('schedules a message with send_at', async () => {
    const t = await client();
    const at = new Date(t.clock.now() + 2 * 3600_000);
    const sendAt = at.toISOString().replace('Z', '+00:00');
    const message = await t.sms.messages.postSend({
      from: OWNER,
      to: CONTACT,
      content: 'Later',
      encrypted: false,
      send_at: sendAt,
    });
    expect(message.status).toBe('pending');
    expect((message as unknown as { scheduled_send_time: string }).scheduled_send_time).toBe(
      at.toISOString().replace('.000Z', 'Z'),
    );
    expect((await t.raw.message(message.id))?.dueAt).toBe(at.getTime());
  });

  it('surfaces the error envelope through the axios error', async () => {
    const t = await client();
    type AxiosFailure = { response: { status: number; data: { status: string; data: object } } };
    const error = await t.sms.messages
      .postSend({ from: '+18005550111', to: CONTACT, content: 'x', encrypted: false })
      .then(
        () => null,
        (e: unknown) => e as AxiosFailure,
      );
    if (!error) throw new Error('the send should have been refused');
    expect(error.response.status).toBe(422);
    expect(error.response.data.status).toBe('error');
    expect(error.response.data.data).toHaveProperty('from');
  });
});
