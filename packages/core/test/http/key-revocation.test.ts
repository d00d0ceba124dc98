/**
 * A key revoked on one node stops working over HTTP on every node at once: the
 * revocation is announced on the notifier, and each HTTP API forgets the keys it
 * remembered (otherwise another node would accept the old key for `authCacheMs`).
 */
import { describe, expect, it } from 'vitest';
import { createHttpApi } from '../../src/http/index.js';
import { createGateway, createLocalNotifier, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

describe('key revocation over HTTP, across nodes', () => {
  it('the other node refuses a rotated user key and a deleted phone key on the next request', async () => {
    const store = createMemoryStore();
    const notifier = createLocalNotifier();
    const nodeA = createGateway({ store, notifier, logger: silentLogger });
    const nodeB = createGateway({ store, notifier, logger: silentLogger });
    const apiB = createHttpApi(nodeB, { authCacheMs: 60_000 });
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
});
