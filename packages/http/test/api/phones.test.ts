import { describe, expect, it } from 'vitest';
import { appSetup, OWNER } from './helpers.js';

describe('phones', () => {
  it('lists phones (limit above 20 accepted)', async () => {
    const t = await appSetup();
    const r = await t.call('get', '/v1/phones?limit=100');
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('fetched 1 phone');
    expect(r.body.data[0]).toMatchObject({
      id: t.phone.id,
      phone_number: OWNER,
      messages_per_minute: 10,
    });
  });

  it('upserts: only the settings present in the body change', async () => {
    const t = await appSetup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      fcmToken: 'tok',
      sim: 'SIM2',
    });
    const r = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, messages_per_minute: 30 });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('phone updated successfully');
    expect(r.body.data).toMatchObject({
      messages_per_minute: 30,
      fcm_token: 'tok',
      sim: 'SIM2',
      max_send_attempts: 2,
    });
    const more = await t.call('put', '/v1/phones').send({
      phone_number: OWNER,
      messages_per_minute: 0,
      max_send_attempts: 4,
      message_expiration_seconds: 900,
      missed_call_auto_reply: '  Call you back  ',
      unarchive_thread: true,
      fcm_token: null,
    });
    expect(more.body.data).toMatchObject({
      messages_per_minute: 30,
      max_send_attempts: 4,
      message_expiration_seconds: 900,
      missed_call_auto_reply: 'Call you back',
      unarchive_thread: true,
      fcm_token: null,
    });
    const blank = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, missed_call_auto_reply: ' ' });
    expect(blank.body.data.missed_call_auto_reply).toBe('Call you back');
  });

  it('creates a phone for a new number; refuses bad settings (422) and wrong JSON types (400)', async () => {
    const t = await appSetup();
    const created = await t
      .call('put', '/v1/phones')
      .send({ phone_number: '+1 800 555 0188', sim: 'SIM2' });
    expect(created.body.data).toMatchObject({ phone_number: '+18005550188', sim: 'SIM2' });
    const bad = await t.call('put', '/v1/phones').send({
      phone_number: OWNER,
      messages_per_minute: 61,
      message_expiration_seconds: 10,
      sim: 'SIM9',
      message_send_schedule_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.data).sort()).toEqual([
      'message_expiration_seconds',
      'messages_per_minute',
      'sim',
    ]);
    const foreign = await t.call('put', '/v1/phones').send({
      phone_number: OWNER,
      message_send_schedule_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(foreign.body.data.message_send_schedule_id[0]).toContain('does not belong');
    expect(
      (await t.call('put', '/v1/phones').send({ phone_number: OWNER, max_send_attempts: -1 }))
        .status,
    ).toBe(400);
  });

  it('deletes a phone: 200 with data null, then 404; 422 for a bad id', async () => {
    const t = await appSetup();
    const r = await t.call('delete', `/v1/phones/${t.phone.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'success',
      message: 'phone deleted successfully',
      data: null,
    });
    expect((await t.call('delete', `/v1/phones/${t.phone.id}`)).status).toBe(404);
    expect((await t.call('delete', '/v1/phones/123')).status).toBe(422);
  });

  it('lists heartbeats of a number (owner required)', async () => {
    const t = await appSetup();
    await t.gateway.phoneApi.heartbeat(
      { accountId: t.account.id, kind: 'user', keyId: null, phoneNumbers: null },
      { phoneNumbers: [OWNER], version: 'v1' },
    );
    const r = await t.call('get', `/v1/heartbeats?owner=${encodeURIComponent(OWNER)}`);
    expect(r.body).toMatchObject({
      message: 'fetched 1 heartbeat',
      data: [{ owner: OWNER, version: 'v1' }],
    });
    const missing = await t.call('get', '/v1/heartbeats');
    expect(missing.status).toBe(422);
    expect(missing.body.data).toEqual({ owner: ['The owner field is required'] });
  });
});

describe('phone API keys', () => {
  it('creates (200, full key once), lists masked, with or without the trailing slash', async () => {
    const t = await appSetup();
    const created = await t.call('post', '/v1/phone-api-keys/').send({ name: 'Pixel' });
    expect(created.status).toBe(200);
    expect(created.body.message).toBe('phone API key created successfully');
    expect(created.body.data).toMatchObject({
      name: 'Pixel',
      user_id: t.account.id,
      user_email: 'ops@example.com',
      phone_numbers: [],
    });
    expect(created.body.data.api_key).toMatch(/^pk_[A-Za-z0-9_-]{64}$/);
    const list = await t.call('get', '/v1/phone-api-keys?limit=100');
    expect(list.body.message).toBe('fetched 1 phone API key');
    expect(list.body.data[0].api_key).toBe(`${created.body.data.api_key.slice(0, 7)}…`);
    expect((await t.call('get', '/v1/phone-api-keys/')).status).toBe(200);
    expect((await t.call('post', '/v1/phone-api-keys').send({ name: '' })).status).toBe(422);
  });

  it('a key created with phone_numbers logs in only for them (401 for another number)', async () => {
    const t = await appSetup();
    const created = await t.call('post', '/v1/phone-api-keys').send({
      name: 'Pixel',
      phone_numbers: [OWNER],
    });
    expect(created.status).toBe(200);
    expect(created.body.data.allowed_phone_numbers).toEqual([OWNER]);
    const as: string = created.body.data.api_key;
    const other = await t
      .call('put', '/v1/phones/fcm-token', as)
      .send({ phone_number: '+18005550177', fcm_token: 't', sim: 'SIM1' });
    expect(other.status).toBe(401);
    expect(other.body.status).toBe('error');
    await t
      .call('put', '/v1/phones/fcm-token', as)
      .send({ phone_number: OWNER, fcm_token: 't', sim: 'SIM1' })
      .expect(200);
    const bad = await t
      .call('post', '/v1/phone-api-keys')
      .send({ name: 'x', phone_numbers: ['x'] });
    expect(bad.status).toBe(422);
    expect(bad.body.data.phone_numbers).toBeDefined();
  });

  it('unbinds a phone (204) and deletes a key (204, then 404); the deleted key stops working', async () => {
    const t = await appSetup();
    const pk = await t.phoneKey();
    await t
      .call('put', '/v1/phones/fcm-token', pk)
      .send({ phone_number: OWNER, fcm_token: 't', sim: 'SIM1' })
      .expect(200);
    const [key] = await t.gateway.accounts.listPhoneKeys(t.account.id);
    const id = key?.id ?? '';
    const unbind = await t.call('delete', `/v1/phone-api-keys/${id}/phones/${t.phone.id}`);
    expect(unbind.status).toBe(204);
    expect((await t.gateway.accounts.listPhoneKeys(t.account.id))[0]?.phoneNumbers).toEqual([]);
    expect((await t.call('delete', `/v1/phone-api-keys/${id}`)).status).toBe(204);
    expect((await t.call('delete', `/v1/phone-api-keys/${id}`)).status).toBe(404);
    expect(
      (await t.call('put', '/v1/phones/fcm-token', pk).send({ phone_number: OWNER })).status,
    ).toBe(401);
    expect((await t.call('delete', `/v1/phone-api-keys/${id}/phones/nope`)).status).toBe(422);
    expect((await t.call('delete', '/v1/phone-api-keys/nope')).status).toBe(422);
  });
});

describe('users', () => {
  it('shows the account with the key masked, and updates time zone and active phone', async () => {
    const t = await appSetup();
    const me = await t.call('get', '/v1/users/me');
    expect(me.body).toMatchObject({
      message: 'user fetched successfully',
      data: { id: t.account.id, email: 'ops@example.com' },
    });
    expect(me.body.data.api_key).toBe(`${t.apiKey.slice(0, 7)}…`);
    const updated = await t
      .call('put', '/v1/users/me')
      .send({ timezone: 'Africa/Nairobi', active_phone_id: t.phone.id });
    expect(updated.body.data).toMatchObject({
      timezone: 'Africa/Nairobi',
      active_phone_id: t.phone.id,
    });
    const kept = await t.call('put', '/v1/users/me').send({});
    expect(kept.body.data).toMatchObject({
      timezone: 'Africa/Nairobi',
      active_phone_id: t.phone.id,
    });
    const bad = await t
      .call('put', '/v1/users/me')
      .send({ timezone: 'Mars/Base', active_phone_id: 'x' });
    expect(Object.keys(bad.body.data).sort()).toEqual(['active_phone_id', 'timezone']);
  });

  it('rotates the key: the answer holds the new key, the old one gets 401', async () => {
    const t = await appSetup();
    const r = await t.call('delete', `/v1/users/${t.account.id}/api-keys`);
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('API Key rotated successfully');
    const fresh = r.body.data.api_key as string;
    expect(fresh).toMatch(/^uk_/);
    expect((await t.call('get', '/v1/users/me')).status).toBe(401);
    expect((await t.call('get', '/v1/users/me', fresh)).status).toBe(200);
    const other = await t.otherAccount();
    expect((await t.call('delete', `/v1/users/${other.account.id}/api-keys`, fresh)).status).toBe(
      401,
    );
  });
});
