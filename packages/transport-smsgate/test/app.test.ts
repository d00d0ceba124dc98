/**
 * The SMSGate app, played call for call over real HTTP against a gateway with the
 * SMSGate transport, on the memory store and on SQLite.
 */

import type { GatewayEvent, GatewayEventType, Store } from '@textport/core';
import { createMemoryStore } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SmsGateStore } from '../src/index.js';
import { memoryStore } from '../src/index.js';
import {
  accountWithKey,
  CONTACT,
  fakeApp,
  OWNER,
  registeredApp,
  type SmsGateNode,
  smsgateNode,
  sqliteStores,
  userApiOn,
} from './helpers.js';

function record<T extends GatewayEventType>(node: SmsGateNode, type: T): GatewayEvent<T>[] {
  const seen: GatewayEvent<T>[] = [];
  node.gateway.on(type, (event) => void seen.push(event));
  return seen;
}

interface Stores {
  store: Store;
  smsgate: SmsGateStore;
  destroy(): Promise<void>;
}

const backends: [string, () => Promise<Stores>][] = [
  [
    'memory stores',
    async () => ({ store: createMemoryStore(), smsgate: memoryStore(), destroy: async () => {} }),
  ],
  ['SQLite, with the Knex SMSGate store', sqliteStores],
];

