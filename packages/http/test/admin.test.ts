/**
 * The operator's routes (`/v1/admin/…`): served only with an admin key, only to
 * `Authorization: Bearer <adminKey>`; accounts and their keys for any account, the
 * full key shown once, and a rotated or deleted key refused at once.
 */
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

const ADMIN_KEY = 'adm_0123456789abcdefghijklmnop';
const admin = { key: null, headers: { authorization: `Bearer ${ADMIN_KEY}` } };

describe('admin routes', () => {
  it('do not exist without an admin key, in the router or the OpenAPI document', async () => {
    const { call, api } = await httpSetup();
    const response = await call('GET', '/v1/admin/accounts', admin);
    expect(response.matched).toBe(false);
    const document = api.document() as { paths: Record<string, unknown>; components: object };
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/v1/admin'))).toEqual([]);
    expect(JSON.stringify(document.components)).not.toContain('adminKey');
  });

  it('refuse a missing or wrong admin key, and user keys, with 401', async () => {
    const { call } = await httpSetup({ adminKey: ADMIN_KEY });
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: `Bearer ${ADMIN_KEY}x` },
      { authorization: ADMIN_KEY },
      { authorization: `Basic ${ADMIN_KEY}` },
    ]) {
      const response = await call('GET', '/v1/admin/accounts', { key: null, headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.json.status).toBe('error');
    }
    expect((await call('GET', '/v1/admin/accounts')).status).toBe(401);
    expect((await call('GET', '/v1/admin/accounts', admin)).status).toBe(200);
  });

  it('create an account whose key, shown once, works; list and get it masked', async () => {
    const { call, account, clock } = await httpSetup({ adminKey: ADMIN_KEY });
    clock.advance(1000); // listed oldest first: after the setup's account
    const created = await call('POST', '/v1/admin/accounts', {
      ...admin,
      body: { email: 'new@example.com', timezone: 'Europe/Berlin' },
    });
    expect(created.status).toBe(201);
    const key: string = created.json.data.api_key;
    expect(key).toMatch(/^uk_/);
    expect(created.json.data).toMatchObject({
      email: 'new@example.com',
      timezone: 'Europe/Berlin',
    });
    const me = await call('GET', '/v1/users/me', { key });
    expect(me.json.data.id).toBe(created.json.data.id);

    const list = await call('GET', '/v1/admin/accounts', admin);
    expect(list.json.data.map((a: { id: string }) => a.id)).toEqual([
      account.id,
      created.json.data.id,
    ]);
    expect(JSON.stringify(list.json)).not.toContain(key);
    const one = await call('GET', `/v1/admin/accounts/${created.json.data.id}`, admin);
    expect(one.json.data.api_key).toMatch(/^uk_.+…$/);
    expect(
      (await call('GET', '/v1/admin/accounts', { ...admin, query: 'skip=1' })).json.data,
    ).toHaveLength(1);
  });

  it('answer 422 for a bad e-mail, time zone or id, and 404 for an unknown account', async () => {
    const { call } = await httpSetup({ adminKey: ADMIN_KEY });
    const bad = await call('POST', '/v1/admin/accounts', {
      ...admin,
      body: { email: 'not an address', timezone: 'Mars/Olympus' },
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.json.data).sort()).toEqual(['email', 'timezone']);
    expect((await call('GET', '/v1/admin/accounts/nope', admin)).status).toBe(422);
    const unknown = await call(
      'GET',
      '/v1/admin/accounts/8f4a6d2e-1b3c-4d5e-9f60-7a8b9c0d1e2f/phones',
      admin,
    );
    expect(unknown.status).toBe(404);
  });

  it('rotate an account key: the old one is refused at once, the new one works', async () => {
    const { call, account, apiKey } = await httpSetup({ adminKey: ADMIN_KEY });
    // Remembered by the auth cache first.
    expect((await call('GET', '/v1/users/me', { key: apiKey })).status).toBe(200);
    const rotated = await call('DELETE', `/v1/admin/accounts/${account.id}/api-keys`, admin);
    expect(rotated.status).toBe(200);
    expect((await call('GET', '/v1/users/me', { key: apiKey })).status).toBe(401);
    const fresh: string = rotated.json.data.api_key;
    expect((await call('GET', '/v1/users/me', { key: fresh })).status).toBe(200);
  });

  it('create, list and delete phone keys of an account, and list its phones', async () => {
    const { call, account, phone } = await httpSetup({ adminKey: ADMIN_KEY });
    const path = `/v1/admin/accounts/${account.id}/phone-api-keys`;
    const created = await call('POST', path, {
      ...admin,
      body: { name: 'shop phone', phone_numbers: [OWNER] },
    });
    expect(created.status).toBe(200);
    const key: string = created.json.data.api_key;
    expect(key).toMatch(/^pk_/);
    // The httpSMS app logs in with the key (binding it to the phone), then sends heartbeats.
    const login = await call('PUT', '/v1/phones/fcm-token', {
      key,
      body: { phone_number: OWNER, fcm_token: 'token', sim: 'SIM1' },
    });
    expect(login.status, login.text).toBe(200);
    const heartbeat = () =>
      call('POST', '/v1/heartbeats', { key, body: { phone_numbers: [OWNER], charging: true } });
    expect((await heartbeat()).status).toBe(201);

    const listed = await call('GET', path, admin);
    expect(listed.json.data.map((k: { id: string }) => k.id)).toContain(created.json.data.id);
    expect(JSON.stringify(listed.json)).not.toContain(key);

    const phones = await call('GET', `/v1/admin/accounts/${account.id}/phones`, admin);
    expect(phones.json.data.map((p: { id: string }) => p.id)).toEqual([phone.id]);

    const deleted = await call('DELETE', `${path}/${created.json.data.id}`, admin);
    expect(deleted.status).toBe(204);
    expect((await heartbeat()).status).toBe(401);
  });

  it('are documented with the admin key as their only security', async () => {
    const { api } = await httpSetup({ adminKey: ADMIN_KEY });
    const document = api.document() as {
      paths: Record<string, Record<string, { security: unknown; operationId: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const admins = Object.entries(document.paths).filter(([p]) => p.startsWith('/v1/admin'));
    expect(admins.map(([p]) => p).sort()).toEqual([
      '/v1/admin/accounts',
      '/v1/admin/accounts/{userID}',
      '/v1/admin/accounts/{userID}/api-keys',
      '/v1/admin/accounts/{userID}/phone-api-keys',
      '/v1/admin/accounts/{userID}/phone-api-keys/{phoneAPIKeyID}',
      '/v1/admin/accounts/{userID}/phones',
    ]);
    for (const [, operations] of admins) {
      for (const op of Object.values(operations)) expect(op.security).toEqual([{ adminKey: [] }]);
    }
    expect(document.components.securitySchemes.adminKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });
});
