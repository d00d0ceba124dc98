/** The device routes one by one: validation, bounds, shapes and idempotent reports. */

import type { GatewayEvent, GatewayEventType } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { RECEIVER_WEBHOOK_ID, signWebhook } from '../src/index.js';
import {
  accountWithKey,
  CONTACT,
  fakeApp,
  OWNER,
  registeredApp,
  type SmsGateNode,
  smsgateNode,
} from './helpers.js';

function record<T extends GatewayEventType>(node: SmsGateNode, type: T): GatewayEvent<T>[] {
  const seen: GatewayEvent<T>[] = [];
  node.gateway.on(type, (event) => void seen.push(event));
  return seen;
}

async function raw(
  url: string,
  init: { method?: string; token?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

describe('registration', () => {
  it('answers {id, token, login} without a password and makes the phone rows', async () => {
    const n = await smsgateNode();
    const { account, phoneKey } = await accountWithKey(n);
    const res = await raw(`${n.mobile}/device`, {
      method: 'POST',
      token: phoneKey,
      body: JSON.stringify({ name: 'Xiaomi/sweet_global' }),
    });
    expect(res.status).toBe(201);
    expect(res.type).toMatch(/^application\/json/);
    const body = JSON.parse(res.text);
    expect(Object.keys(body).sort()).toEqual(['id', 'login', 'token']);
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(body.login).toBe('textport');
    const [device] = await n.transport.store.listDevices(account.id);
    expect(device?.tokenHash).not.toBe(body.token);
    expect(device?.phoneNumbers).toEqual([OWNER]);
    expect(await n.gateway.phones.findByNumber(account.id, OWNER)).not.toBeNull();
  });

  it('binds the private token to its account and numbers (SIM 2 is the second number)', async () => {
    const probe = await smsgateNode();
    const { record: account } = await probe.gateway.accounts.create();
    const second = '+18005550198';
    const n = await smsgateNode({
      store: probe.store,
      transport: {
        privateToken: {
          token: 'server-secret-1',
          accountId: account.id,
          phoneNumbers: [OWNER, second],
        },
      },
    });
    await probe.gateway.stop();
    const app = fakeApp(n);
    expect(await app.register('server-secret-2')).toBe(401);
    expect(await app.register('server-secret-1')).toBe(201);
    const [device] = await n.transport.store.listDevices(account.id);
    expect(device).toMatchObject({ keyId: null, phoneNumbers: [OWNER, second] });
    await n.gateway.phones.upsert(account.id, { phoneNumber: second, messagesPerMinute: 0 });
    expect(await app.connect()).toBe(200);
    const m = await n.gateway.messages.send(account.id, {
      from: second,
      to: CONTACT,
      content: 's2',
    });
    await vi.waitFor(() => expect(app.messages.get(m.id)?.item.simNumber).toBe(2), WAIT);
  });

  it('refuses bad bodies with 400 and oversized ones with 413, writing nothing', async () => {
    const n = await smsgateNode({ transport: { maxBodyBytes: 1024 } });
    const { account, phoneKey } = await accountWithKey(n);
    const post = (body: string) =>
      raw(`${n.mobile}/device`, { method: 'POST', token: phoneKey, body });
    expect((await post('{"name":')).status).toBe(400);
    expect((await post('[]')).status).toBe(400);
    expect((await post(JSON.stringify({ name: 'x'.repeat(129) }))).status).toBe(400);
    const sims = [1, 2, 3, 1].map((simNumber, slotIndex) => ({ slotIndex, simNumber }));
    expect((await post(JSON.stringify({ simCards: sims }))).status).toBe(400);
    expect(
      (await post(JSON.stringify({ simCards: [{ slotIndex: 8, simNumber: 1 }] }))).status,
    ).toBe(400);
    expect(
      (await post(JSON.stringify({ simCards: [{ slotIndex: 0, simNumber: 4 }] }))).status,
    ).toBe(400);
    const big = await post(JSON.stringify({ name: 'n', pad: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toHaveProperty('message');
    expect(await n.transport.store.listDevices(account.id)).toEqual([]);
  });

  it('tells the user to create the phone key for the SIM numbers when it serves none', async () => {
    const n = await smsgateNode();
    const { record: account } = await n.gateway.accounts.create();
    const { apiKey } = await n.gateway.accounts.createPhoneKey(account.id, { name: 'bare' });
    const res = await raw(`${n.mobile}/device`, { method: 'POST', token: apiKey, body: '{}' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).message).toMatch(/create the key for the numbers/);
    const basic = await raw(`${n.mobile}/device`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
  });
});

describe('device routes', () => {
  it('PATCH /device: 204 for its own id, 403 for another, SIM cards replaced', async () => {
    const n = await smsgateNode();
    const { app } = await registeredApp(n);
    const sims = [{ slotIndex: 1, simNumber: 1, phoneNumber: '****0199' }];
    const ok = await app.call('PATCH', '/device', { id: app.deviceId, simCards: sims });
    expect(ok.status).toBe(204);
    expect((await n.transport.store.getDevice(app.deviceId ?? ''))?.simCards).toEqual(sims);
    expect((await app.call('PATCH', '/device', { id: 'someone-else' })).status).toBe(403);
  });

  it('GET /device: externalIp always, the device with its token', async () => {
    const n = await smsgateNode();
    const { app } = await registeredApp(n);
    const anonymous = await raw(`${n.mobile}/device`);
    expect(JSON.parse(anonymous.text)).toEqual({ externalIp: '127.0.0.1' });
    const mine = (await (await app.call('GET', '/device')).json()) as Record<string, unknown>;
    expect(mine).toMatchObject({ externalIp: '127.0.0.1', device: { id: app.deviceId } });
  });

  it('GET /webhooks lists the account registrations and textport receiver, known events only', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const store = n.transport.store;
    const base = { accountId: account.id, deviceId: null, createdAt: 1 };
    await store.upsertWebhook({ ...base, id: 'w1', url: 'https://a.example/h', event: 'sms:sent' });
    await store.upsertWebhook({
      ...base,
      id: 'w2',
      url: 'https://a.example/b',
      event: 'sms:batch:received',
    });
    const res = await app.call('GET', '/webhooks');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual([
      { id: 'w1', deviceId: null, url: 'https://a.example/h', event: 'sms:sent' },
      {
        id: RECEIVER_WEBHOOK_ID,
        deviceId: app.deviceId,
        url: `${n.mobile}/inbound`,
        event: 'sms:received',
      },
    ]);
  });

  it("never lists textport's receiver id twice: a registration stored with it is left out", async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    await n.transport.store.upsertWebhook({
      accountId: account.id,
      id: RECEIVER_WEBHOOK_ID,
      deviceId: null,
      url: 'https://a.example/h',
      event: 'sms:sent',
      createdAt: 1,
    });
    const hooks = (await (await app.call('GET', '/webhooks')).json()) as { id: string }[];
    expect(hooks).toEqual([
      {
        id: RECEIVER_WEBHOOK_ID,
        deviceId: app.deviceId,
        url: `${n.mobile}/inbound`,
        event: 'sms:received',
      },
    ]);
  });

  it('the receiver URL follows publicUrl when set', async () => {
    const n = await smsgateNode({ transport: { publicUrl: 'https://sms.example.com/' } });
    const { app } = await registeredApp(n);
    const hooks = (await (await app.call('GET', '/webhooks')).json()) as { url: string }[];
    expect(hooks.map((h) => h.url)).toEqual(['https://sms.example.com/smsgate/mobile/v1/inbound']);
  });

  it('GET /settings: empty sections and the gateway section left out, the signing key added', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    await n.transport.store.putSettings(account.id, {
      messages: { limit_period: 'PerMinute', limit_value: 10 },
      ping: {},
      gateway: { notification_channel: 'AUTO' },
      webhooks: { retry_count: 5 },
    });
    const device = await n.transport.store.getDevice(app.deviceId ?? '');
    expect(await (await app.call('GET', '/settings')).json()).toEqual({
      messages: { limit_period: 'PerMinute', limit_value: 10 },
      webhooks: { retry_count: 5, signing_key: device?.signingKey },
    });
  });

  it('GET /user/code: 501; PATCH /user/password: 401 without a device, 501 with one', async () => {
    const n = await smsgateNode();
    const { app } = await registeredApp(n);
    const code = await raw(`${n.mobile}/user/code`);
    expect(code.status).toBe(501);
    expect(JSON.parse(code.text)).toEqual({
      message:
        'one-time codes are not supported; register each phone with the private token or a phone API key',
    });
    const body = JSON.stringify({ newPassword: 'x'.repeat(14) });
    expect((await raw(`${n.mobile}/user/password`, { method: 'PATCH', body })).status).toBe(401);
    expect(
      (await app.call('PATCH', '/user/password', { newPassword: 'x'.repeat(14) })).status,
    ).toBe(501);
  });

  it('answers 404 JSON under mobilePath and leaves other paths to the host', async () => {
    const n = await smsgateNode();
    const missing = await raw(`${n.mobile}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ message: 'Not Found' });
    const doubled = await raw(`${n.mobile}//user/code`);
    expect(doubled.status).toBe(501);
    const api = await raw(`${n.base}/v1/messages/outstanding`);
    expect(JSON.parse(api.text)).toHaveProperty('status');
  });

  it('tell() reaches the account device streams', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    expect(n.transport.tell(account.id, null, 'WebhooksUpdated')).toBe(1);
    expect(n.transport.tell('another-account', null, 'SettingsUpdated')).toBe(0);
    await vi.waitFor(
      () => expect(app.events.map((e) => e.name)).toContain('WebhooksUpdated'),
      WAIT,
    );
  });

  it('answers 503 when the node holds maxStreams', async () => {
    const n = await smsgateNode({ transport: { maxStreams: 1 } });
    const { app } = await registeredApp(n);
    const second = fakeApp(n);
    second.token = app.token;
    expect(await second.connect()).toBe(503);
  });
});

describe('the pull', () => {
  it('order: absent or lifo newest first, fifo oldest first, anything else 400', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    expect((await app.call('GET', '/message?order=random')).status).toBe(400);
    app.paused = true;
    const ids: string[] = [];
    for (const content of ['a', 'b', 'c']) {
      ids.push(
        (await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content })).id,
      );
      await vi.waitFor(
        async () =>
          expect((await n.gateway.messages.get(account.id, ids.at(-1) ?? '')).status).toBe(
            'scheduled',
          ),
        WAIT,
      );
    }
    const res = await app.call('GET', '/messages');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { id: string }[]).map((i) => i.id)).toEqual([...ids].reverse());
    // Taken: a second pull is empty.
    expect(await (await app.call('GET', '/message?order=fifo')).json()).toEqual([]);
  });

  it('fifo answers oldest first, up to pullLimit, and nudges again after the next report', async () => {
    const n = await smsgateNode({ transport: { pullLimit: 2 } });
    const { account, app } = await registeredApp(n);
    app.paused = true;
    const ids: string[] = [];
    for (const content of ['a', 'b', 'c']) {
      ids.push(
        (await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content })).id,
      );
      await vi.waitFor(
        async () =>
          expect((await n.gateway.messages.get(account.id, ids.at(-1) ?? '')).status).toBe(
            'scheduled',
          ),
        WAIT,
      );
    }
    // Each hand-off nudged the app once; the nudges may still be on their way.
    await vi.waitFor(() => expect(app.events.length).toBe(ids.length), WAIT);
    const nudges = app.events.length;
    const first = (await (await app.call('GET', '/message?order=fifo')).json()) as { id: string }[];
    expect(first.map((i) => i.id)).toEqual(ids.slice(0, 2));
    await app.call('PATCH', '/message', [
      {
        id: ids[0],
        state: 'Processed',
        recipients: [{ phoneNumber: CONTACT, state: 'Processed' }],
      },
    ]);
    await vi.waitFor(() => expect(app.events.length).toBe(nudges + 1), WAIT);
    const rest = (await (await app.call('GET', '/message?order=fifo')).json()) as { id: string }[];
    expect(rest.map((i) => i.id)).toEqual([ids[2]]);
  });
});

