/**
 * A key revoked on one node stops working over HTTP on every node at once: the
 * revocation is announced on the notifier, and each HTTP API forgets the keys it
 * remembered (otherwise another node would accept the old key for `authCacheMs`).
 */

import {
  createGateway,
  createLocalNotifier,
  createMemoryStore,
  silentLogger,
} from '@textport/core';
import { describe, expect, it } from 'vitest';
import { createHttpApi } from '../src/index.js';

/** Two gateway nodes on one store and notifier; node B serves HTTP and remembers keys for 60 s. */
function twoNodes() {
  const store = createMemoryStore();
  const notifier = createLocalNotifier();
  const nodeA = createGateway({ store, notifier, logger: silentLogger });
  const nodeB = createGateway({ store, notifier, logger: silentLogger });
  return { nodeA, nodeB, apiB: createHttpApi(nodeB, { authCacheMs: 60_000 }) };
}

describe('key revocation over HTTP, across nodes', () => {
  it('the other node refuses a rotated user key and a deleted phone key on the next request', async () => {
    const { nodeA, apiB } = twoNodes();
    const { record: account, apiKey } = await nodeA.accounts.create();
    const phoneKey = await nodeA.accounts.createPhoneKey(account.id, { name: 'phone' });
    const get = (key: string, path: string) =>
      apiB.handle({ method: 'GET', path, headers: { 'x-api-key': key } });

    expect((await get(apiKey, '/v1/phones'))?.status).toBe(200);
    const outstanding = '/v1/messages/outstanding';
    const query = { message_id: '00000000-0000-4000-8000-000000000000' };
    const asPhone = () =>
      apiB.handle({
        method: 'GET',
        path: outstanding,
        query,
        headers: { 'x-api-key': phoneKey.apiKey },
      });
    expect((await asPhone())?.status).toBe(404);

    await nodeA.accounts.rotateApiKey(account.id);
    expect((await get(apiKey, '/v1/phones'))?.status).toBe(401);
    await nodeA.accounts.deletePhoneKey(account.id, phoneKey.record.id);
    expect((await asPhone())?.status).toBe(401);
  });

  it('a number taken by another key, or whose phone is deleted, stops working for the old key there', async () => {
    const { nodeA, apiB } = twoNodes();
    const { record: account } = await nodeA.accounts.create();
    const login = async (gateway: typeof nodeA, apiKey: string, phoneNumber: string) => {
      const principal = await gateway.accounts.authenticate(apiKey);
      if (!principal) throw new Error('no principal');
      return gateway.phoneApi.updateFcmToken(principal, { phoneNumber, fcmToken: 'tok' });
    };
    const first = await nodeA.accounts.createPhoneKey(account.id, { name: 'first' });
    const second = await nodeA.accounts.createPhoneKey(account.id, { name: 'second' });
    await login(nodeA, first.apiKey, '+18005550101');
    const phone = await login(nodeA, first.apiKey, '+18005550102');
    const heartbeat = (key: string, number: string) =>
      apiB.handle({
        method: 'POST',
        path: '/v1/heartbeats',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ phone_numbers: [number], charging: true })),
      });
    expect((await heartbeat(first.apiKey, '+18005550101'))?.status).toBe(201);
    expect((await heartbeat(first.apiKey, '+18005550102'))?.status).toBe(201);

    await login(nodeA, second.apiKey, '+18005550101');
    expect((await heartbeat(first.apiKey, '+18005550101'))?.status).toBe(401);
    await nodeA.phones.delete(account.id, phone.id);
    expect((await heartbeat(first.apiKey, '+18005550102'))?.status).toBe(401);
  });

  it('a key check answered after a revocation is not remembered: the next request asks again', async () => {
    const { nodeA, nodeB, apiB } = twoNodes();
    const { record: account, apiKey } = await nodeA.accounts.create();
    // Node B's key check reads the store, then waits (a slow answer) while the key is revoked.
    const check = nodeB.accounts.authenticate.bind(nodeB.accounts);
    let read: () => void = () => {};
    const wasRead = new Promise<void>((resolve) => {
      read = resolve;
    });
    let release: () => void = () => {};
    let gate: Promise<void> | null = new Promise<void>((resolve) => {
      release = resolve;
    });
    nodeB.accounts.authenticate = async (key: string) => {
      const principal = await check(key);
      read();
      if (gate) await gate;
      return principal;
    };
    const get = () =>
      apiB.handle({ method: 'GET', path: '/v1/phones', headers: { 'x-api-key': apiKey } });

    const before = get();
    await wasRead;
    await nodeA.accounts.rotateApiKey(account.id);
    release();
    gate = null;
    expect((await before)?.status, 'asked before the revocation').toBe(200);
    expect((await get())?.status, 'asked after it').toBe(401);
  });
});
