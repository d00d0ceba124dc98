/**
 * The whole httpSMS phone flow, over real HTTP on both sides: the app logs in, a
 * client sends, FCM (the stand-in) gets a `KEY_MESSAGE_ID` push, the app fetches
 * the message and reports SENT and DELIVERED.
 */
import { formatTimestamp } from '@textport/core';
import { describe, expect, it, vi } from 'vitest';
import { androidApp } from './android-app.js';
import type { Setup } from './helpers.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const TOKEN = 'fcm-token-pixel-7';
/** The app's calls are real HTTP round trips: allow for a busy machine. */
const PATIENCE = { timeout: 10_000 };

async function loggedIn(t: Setup) {
  const { apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'pixel' });
  const app = androidApp({
    apiBase: t.apiBase,
    apiKey,
    phoneNumber: OWNER,
    fcmToken: TOKEN,
    google: t.google,
    clock: t.clock,
  });
  const login = await app.login();
  expect(login.status).toBe(200);
  return { app, login };
}

async function clientSend(t: Setup, content: string): Promise<string> {
  const response = await fetch(`${t.apiBase}/v1/messages/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': t.userKey },
    body: JSON.stringify({ from: OWNER, to: CONTACT, content }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

async function statusOf(t: Setup, id: string) {
  return (await t.gateway.store.getMessage(t.account.id, id))?.status;
}

describe('the httpSMS phone flow over FCM', () => {
  it('login, send, push, outstanding, SENT, DELIVERED: the message ends delivered', async () => {
    const t = await setup({ http: true });
    const { app, login } = await loggedIn(t);
    const data = login.json?.data as { id: string; user_id: string; fcm_token: string };
    expect(data.user_id).toBe(t.account.id);
    expect(data.fcm_token).toBe(TOKEN);

    const id = await clientSend(t, 'Your code is 4242');
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);

    expect(t.google.pushes).toHaveLength(1);
    const [push] = t.google.pushes;
    expect(push?.body).toStrictEqual({
      message: {
        token: TOKEN,
        data: { KEY_MESSAGE_ID: id },
        android: { priority: 'normal', ttl: '600s' },
      },
    });
    // The app has finished once its last call (DELIVERED) got its answer.
    await vi.waitFor(() => expect(app.calls).toHaveLength(4), PATIENCE);
    expect(await statusOf(t, id)).toBe('delivered');
    expect(app.errors).toEqual([]);
    expect(app.calls).toEqual([
      { method: 'PUT', path: '/v1/phones/fcm-token', status: 200 },
      { method: 'GET', path: `/v1/messages/outstanding?message_id=${id}`, status: 200 },
      { method: 'POST', path: `/v1/messages/${id}/events`, status: 200 },
      { method: 'POST', path: `/v1/messages/${id}/events`, status: 200 },
    ]);
    expect(t.events.map((e) => e.type)).toEqual(['message.phone.sent', 'message.phone.delivered']);

    const read = await fetch(`${t.apiBase}/v1/messages/${id}`, {
      headers: { 'x-api-key': t.userKey },
    });
    expect(((await read.json()) as { data: { status: string } }).data.status).toBe('delivered');
  });

  it('uses the phone message expiration as the push TTL', async () => {
    const t = await setup({ http: true });
    await loggedIn(t);
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      fcmToken: TOKEN,
      messageExpirationSeconds: 900,
    });
    const id = await clientSend(t, 'ttl');
    await t.gateway.dispatcher.runOnce();
    expect(t.google.pushesTo(TOKEN)[0]?.body.message.android).toStrictEqual({
      priority: 'normal',
      ttl: '900s',
    });
    await vi.waitFor(async () => expect(await statusOf(t, id)).toBe('delivered'), PATIENCE);
  });

  it('with gateway.start(), every message gets its own push and ends delivered', async () => {
    const t = await setup({ http: true });
    const { app } = await loggedIn(t);
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await clientSend(t, `message ${n}`));
    await t.gateway.start();
    await vi.waitFor(async () => {
      for (const id of ids) expect(await statusOf(t, id)).toBe('delivered');
    }, PATIENCE);
    expect(t.google.pushesTo(TOKEN).map((p) => p.data.KEY_MESSAGE_ID)).toEqual(ids);
    expect(app.errors).toEqual([]);
  });

  it('a missed heartbeat: the monitor asks with a high-priority push, the app posts one', async () => {
    const t = await setup({ http: true });
    const { app } = await loggedIn(t);
    expect((await app.heartbeat()).status).toBe(201);
    expect(await t.gateway.heartbeats.runOnce()).toBe(0);
    expect(t.google.pushes).toHaveLength(0);

    t.clock.advance(17 * 60_000);
    expect(await t.gateway.heartbeats.runOnce()).toBe(1);
    expect(t.google.pushesTo(TOKEN).map((p) => p.body)).toStrictEqual([
      {
        message: {
          token: TOKEN,
          data: { KEY_HEARTBEAT_ID: formatTimestamp(t.clock.now()) },
          android: { priority: 'high' },
        },
      },
    ]);
    const heartbeatCalls = () => app.calls.filter((c) => c.path === '/v1/heartbeats');
    await vi.waitFor(() => expect(heartbeatCalls()).toHaveLength(2), PATIENCE);
    expect(app.calls.at(-1)).toEqual({ method: 'POST', path: '/v1/heartbeats', status: 201 });
    const [latest] = await t.gateway.phones.heartbeats(t.account.id, { owner: OWNER });
    expect(latest?.timestamp).toBe(t.clock.now());
  });
});
