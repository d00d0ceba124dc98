/** The inbound receiver when storing fails (500, the app's retry stores it), and its memory of delivery ids. */
import { createServer } from 'node:http';
import type { Gateway, ReceiveInput } from '@textport/core';
import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import { expect, it } from 'vitest';
import {
  INBOUND_MEMORY_MS,
  memoryStore,
  type SmsGateTransport,
  smsgateTransport,
} from '../src/index.js';
import { FakeSmsGateApp } from './app.js';
import { CONTACT, listen, OWNER, onCleanup } from './helpers.js';

/**
 * Serves the transport `serving()` returns on node:http and registers a fake app with
 * a phone key for OWNER; the transports are stopped after the test.
 */
async function registeredOn(
  gateway: Gateway,
  serving: () => SmsGateTransport,
  transports: SmsGateTransport[] = [serving()],
) {
  const server = createServer((req, res) => {
    if (!serving().handle(req, res)) res.writeHead(404).end();
  });
  const port = await listen(server);
  onCleanup(async () => {
    for (const transport of transports) await transport.stop();
    server.closeAllConnections();
    server.close();
  });
  const { record: account } = await gateway.accounts.create();
  const { apiKey } = await gateway.accounts.createPhoneKey(account.id, {
    name: 'smsgate',
    phoneNumbers: [OWNER],
  });
  const app = new FakeSmsGateApp({
    baseUrl: `http://127.0.0.1:${port}${serving().options.mobilePath}`,
  });
  onCleanup(() => app.close());
  expect(await app.register(apiKey)).toBe(201);
  return { account, app };
}

it('answers 500 when the message cannot be stored, and stores the retried delivery once', async () => {
  const store = createMemoryStore();
  const gateway = createGateway({ store, logger: silentLogger });
  const transport = smsgateTransport();
  let failures = 1;
  const inner = gateway.transportHost;
  await transport.start({
    ...inner,
    phoneApi: {
      ...inner.phoneApi,
      receive(principal, input: ReceiveInput) {
        if (failures-- > 0) return Promise.reject(new Error('database is down'));
        return inner.phoneApi.receive(principal, input);
      },
    },
  });
  const { account, app } = await registeredOn(gateway, () => transport);

  const delivery = { from: CONTACT, text: 'retried', envelopeId: 'env-retry' };
  expect(await app.receiveSms(delivery)).toEqual([500]);
  expect(await app.receiveSms(delivery)).toEqual([200]);
  expect(await app.receiveSms(delivery)).toEqual([200]);
  const inbox = await gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
  expect(inbox.map((m) => [m.status, m.content])).toEqual([['received', 'retried']]);
});

it('stores a delivery that failed on one node when the retry reaches another', async () => {
  const store = createMemoryStore();
  const gateway = createGateway({ store, logger: silentLogger });
  const first = smsgateTransport();
  const inner = gateway.transportHost;
  await first.start({
    ...inner,
    phoneApi: { ...inner.phoneApi, receive: () => Promise.reject(new Error('database is down')) },
  });
  // A second node on the same SMSGate store, which has never seen the delivery.
  const second = smsgateTransport({ store: first.store });
  await second.start(inner);
  let serving = first;
  const { account, app } = await registeredOn(gateway, () => serving, [first, second]);
  const delivery = { from: CONTACT, text: 'moved on', envelopeId: 'env-moved' };
  expect(await app.receiveSms(delivery)).toEqual([500]);
  expect(await first.store.hasInbound(app.deviceId ?? '', 'env-moved')).toBe(false);
  serving = second;
  expect(await app.receiveSms(delivery)).toEqual([200]);
  expect(await app.receiveSms(delivery)).toEqual([200]);
  expect(await first.store.hasInbound(app.deviceId ?? '', 'env-moved')).toBe(true);
  const inbox = await gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
  expect(inbox.map((m) => [m.status, m.content])).toEqual([['received', 'moved on']]);
});

it('answers 200 when the SMS was stored but its delivery id could not be remembered', async () => {
  const gateway = createGateway({ store: createMemoryStore(), logger: silentLogger });
  const base = memoryStore();
  const warned: unknown[] = [];
  const transport = smsgateTransport({
    store: { ...base, rememberInbound: () => Promise.reject(new Error('database is down')) },
  });
  await transport.start({
    ...gateway.transportHost,
    logger: { ...silentLogger, warn: (obj: unknown) => void warned.push(obj) },
  });
  const { account, app } = await registeredOn(gateway, () => transport);
  expect(await app.receiveSms({ from: CONTACT, text: 'kept', envelopeId: 'env-kept' })).toEqual([
    200,
  ]);
  const inbox = await gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
  expect(inbox.map((m) => m.content)).toEqual(['kept']);
  expect(warned).toEqual([expect.objectContaining({ eventId: 'env-kept' })]);
});

it('forgets delivery ids older than a week', async () => {
  const gateway = createGateway({ store: createMemoryStore(), logger: silentLogger });
  const transport = smsgateTransport();
  let now = Date.UTC(2026, 7, 22);
  await transport.start({ ...gateway.transportHost, clock: { now: () => now } });
  onCleanup(() => transport.stop());
  await transport.store.rememberInbound('device', 'old', now);
  now += INBOUND_MEMORY_MS - 1;
  await transport.store.rememberInbound('device', 'recent', now);
  expect(await transport.forgetOldInbound()).toBe(0);
  now += 2;
  expect(await transport.forgetOldInbound()).toBe(1);
  expect(await transport.store.rememberInbound('device', 'old', now)).toBe(true);
  expect(await transport.store.rememberInbound('device', 'recent', now)).toBe(false);
});

it('keeps what the app may really send: a text over the limit is cut, a malformed time is now', async () => {
  const store = createMemoryStore();
  const gateway = createGateway({ store, logger: silentLogger });
  const transport = smsgateTransport();
  await transport.start(gateway.transportHost);
  const { account, app } = await registeredOn(gateway, () => transport);
  const long = `${'a'.repeat(2045)}😀${'b'.repeat(100)}`;
  const receivedAt = '2026-08-22T17:00:00.000+-5:00';
  const statuses = await app.receiveSms({ from: CONTACT, text: long, receivedAt });
  expect(statuses, app.lastError).toEqual([200]);
  const [stored] = await gateway.messages.list(account.id, { owner: OWNER, contact: CONTACT });
  // 2045 bytes kept (the emoji's 4 bytes would not fit), then the 3-byte ellipsis.
  expect(stored?.content).toBe(`${'a'.repeat(2045)}…`);
  expect(stored?.receivedAt).toBeGreaterThan(Date.parse('2026-12-01T00:00:00Z'));
});
