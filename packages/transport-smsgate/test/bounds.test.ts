/** Bounds that must hold when many devices call at once: streams per node, devices per account. */
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryStore } from '@textport/core';
import { expect, it } from 'vitest';
import { DEFAULT_SMSGATE_OPTIONS, memoryStore, smsgateTransport } from '../src/index.js';
import { accountWithKey, fakeApp, smsgateNode, userApiOn } from './helpers.js';

it('holds maxStreams when devices connect at once while the phone lookup is slow', async () => {
  const store = createMemoryStore();
  const find = store.findPhoneByNumber.bind(store);
  Object.assign(store, {
    async findPhoneByNumber(...args: Parameters<typeof find>) {
      await sleep(30);
      return find(...args);
    },
  });
  const n = await smsgateNode({ store, transport: { maxStreams: 1 } });
  const apps = [];
  for (let i = 0; i < 5; i++) {
    const { phoneKey } = await accountWithKey(n);
    const app = fakeApp(n, { reconnectDelayMs: 60_000 });
    expect(await app.register(phoneKey)).toBe(201);
    apps.push(app);
  }
  const statuses = await Promise.all(apps.map((app) => app.connect()));
  expect([...statuses].sort()).toEqual([200, 503, 503, 503, 503]);
  expect(n.transport.stats().streams).toBe(1);
  // The refused ones left no room held: once the stream closes, another opens.
  await apps[statuses.indexOf(200)]?.close();
  const open = apps.find((app) => !app.connected);
  await expect.poll(() => n.transport.stats().streams).toBe(0);
  expect(await open?.connect()).toBe(200);
});

it('refuses registrations beyond maxDevicesPerAccount with 429 until a device is deleted', async () => {
  // A slow device count: registrations arriving at once would all see room.
  const store = memoryStore();
  const list = store.listDevices.bind(store);
  store.listDevices = async (accountId) => {
    const devices = await list(accountId);
    await sleep(20);
    return devices;
  };
  const n = await smsgateNode({ transport: { store, maxDevicesPerAccount: 3 } });
  const { account, phoneKey } = await accountWithKey(n);
  const apps = Array.from({ length: 10 }, () => fakeApp(n));
  const statuses = await Promise.all(apps.map((app) => app.register(phoneKey)));
  expect([...statuses].sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
  expect(await n.transport.store.listDevices(account.id)).toHaveLength(3);

  const refused = await fetch(`${n.mobile}/device`, {
    method: 'POST',
    headers: { authorization: `Bearer ${phoneKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'one more' }),
  });
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
  const { message } = (await refused.json()) as { message: string };
  expect(message).toMatch(/at most 3 devices/);
  expect(message).toMatch(/DELETE \/3rdparty\/v1\/devices\/\{id\}/);

  const user = await userApiOn(n, account.id);
  const registered = apps[statuses.indexOf(201)];
  expect((await user('DELETE', `/devices/${registered?.deviceId}`)).status).toBe(204);
  expect(await fakeApp(n).register(phoneKey)).toBe(201);
  expect(await n.transport.store.listDevices(account.id)).toHaveLength(3);
});

it('bounds devices per account by default (100), each account on its own', async () => {
  expect(DEFAULT_SMSGATE_OPTIONS.maxDevicesPerAccount).toBe(100);
  const n = await smsgateNode({ transport: { maxDevicesPerAccount: 1 } });
  const first = await accountWithKey(n);
  const second = await accountWithKey(n);
  expect(await fakeApp(n).register(first.phoneKey)).toBe(201);
  expect(await fakeApp(n).register(first.phoneKey)).toBe(429);
  expect(await fakeApp(n).register(second.phoneKey)).toBe(201);
});

it('checks maxDevicesPerAccount', () => {
  expect(() => smsgateTransport({ maxDevicesPerAccount: 0 })).toThrow(
    /maxDevicesPerAccount: must be an integer from 1/,
  );
});