describe('state reports', () => {
  const snapshot = (id: string, state: string, states: Record<string, string>, error?: string) => ({
    id,
    state,
    recipients: [{ phoneNumber: CONTACT, state, ...(error ? { error } : {}) }],
    states,
  });

  it('are idempotent: repeats and a Delivered before its Sent change nothing more', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const sent = record(n, 'message.phone.sent');
    const delivered = record(n, 'message.phone.delivered');
    const m = await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'i' });
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    const states = {
      Sent: '2026-08-22T17:00:07.002+07:00',
      Delivered: '2026-08-22T17:00:09.500+07:00',
    };
    const deliveredReport = [snapshot(m.id, 'Delivered', states)];
    for (let i = 0; i < 2; i++) {
      expect((await app.call('PATCH', '/message', deliveredReport)).status).toBe(204);
    }
    const late = [snapshot(m.id, 'Sent', { Sent: states.Sent })];
    expect((await app.call('PATCH', '/message', late)).status).toBe(204);
    const failedLate = [snapshot(m.id, 'Failed', states, 'Delivery result: 64')];
    expect((await app.call('PATCH', '/message', failedLate)).status).toBe(204);
    const stored = await n.gateway.messages.get(account.id, m.id);
    expect(stored.status).toBe('delivered');
    expect(stored.sentAt).toBe(Date.parse('2026-08-22T10:00:07.002Z'));
    expect(stored.deliveredAt).toBe(Date.parse('2026-08-22T10:00:09.500Z'));
    expect(sent).toHaveLength(1);
    expect(delivered).toHaveLength(1);
  });

  it('answer 204 for unknown ids and other devices messages; 400 only for a malformed body', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const other = await registeredApp(n);
    const m = await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'o' });
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    const foreign = [snapshot(m.id, 'Failed', {}, 'not mine')];
    expect((await other.app.call('PATCH', '/message', foreign)).status).toBe(204);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('sending');
    const items = [
      snapshot('unknown-id', 'Sent', {}),
      snapshot('00000000-0000-4000-8000-000000000000', 'Sent', {}),
      snapshot(m.id, 'Sent', {}),
    ];
    expect((await app.call('PATCH', '/message', items)).status).toBe(204);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    const bad = [
      { id: m.id },
      { id: 'x'.repeat(37), state: 'Sent', recipients: [] },
      Array.from({ length: 101 }, () => snapshot(m.id, 'Sent', {})),
    ];
    expect((await app.call('PATCH', '/message', { id: m.id })).status).toBe(400);
    for (const body of bad) {
      const res = await app.call('PATCH', '/message', Array.isArray(body) ? body : [body]);
      expect(res.status).toBe(400);
    }
  });
});

