/** Pools over HTTP: the /v1/pools routes, sends that name a pool (or none), and their 4xx answers. */
import { describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from './helpers.js';

const SECOND = '+18005550122';

async function withPool() {
  const t = await httpSetup();
  const phones = [];
  for (const phone_number of [OWNER, SECOND]) {
    const r = await t.call('PUT', '/v1/phones', { body: { phone_number } });
    expect(r.status).toBe(200);
    phones.push(r.json.data);
  }
  const created = await t.call('POST', '/v1/pools', {
    body: { name: 'Senders', phone_ids: phones.map((p) => p.id), is_default: true },
  });
  return { ...t, phones, created };
}

describe('/v1/pools', () => {
  it('creates, lists, gets, replaces and deletes a pool', async () => {
    const t = await withPool();
    expect(t.created.status).toBe(201);
    const pool = t.created.json.data;
    expect(t.created.json).toMatchObject({
      message: 'pool created successfully',
      data: { user_id: t.account.id, name: 'Senders', is_default: true },
    });
    expect([...pool.phone_ids].sort()).toEqual(t.phones.map((p) => p.id).sort());
    const phones = await t.call('GET', '/v1/phones');
    for (const p of phones.json.data) expect(p.pool_id).toBe(pool.id);

    expect((await t.call('GET', '/v1/pools')).json.data.map((p: { id: string }) => p.id)).toEqual([
      pool.id,
    ]);
    expect((await t.call('GET', `/v1/pools/${pool.id}`)).json.data).toEqual(pool);

    const replaced = await t.call('PUT', `/v1/pools/${pool.id}`, {
      body: { name: 'Just one', phone_ids: [t.phones[0].id] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.data).toMatchObject({
      name: 'Just one',
      is_default: false,
      phone_ids: [t.phones[0].id],
    });

    expect((await t.call('DELETE', `/v1/pools/${pool.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1/pools/${pool.id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/v1/pools/${pool.id}`)).status).toBe(404);
    expect((await t.call('GET', '/v1/pools/not-a-uuid')).status).toBe(422);
  });

  it('answers 422 for a member that is not one of the account phones, and a missing name', async () => {
    const t = await withPool();
    const stranger = await t.call('POST', '/v1/pools', {
      body: { name: 'x', phone_ids: ['3f2504e0-4f89-41d3-9a0c-0305e82c3301'] },
    });
    expect(stranger.status).toBe(422);
    expect(stranger.json.data).toHaveProperty('phone_ids');
    const unnamed = await t.call('POST', '/v1/pools', { body: { name: ' ', phone_ids: [] } });
    expect(unnamed.status).toBe(422);
    expect(unnamed.json.data).toHaveProperty('name');
    const wrongType = await t.call('POST', '/v1/pools', { body: { name: 'x', phone_ids: 'a' } });
    expect(wrongType.status).toBe(400);
  });

  it('sends through a pool by pool_id, by from pool:<id> and by no from (the default pool)', async () => {
    const t = await withPool();
    const pool = t.created.json.data;
    const numbers = [OWNER, SECOND];
    for (const body of [
      { pool_id: pool.id, to: CONTACT, content: 'a' },
      { from: `pool:${pool.id}`, to: CONTACT, content: 'b' },
      { to: CONTACT, content: 'c' },
    ]) {
      const sent = await t.call('POST', '/v1/messages/send', { body });
      expect(sent.status).toBe(200);
      expect(numbers).toContain(sent.json.data.owner);
    }
    const bulk = await t.call('POST', '/v1/messages/bulk-send', {
      body: { to: ['+18005550180', '+18005550181', '+18005550182'], content: 'hi' },
    });
    expect(bulk.status).toBe(200);
    for (const m of bulk.json.data) expect(numbers).toContain(m.owner);
    const both = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, pool_id: pool.id, to: CONTACT, content: 'x' },
    });
    expect(both.status).toBe(422);
    expect(both.json.data).toHaveProperty('pool_id');
    const unknown = await t.call('POST', '/v1/messages/send', {
      body: { pool_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', to: CONTACT, content: 'x' },
    });
    expect(unknown.status).toBe(422);
    await t.call('DELETE', `/v1/pools/${pool.id}`);
    const noDefault = await t.call('POST', '/v1/messages/send', {
      body: { to: CONTACT, content: 'x' },
    });
    expect(noDefault.status).toBe(422);
    expect(noDefault.json.data.from).toEqual(['The from field is required']);
  });
});

describe('priority and validity on /v1/messages/send', () => {
  it('takes priority, ttl and valid_until, and answers 422 under the wrong field', async () => {
    const t = await httpSetup();
    const ok = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'x', priority: 100, ttl: 60 },
    });
    expect(ok.status).toBe(200);
    const stored = await t.gateway.messages.get(t.account.id, ok.json.data.id);
    expect(stored.priority).toBe(100);
    expect(stored.validUntil).toBe(stored.requestReceivedAt + 60_000);
    for (const [extra, field] of [
      [{ priority: 300 }, 'priority'],
      [{ ttl: 1 }, 'ttl'],
      [{ valid_until: '2001-01-01T00:00:00Z' }, 'valid_until'],
      [{ ttl: 60, valid_until: '2999-01-01T00:00:00Z' }, 'valid_until'],
    ] as const) {
      const bad = await t.call('POST', '/v1/messages/send', {
        body: { from: OWNER, to: CONTACT, content: 'x', ...extra },
      });
      expect(bad.status, JSON.stringify(extra)).toBe(422);
      expect(Object.keys(bad.json.data)).toEqual([field]);
    }
  });
});
