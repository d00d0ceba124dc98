/**
 * The unchanged npm `android-sms-gateway` 3.0.0 client against the SMSGate user
 * API over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MemoryStore, memoryRawReader } from '@textport/core';
import { createKnexStore } from '@textport/store-knex';
import type { Message } from 'android-sms-gateway';
import * as sdk from 'android-sms-gateway';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEVICE_ID,
  device,
  fetchHttpClient,
  HttpError,
  OWNER,
  OWNER_SIM2,
  START,
  USER,
  userSetup,
} from './user-helpers.js';

// The package ships ES module syntax without `"type": "module"`: TypeScript reads it as
// CommonJS (the class is `default.default`), the test runner as ESM (the class is `default`).
type ClientClass = typeof sdk.default.default;
const loaded = sdk.default as unknown as { default?: ClientClass };
const Client = loaded.default ?? (sdk.default as unknown as ClientClass);

type Setup = Awaited<ReturnType<typeof userSetup>>;
let t: Setup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(options: Parameters<typeof userSetup>[0] = {}) {
  t = await userSetup(options);
  const client = new Client(USER.username, USER.password, fetchHttpClient(), t.base);
  return { t, client };
}

/** The client's `Message` type lacks newer fields; it posts whatever it is given. */
const msg = (m: Message & Record<string, unknown>) => m as Message;