describe('the inbound receiver', () => {
  async function post(n: SmsGateNode, body: object, key: string, at = Date.now()) {
    const text = JSON.stringify(body);
    const timestamp = String(Math.floor(at / 1000));
    return raw(`${n.mobile}/inbound`, {
      method: 'POST',
      body: text,
      headers: { 'x-timestamp': timestamp, 'x-signature': signWebhook(key, text, timestamp) },
    });
  }

  it('refuses a stale timestamp and an unknown device; takes other events without storing', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const device = await n.transport.store.getDevice(app.deviceId ?? '');
    const key = device?.signingKey ?? '';
    const envelope = (id: string, event: string) => ({
      id,
      webhookId: RECEIVER_WEBHOOK_ID,
      event,
      deviceId: app.deviceId,
      payload: { message: 'hi', sender: CONTACT, receivedAt: '2026-08-22T17:00:00.000+07:00' },
    });
    const stale = await post(n, envelope('e1', 'sms:received'), key, Date.now() - 6 * 60_000);
    expect(stale.status).toBe(401);
    expect(stale.type).toMatch(/^application\/json/);
    const unknown = await post(n, { ...envelope('e2', 'sms:received'), deviceId: 'nobody' }, key);
    expect(unknown.status).toBe(401);
    expect((await post(n, envelope('e3', 'system:ping'), key)).status).toBe(200);
    const inbox = await n.gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
    expect(inbox).toEqual([]);
    const ok = await post(n, envelope('e4', 'sms:received'), key);
    expect(ok.status).toBe(200);
    const [stored] = await n.gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
    expect(stored).toMatchObject({ status: 'received', content: 'hi' });
    expect(stored?.receivedAt).toBe(Date.parse('2026-08-22T10:00:00.000Z'));
  });

  it('stores an SMS with an empty body (refusing it would lose it)', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const received = record(n, 'message.phone.received');
    expect(await app.receiveSms({ from: CONTACT, text: '' })).toEqual([200]);
    const inbox = await n.gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
    expect(inbox.map((m) => [m.status, m.content])).toEqual([['received', '']]);
    expect(received.map((e) => e.data.content)).toEqual(['']);
    // The httpSMS phone API on the same node keeps requiring content.
    const httpSms = await raw(`${n.base}/v1/messages/receive`, {
      method: 'POST',
      headers: { 'x-api-key': (await accountWithKey(n)).phoneKey },
      body: JSON.stringify({ from: CONTACT, to: OWNER, content: '', sim: 'SIM1' }),
    });
    expect(httpSms.status).toBe(422);
    expect(httpSms.text).toMatch(/content/);
  });
});