describe.each(backends)('the SMSGate app against textport (%s)', (_name, makeStores) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await makeStores();
  });
  afterAll(async () => stores.destroy());
  const node = () => smsgateNode({ store: stores.store, transport: { store: stores.smsgate } });

  it('registers, is nudged, pulls, and reports Processed → Sent → Delivered', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const sending = record(n, 'message.phone.sending');
    const sent = record(n, 'message.phone.sent');
    const delivered = record(n, 'message.phone.delivered');
    const m = await n.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'hi',
    });

    await vi.waitFor(
      () => expect(app.events.map((e) => e.name)).toContain('MessageEnqueued'),
      WAIT,
    );
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    const item = app.messages.get(m.id)?.item;
    expect(item).toEqual({
      id: m.id,
      message: 'hi',
      textMessage: { text: 'hi' },
      phoneNumbers: [CONTACT],
      simNumber: 1,
      withDeliveryReport: true,
      priority: 0,
      state: 'Pending',
      createdAt: new Date(m.createdAt).toISOString(),
    });
    expect(item?.createdAt).toMatch(/\.\d{3}Z$/);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('sending');
    expect(sending.map((e) => e.data.id)).toEqual([m.id]);

    await app.report(m.id, 'Processed');
    await app.report(m.id, 'Sent');
    const afterSent = await n.gateway.messages.get(account.id, m.id);
    expect(afterSent.status).toBe('sent');
    const sentAt = app.messages.get(m.id)?.states.Sent ?? '';
    expect(sentAt).toMatch(/\+07:00$/);
    expect(afterSent.sentAt).toBe(Date.parse(sentAt));
    await app.report(m.id, 'Delivered');
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('delivered');
    expect(sent.map((e) => e.data.id)).toEqual([m.id]);
    expect(delivered.map((e) => e.data.id)).toEqual([m.id]);
    expect(app.reportErrors).toEqual([]);
  });

  it('a Failed recipient fails the message with its error as the reason', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const failed = record(n, 'message.send.failed');
    const m = await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'x' });
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    const error = 'Send result: RESULT_ERROR_NULL_PDU (Null PDU)';
    await app.fail(m.id, error);
    const stored = await n.gateway.messages.get(account.id, m.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe(error);
    expect(failed.map((e) => e.data.id)).toEqual([m.id]);
  });

  it('a recipient Failed for a transient reason fails the message: the app never sends an id again', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const failed = record(n, 'message.send.failed');
    const m = await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'x' });
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    const error = 'Send result: RESULT_ERROR_NO_SERVICE (No service)';
    await app.fail(m.id, error);
    const stored = await n.gateway.messages.get(account.id, m.id);
    expect(stored).toMatchObject({ status: 'failed', failureReason: error, dueAt: null });
    expect(failed.map((e) => e.data.id)).toEqual([m.id]);
  });

  it('a message canceled before the pull is announced and never pulled', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const m = await n.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'later',
      sendAt: Date.now() + 3_600_000,
    });
    await n.gateway.messages.cancel(account.id, m.id);
    await vi.waitFor(
      () =>
        expect(app.events).toContainEqual({ name: 'MessageCancelled', data: { messageId: m.id } }),
      WAIT,
    );
    // The app confirms the cancel; textport keeps it canceled.
    await vi.waitFor(() => expect(app.messages.get(m.id)?.state).toBe('Cancelled'), WAIT);
    await app.pull();
    expect(app.pulls.flat()).not.toContain(m.id);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('canceled');
  });

  it('the app knows a one-recipient SMSGate message by its SMSGate id: pull, reports, cancel', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const call = await userApiOn(n, account.id);
    const text = { text: 'hi' };
    await call('POST', '/messages', { id: 'my-id-1', textMessage: text, phoneNumbers: [CONTACT] });
    await vi.waitFor(() => expect([...app.messages.keys()]).toEqual(['my-id-1']), WAIT);
    await app.deliver('my-id-1');
    await vi.waitFor(
      async () =>
        expect(JSON.parse((await call('GET', '/messages/my-id-1')).text).state).toBe('Delivered'),
      WAIT,
    );
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const body = { id: 'my-id-2', textMessage: text, phoneNumbers: [CONTACT], scheduleAt: later };
    await call('POST', '/messages', body);
    expect((await call('DELETE', '/messages/my-id-2')).status).toBe(200);
    const cancels = () => app.events.filter((e) => e.name === 'MessageCancelled');
    await vi.waitFor(
      () =>
        expect(cancels()).toEqual([{ name: 'MessageCancelled', data: { messageId: 'my-id-2' } }]),
      WAIT,
    );
    await vi.waitFor(() => expect(app.messages.get('my-id-2')?.state).toBe('Cancelled'), WAIT);
    await app.idle();
  });

  it('a message to several recipients is pulled one recipient at a time, each under its textport id', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const call = await userApiOn(n, account.id);
    const to = [CONTACT, '+18005550101'];
    await call('POST', '/messages', { id: 'two', textMessage: { text: 'x' }, phoneNumbers: to });
    const group = await n.transport.store.getGroup(account.id, 'two');
    await vi.waitFor(
      () => expect([...app.messages.keys()].sort()).toEqual([...(group?.messageIds ?? [])].sort()),
      WAIT,
    );
    for (const id of group?.messageIds ?? []) await app.deliver(id);
    await vi.waitFor(
      async () =>
        expect(JSON.parse((await call('GET', '/messages/two')).text).state).toBe('Delivered'),
      WAIT,
    );
  });

  it('after the server drops the stream the app reconnects and pulls what was handed off meanwhile', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    expect(app.opens).toBe(1);
    app.paused = true;
    const m = await n.gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'z' });
    await vi.waitFor(
      () => expect(app.events.map((e) => e.name)).toContain('MessageEnqueued'),
      WAIT,
    );
    expect(app.messages.has(m.id)).toBe(false);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('scheduled');
    app.paused = false;
    n.server.closeAllConnections();
    await vi.waitFor(() => expect(app.opens).toBe(2), WAIT);
    await vi.waitFor(() => expect(app.messages.has(m.id)).toBe(true), WAIT);
    expect((await n.gateway.messages.get(account.id, m.id)).status).toBe('sending');
  });

  it('stores an inbound SMS from the signed webhook once, and refuses a bad signature', async () => {
    const n = await node();
    const { account, app } = await registeredApp(n);
    const received = record(n, 'message.phone.received');
    expect(
      await app.receiveSms({ from: CONTACT, text: 'hello textport', envelopeId: 'env-1' }),
    ).toEqual([200]);
    expect(
      await app.receiveSms({ from: CONTACT, text: 'hello textport', envelopeId: 'env-1' }),
    ).toEqual([200]);
    expect(received).toHaveLength(1);
    expect(received[0]?.data).toMatchObject({
      content: 'hello textport',
      contact: CONTACT,
      owner: OWNER,
    });
    const inbox = await n.gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
    expect(inbox.filter((msg) => msg.status === 'received').map((msg) => msg.content)).toEqual([
      'hello textport',
    ]);
    expect(
      await app.receiveSms({
        from: CONTACT,
        text: 'forged',
        envelopeId: 'env-2',
        signingKey: 'nope',
      }),
    ).toEqual([401]);
    expect(received).toHaveLength(1);
  });

  it('refuses a wrong registration token and an unknown device token with 401', async () => {
    const n = await node();
    await accountWithKey(n);
    const app = fakeApp(n);
    expect(await app.register('pk_not-a-key')).toBe(401);
    expect(await app.register('wrong')).toBe(401);
    app.token = 'unknown-device-token';
    const res = await app.call('PATCH', '/device', { id: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toHaveProperty('message');
  });

  it('a revoked phone key ends its streams and answers 401', async () => {
    const n = await node();
    const { account, key, app } = await registeredApp(n);
    expect(n.transport.stats()).toEqual({ streams: 1, devices: 1 });
    await n.gateway.accounts.deletePhoneKey(account.id, key.id);
    await vi.waitFor(() => expect(n.transport.stats()).toEqual({ streams: 0, devices: 0 }), WAIT);
    const res = await app.call('PATCH', '/device', { id: app.deviceId });
    expect(res.status).toBe(401);
    expect(await app.connect()).toBe(401);
  });

  it('counts the stream as presence: a heartbeat brings the phone online', async () => {
    const n = await node();
    const { account, phoneKey } = await accountWithKey(n);
    const app = fakeApp(n);
    expect(await app.register(phoneKey)).toBe(201);
    const phone = await n.gateway.phones.findByNumber(account.id, OWNER);
    if (!phone) throw new Error('registration made no phone');
    await n.store.updatePhone(phone.id, { online: false });
    const online = record(n, 'phone.heartbeat.online');
    expect(await app.connect()).toBe(200);
    await vi.waitFor(() => expect(online.map((e) => e.owner)).toEqual([OWNER]), WAIT);
    const [beat] = await n.gateway.phones.heartbeats(account.id, { owner: OWNER });
    expect(beat?.version).toBe('1.68.0');
    expect(n.transport.reach().phoneIds).toEqual([phone.id]);
  });
});