describe('android-sms-gateway 3.0.0 client', () => {
  it('sends a plain message through the legacy /message route and reads its state', async () => {
    const { t, client } = await start();
    const state = await client.send({ message: 'Hello', phoneNumbers: ['+18005550100'] });
    expect(state).toMatchObject({
      deviceId: DEVICE_ID,
      state: 'Pending',
      isHashed: false,
      isEncrypted: false,
      recipients: [{ phoneNumber: '+18005550100', state: 'Pending' }],
      states: { Pending: new Date(START).toISOString() },
      textMessage: { text: 'Hello' },
    });
    expect(state.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const group = await t.smsgate.getGroup(t.account.id, state.id);
    expect(group?.messageIds).toHaveLength(1);
    const m = await t.gateway.messages.get(t.account.id, group?.messageIds[0] ?? '');
    expect(m).toMatchObject({
      owner: OWNER,
      contact: '+18005550100',
      content: 'Hello',
      requestId: state.id,
      status: 'pending',
      scheduledSendTime: null,
    });
    expect(await client.getState(state.id)).toEqual(state);
    expect(t.told).toEqual([]);
  });

  it('sends from SIM 2 with a ttl: validUntil is kept on the group', async () => {
    const { t, client } = await start();
    const state = await client.send({
      message: 'ttl',
      phoneNumbers: ['+18005550100', '+18005550101'],
      simNumber: 2,
      ttl: 3600,
      withDeliveryReport: false,
    });
    const group = await t.smsgate.getGroup(t.account.id, state.id);
    expect(group).toMatchObject({
      simNumber: 2,
      validUntil: START + 3_600_000,
      withDeliveryReport: false,
      phoneNumbers: ['+18005550100', '+18005550101'],
    });
    const rows = await t.store.getMessages(t.account.id, group?.messageIds ?? []);
    expect(rows.map((m) => m.owner)).toEqual([OWNER_SIM2, OWNER_SIM2]);
    expect(state.recipients.map((r) => r.phoneNumber)).toEqual(['+18005550100', '+18005550101']);
  });

  it('turns scheduleAt into textport send times, for one recipient and for several', async () => {
    const { t, client } = await start();
    const at = START + 3_600_000;
    const one = await client.send(
      msg({
        message: 'later',
        phoneNumbers: ['+18005550100'],
        scheduleAt: new Date(at).toISOString(),
      }),
    );
    const two = await client.send(
      msg({
        message: 'later too',
        phoneNumbers: ['+18005550100', '+18005550102'],
        scheduleAt: new Date(at + 1000).toISOString(),
      }),
    );
    for (const [state, when, n] of [
      [one, at, 1],
      [two, at + 1000, 2],
    ] as const) {
      const group = await t.smsgate.getGroup(t.account.id, state.id);
      expect(group?.scheduleAt).toBe(when);
      const rows = await t.store.getMessages(t.account.id, group?.messageIds ?? []);
      expect(rows).toHaveLength(n);
      expect(rows.every((m) => m.scheduledSendTime === when && m.dueAt === when)).toBe(true);
      expect(state.state).toBe('Pending');
    }
    // Not due yet: the dispatcher hands nothing to the phone.
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([]);
  });

  it('picks a device that has the SIM asked for and was seen within deviceActiveWithin', async () => {
    const { t, client } = await start();
    const other = 'DeviceBBBBBBBBBBBBBB2';
    await t.smsgate.insertDevice(device(t.account.id, other, [OWNER]));
    // Only the first device has a SIM 2.
    for (let i = 0; i < 5; i++) {
      const s = await client.send({ message: 'x', phoneNumbers: ['+18005550100'], simNumber: 2 });
      expect((s as typeof s & { deviceId: string }).deviceId).toBe(DEVICE_ID);
    }
    // Only the second was seen within the last hour.
    t.clock.advance(7_200_000);
    await t.smsgate.updateDevice(other, { lastSeen: t.clock.now() });
    for (let i = 0; i < 5; i++) {
      const res = await t.call('POST', '/messages?deviceActiveWithin=1', {
        body: { message: 'x', phoneNumbers: ['+18005550100'] },
      });
      expect(res.json.deviceId).toBe(other);
    }
    const none = await t.call('POST', '/messages?deviceActiveWithin=1', {
      body: { message: 'x', phoneNumbers: ['+18005550100'], simNumber: 2 },
    });
    expect(none).toMatchObject({
      status: 400,
      json: { message: expect.stringMatching(/record not found/) },
    });
  });

  it('keeps a client id, and answers 409 when it is used again (nothing more written)', async () => {
    const { t, client } = await start();
    const state = await client.send(
      msg({ id: 'order-42', message: 'a', phoneNumbers: ['+18005550100'] }),
    );
    expect(state.id).toBe('order-42');
    const count = await memoryRawReader(t.store as MemoryStore).countMessages(t.account.id);
    const again = client.send(
      msg({ id: 'order-42', message: 'b', phoneNumbers: ['+18005550101'] }),
    );
    await expect(again).rejects.toBeInstanceOf(HttpError);
    await again.catch((error: HttpError) => {
      expect(error.status).toBe(409);
      expect(error.body).toEqual({ message: 'message with the same ID already exists' });
    });
    expect(await memoryRawReader(t.store as MemoryStore).countMessages(t.account.id)).toBe(count);
    expect((await client.getState('order-42')).recipients[0]?.phoneNumber).toBe('+18005550100');
  });

  it('lists messages with X-Total-Count, paging, sort and content on request', async () => {
    const { t, client } = await start();
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      ids.push((await client.send({ message: text, phoneNumbers: ['+18005550100'] })).id);
      t.clock.advance(1000);
    }
    const page = await t.call('GET', '/messages?limit=2');
    expect(page.status).toBe(200);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.json.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    expect(page.json[0].textMessage).toBeUndefined();
    const rest = await t.call('GET', '/message?sort=created_at&offset=1&includeContent=true');
    expect(rest.json.map((m: { textMessage: { text: string } }) => m.textMessage.text)).toEqual([
      'two',
      'three',
    ]);
    const window = `from=${new Date(START + 1000).toISOString()}&to=${new Date(START + 2000).toISOString()}`;
    const ranged = await t.call('GET', `/messages?${window}`);
    expect(ranged.json.map((m: { id: string }) => m.id)).toEqual([ids[1]]);
    // An offset's `+` sent unencoded arrives as a space and is still understood.
    const offset = await t.call('GET', '/messages?from=2026-11-24T15:00:02+03:00');
    expect(offset.json.map((m: { id: string }) => m.id)).toEqual([ids[2]]);
    const pending = await t.call('GET', '/messages?state=Pending&limit=1');
    expect(pending.headers.get('x-total-count')).toBe('3');
    expect(pending.json).toHaveLength(1);
    const byDevice = await t.call('GET', `/messages?deviceId=${'x'.repeat(21)}`);
    expect(byDevice.headers.get('x-total-count')).toBe('0');
  });

  it('cancels a pending message (DELETE /message/{id}) and tells its device', async () => {
    const { t, client } = await start();
    const state = await client.send({
      message: 'x',
      phoneNumbers: ['+18005550100', '+18005550101'],
    });
    const canceled = await t.call('DELETE', `/message/${state.id}`);
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({
      id: state.id,
      state: 'Cancelled',
      recipients: [{ state: 'Cancelled' }, { state: 'Cancelled' }],
    });
    expect(canceled.json.states.Cancelled).toBe(new Date(START).toISOString());
    // The transport tells the device of each canceled message, by the id the app knows
    // (app.test.ts); the user API does not tell it again.
    expect(t.told).toEqual([]);
    const again = await t.call('DELETE', `/messages/${state.id}`);
    expect(again).toMatchObject({ status: 409, json: { message: 'message is not pending' } });
    expect((await t.call('DELETE', '/messages/nope')).status).toBe(404);
  });

  it('registers, lists and deletes webhooks; each change tells the devices', async () => {
    const { t, client } = await start();
    const hook = await client.registerWebhook({
      url: 'https://hooks.example.com/sms',
      event: 'sms:received' as never,
    });
    expect(hook).toMatchObject({
      url: 'https://hooks.example.com/sms',
      event: 'sms:received',
      deviceId: null,
    });
    t.clock.advance(1); // listed oldest first
    const scoped = await client.registerWebhook({
      id: 'mine',
      url: 'HTTPS://hooks.example.com/sent',
      event: 'sms:sent' as never,
      deviceId: DEVICE_ID,
    });
    expect(scoped.id).toBe('mine');
    expect(await client.getWebhooks()).toEqual([hook, scoped]);
    // Upsert by id.
    await client.registerWebhook({
      id: 'mine',
      url: 'https://x.example/2',
      event: 'sms:failed' as never,
      deviceId: DEVICE_ID,
    });
    expect((await client.getWebhooks()).map((w) => [w.id, w.event])).toEqual([
      [hook.id, 'sms:received'],
      ['mine', 'sms:failed'],
    ]);
    await client.deleteWebhook('mine');
    await client.deleteWebhook('unknown');
    expect(await client.getWebhooks()).toEqual([hook]);
    // Deleting an unknown id changed nothing: no device is told.
    expect(t.told.map((x) => [x.event, x.deviceId])).toEqual([
      ['WebhooksUpdated', null],
      ['WebhooksUpdated', DEVICE_ID],
      ['WebhooksUpdated', DEVICE_ID],
      ['WebhooksUpdated', DEVICE_ID],
    ]);
  });

  it('lists and deletes devices (204 for an unknown id too)', async () => {
    const { t, client } = await start();
    await t.smsgate.insertDevice({
      ...device(t.account.id, 'DeviceBBBBBBBBBBBBBB2', [OWNER], START + 5),
      simCards: null,
    });
    const devices = await client.getDevices();
    expect(devices).toEqual([
      {
        id: DEVICE_ID,
        name: 'phone Device',
        createdAt: new Date(START).toISOString(),
        updatedAt: new Date(START).toISOString(),
        lastSeen: new Date(START).toISOString(),
        simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '*******0199' }],
      },
      expect.objectContaining({ id: 'DeviceBBBBBBBBBBBBBB2' }),
    ]);
    expect(devices[1]).not.toHaveProperty('simCards');
    expect(await client.deleteDevice(DEVICE_ID)).toBeNull();
    expect(await client.deleteDevice('unknown')).toBeNull();
    expect((await client.getDevices()).map((d) => d.id)).toEqual(['DeviceBBBBBBBBBBBBBB2']);
    expect(await t.smsgate.getDevice(DEVICE_ID)).toBeNull();
    expect(t.disconnected).toEqual([DEVICE_ID]);
  });

  it('takes logins the list lacks from an authenticate function (an API key as the password)', async () => {
    const t = await userSetup({
      api: {
        users: [],
        authenticate: async (username, password) => {
          const principal = await t.gateway.accounts.authenticate(password);
          return username === 'textport' && principal?.kind === 'user' ? principal.accountId : null;
        },
      },
    });
    try {
      const as = (login: string) => `Basic ${Buffer.from(login).toString('base64')}`;
      expect((await t.call('GET', '/devices', { auth: as(`textport:${t.apiKey}`) })).status).toBe(
        200,
      );
      for (const login of [
        `ops:${t.apiKey}`,
        'textport:uk_wrong',
        `${USER.username}:${USER.password}`,
      ]) {
        expect((await t.call('GET', '/devices', { auth: as(login) })).status).toBe(401);
      }
    } finally {
      await t.close();
    }
  });

  it('reports health without credentials', async () => {
    const { t, client } = await start();
    // Ready means started: the transports run.
    await t.gateway.start();
    expect(await client.getHealth()).toMatchObject({
      status: 'pass',
      version: '1.2.3',
      releaseId: 7,
      checks: { store: { status: 'pass' } },
    });
    for (const probe of ['/health/live', '/health/ready', '/health/startup']) {
      const res = await t.call('GET', probe, { auth: null });
      expect(res.status).toBe(200);
      expect(res.json.status).toBe('pass');
    }
  });

  it('stores settings sent in camelCase as snake_case; PUT replaces, PATCH merges', async () => {
    const { t, client } = await start();
    expect(await client.getSettings()).toEqual({});
    await client.updateSettings({
      messages: {
        limitPeriod: 'PerHour' as never,
        limitValue: 10,
        sendIntervalMin: 1,
        sendIntervalMax: 5,
      },
      webhooks: { retryCount: 3, internetRequired: true },
      ping: { intervalSeconds: 60 },
    });
    expect(await client.getSettings()).toEqual({
      messages: {
        limit_period: 'PerHour',
        limit_value: 10,
        send_interval_min: 1,
        send_interval_max: 5,
      },
      webhooks: { retry_count: 3, internet_required: true },
      ping: { interval_seconds: 60 },
    });
    await client.patchSettings({ messages: { limitValue: 20 }, logs: { lifetimeDays: 7 } });
    expect(await client.getSettings()).toEqual({
      messages: {
        limit_period: 'PerHour',
        limit_value: 20,
        send_interval_min: 1,
        send_interval_max: 5,
      },
      webhooks: { retry_count: 3, internet_required: true },
      ping: { interval_seconds: 60 },
      logs: { lifetime_days: 7 },
    });
    const patched = await t.call('PATCH', '/settings', {
      body: { messages: { limit_value: null } },
    });
    expect(patched.json.messages).not.toHaveProperty('limit_value');
    await client.updateSettings({ logs: { lifetimeDays: 3 } });
    expect(await t.smsgate.getSettings(t.account.id)).toEqual({ logs: { lifetime_days: 3 } });
    expect(t.told.map((x) => [x.event, x.deviceId])).toEqual(
      Array.from({ length: 4 }, () => ['SettingsUpdated', null]),
    );
  });

  it('asks a device to export its inbox (legacy route) and answers 501 for logs', async () => {
    const { t, client } = await start();
    await client.exportInbox({
      deviceId: DEVICE_ID,
      since: new Date('2026-11-01T00:00:00.250Z'),
      until: new Date('2026-11-02T00:00:00Z'),
    });
    expect(t.told).toEqual([
      {
        accountId: t.account.id,
        deviceId: DEVICE_ID,
        event: 'MessagesExportRequested',
        data: {
          since: '2026-11-01T00:00:00Z',
          until: '2026-11-02T00:00:00Z',
          messageTypes: 'SMS',
          triggerWebhooks: 'true',
          webhookDelivery: 'Individual',
        },
      },
    ]);
    const legacy = await t.call('POST', '/messages/inbox/export', {
      body: { deviceId: DEVICE_ID, since: '2026-11-01T00:00:00Z', until: '2026-11-01T00:00:00Z' },
    });
    expect(legacy.status).toBe(202);
    expect(legacy.headers.get('deprecation')).toBe('true');
    const refresh = await t.call('POST', '/inbox/refresh', {
      body: {
        since: '2026-11-01T00:00:00Z',
        until: '2026-11-03T00:00:00Z',
        messageTypes: ['SMS', 'MMS'],
      },
    });
    expect(refresh.status).toBe(202);
    expect(refresh.headers.get('deprecation')).toBeNull();
    expect(t.told[2]).toMatchObject({
      deviceId: null,
      data: { messageTypes: 'SMS,MMS', triggerWebhooks: 'false', webhookDelivery: 'Disabled' },
    });
    await expect(client.getLogs()).rejects.toMatchObject({ status: 501 });
    expect((await t.call('GET', '/inbox')).status).toBe(501);
    const token = await t.call('POST', '/auth/token', { body: { scopes: ['messages:send'] } });
    expect(token).toMatchObject({
      status: 501,
      json: { message: 'JWT tokens are not enabled on this server; use Basic authentication' },
    });
  });
});

describe('on SQLite (store-knex)', () => {
  it('sends, reads and cancels through the client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textport-smsgate-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'store.sqlite') },
      useNullAsDefault: true,
    });
    try {
      const store = createKnexStore(knex);
      await store.migrate();
      const { t, client } = await start({ store });
      const state = await client.send({
        message: 'sql',
        phoneNumbers: ['+18005550100', '+18005550101'],
      });
      expect(await client.getState(state.id)).toEqual(state);
      const group = await t.smsgate.getGroup(t.account.id, state.id);
      const rows = await store.getMessages(t.account.id, group?.messageIds ?? []);
      expect(rows.map((m) => m.requestId)).toEqual([state.id, state.id]);
      const scheduled = await client.send(
        msg({
          message: 'later',
          phoneNumbers: ['+18005550100', '+18005550101'],
          scheduleAt: new Date(START + 60_000).toISOString(),
        }),
      );
      expect(scheduled.recipients).toHaveLength(2);
      const canceled = await t.call('DELETE', `/messages/${state.id}`);
      expect(canceled.json.state).toBe('Cancelled');
    } finally {
      await t?.close();
      t = undefined;
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