describe('what the pull sends', () => {
  it('marks SMSGate ciphertext isEncrypted and fails httpSMS ciphertext the app cannot read', async () => {
    const n = await smsgateNode();
    const { account, app } = await registeredApp(n);
    const cipher = '$aes-256-cbc/pbkdf2-sha1$i=75000$c2FsdA==$Y2lwaGVy';
    const ok = await n.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: cipher,
      encrypted: true,
    });
    await vi.waitFor(
      () => expect(app.messages.get(ok.id)?.item).toMatchObject({ isEncrypted: true }),
      WAIT,
    );
    const foreign = await n.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'bm90IHNtc2dhdGU=',
      encrypted: true,
    });
    await vi.waitFor(async () => {
      const stored = await n.gateway.messages.get(account.id, foreign.id);
      expect(stored.status).toBe('failed');
      expect(stored.failureReason).toMatch(/SMSGate app cannot decrypt/);
    }, WAIT);
    expect(app.pulls.flat()).not.toContain(foreign.id);
  });
});

describe('presence and device checks', () => {
  it('posts a heartbeat every presenceIntervalMs while a stream is open', async () => {
    const n = await smsgateNode({ transport: { presenceIntervalMs: 1000 } });
    const { account } = await registeredApp(n);
    await vi.waitFor(
      async () => {
        const beats = await n.gateway.phones.heartbeats(account.id, { owner: OWNER, limit: 5 });
        expect(beats.length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 5000 },
    );
  });

  it('records presence only for a call that succeeded: a refused one writes nothing', async () => {
    const n = await smsgateNode();
    const { account, phoneKey } = await accountWithKey(n);
    const app = fakeApp(n);
    expect(await app.register(phoneKey)).toBe(201);
    const deviceId = app.deviceId ?? '';
    const seen = async () => (await n.transport.store.getDevice(deviceId))?.lastSeen;
    const beats = () => n.gateway.phones.heartbeats(account.id, { owner: OWNER, limit: 10 });
    const lastSeen = await seen();
    for (const bad of ['{', '[{"id": 5}]', JSON.stringify({ id: 'x' })]) {
      expect((await app.call('PATCH', '/message', bad)).status).toBe(400);
    }
    expect((await app.call('GET', '/message?order=sideways')).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await seen()).toBe(lastSeen);
    expect(await beats()).toEqual([]);
    expect((await app.call('GET', '/settings')).status).toBe(200);
    await vi.waitFor(async () => expect(await beats()).toHaveLength(1), WAIT);
    expect(await seen()).toBeGreaterThanOrEqual(lastSeen ?? 0);
  });

  it('ends the streams of a deleted device on its next check', async () => {
    const n = await smsgateNode({ transport: { keyCheckIntervalMs: 50 } });
    const { account, app } = await registeredApp(n);
    await n.transport.store.deleteDevice(account.id, app.deviceId ?? '');
    await vi.waitFor(() => expect(n.transport.stats().streams).toBe(0), WAIT);
    expect(await app.connect()).toBe(401);
  });
});
