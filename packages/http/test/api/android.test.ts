/**
 * Replays the httpSMS Android app's calls as it makes them (docs/android-app.md, How the app and the server talk):
 * `x-api-key`, `X-Client-Version`, `Content-Type: application/json; charset=utf-8`,
 * bodies written from the app's string templates (Klaxon for receive).
 */
import { GatewayError } from '@textport/core';
import { describe, expect, it, vi } from 'vitest';
import { type App, appSetup, CONTACT, OWNER, seedMessage } from './helpers.js';

const VERSION = 'a1b2c3d';
const JSON_UTF8 = 'application/json; charset=utf-8';
const STAMP = '2026-11-24T12:00:05.435000000Z';

function app(t: App, method: 'get' | 'post' | 'put', path: string, key: string) {
  const call = t.call(method, path, key).set('X-Client-Version', VERSION);
  return method === 'get' ? call : call.set('Content-Type', JSON_UTF8);
}

async function login(t: App, key: string, number = OWNER, sim = 'SIM1') {
  return app(t, 'put', '/v1/phones/fcm-token', key).send(
    `{"fcm_token": "fcm-token-123", "phone_number": "${number}", "sim": "${sim}"}`,
  );
}

const REQUIRED = [
  'id',
  'owner',
  'contact',
  'content',
  'sim',
  'type',
  'status',
  'created_at',
  'updated_at',
  'order_timestamp',
  'request_received_at',
];
const NULLABLE = ['failure_reason', 'last_attempted_at', 'received_at', 'sent_at', 'send_time'];

describe('Android app: login and outstanding messages', () => {
  it('logs in with a phone key: binds the number and returns data.id and data.user_id', async () => {
    const t = await appSetup();
    const pk = await t.phoneKey();
    const r = await login(t, pk);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'success', message: 'FCM token updated successfully' });
    expect(r.body.data).toMatchObject({
      id: t.phone.id,
      user_id: t.account.id,
      fcm_token: 'fcm-token-123',
      sim: 'SIM1',
    });
    const [key] = await t.gateway.accounts.listPhoneKeys(t.account.id);
    expect(key?.phoneNumbers).toEqual([OWNER]);
    expect((await login(t, 'pk_unknown')).status).toBe(401);
  });

  it('takes an outstanding message with every field the app needs', async () => {
    const t = await appSetup();
    const pk = await t.phoneKey();
    await login(t, pk);
    const m = await seedMessage(t);
    const r = await app(t, 'get', `/v1/messages/outstanding?message_id=${m.id}`, pk);
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('outstanding message fetched successfully');
    const data = r.body.data;
    for (const key of REQUIRED) expect(data[key], key).toEqual(expect.any(String));
    expect(typeof data.encrypted).toBe('boolean');
    for (const key of NULLABLE) expect(data, key).toHaveProperty(key);
    for (const key of ['failure_reason', 'received_at', 'sent_at', 'send_time'])
      expect(data[key]).toBeNull();
    expect(data.last_attempted_at).toBe('2026-11-24T12:00:00Z');
    expect(data.status).toBe('sending');
    expect((await app(t, 'get', `/v1/messages/outstanding?message_id=${m.id}`, pk)).status).toBe(
      404,
    );
  });

  it('scopes a phone key to its numbers', async () => {
    const t = await appSetup();
    const pk = await t.phoneKey();
    await login(t, pk);
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550188' });
    const other = await t.gateway.messages.send(t.account.id, {
      from: '+18005550188',
      to: CONTACT,
      content: 'x',
    });
    expect(
      (await app(t, 'get', `/v1/messages/outstanding?message_id=${other.id}`, pk)).status,
    ).toBe(404);
    const beat = await app(t, 'post', '/v1/heartbeats', pk).send(
      '{"charging": true, "phone_numbers": ["+18005550188"]}',
    );
    expect(beat.status).toBe(401);
    expect(beat.body.data).toContain(`only configured for these phone numbers [${OWNER}]`);
    expect((await app(t, 'get', '/v1/phones', pk)).status).toBe(401);
  });
});

describe('Android app: events', () => {
  async function taken(t: App, key: string) {
    const m = await seedMessage(t);
    await app(t, 'get', `/v1/messages/outstanding?message_id=${m.id}`, key).expect(200);
    return m;
  }

  it('stores SENT then DELIVERED with the phone timestamps', async () => {
    const t = await appSetup();
    const m = await taken(t, t.apiKey);
    const sent = await app(t, 'post', `/v1/messages/${m.id}/events`, t.apiKey).send(
      `{"event_name": "SENT", "reason": null, "timestamp": "${STAMP}"}`,
    );
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      message: 'message event stored successfully',
      data: { status: 'sent', sent_at: '2026-11-24T12:00:05.435Z' },
    });
    const delivered = await app(t, 'post', `/v1/messages/${m.id}/events`, t.apiKey).send(
      '{"event_name": "DELIVERED", "reason": null, "timestamp": "2026-11-24T12:00:09.000000000Z"}',
    );
    expect(delivered.body.data.status).toBe('delivered');
  });

  it('reads a FAILED body the template broke with quotes in the reason', async () => {
    const t = await appSetup();
    const m = await taken(t, t.apiKey);
    const r = await app(t, 'post', `/v1/messages/${m.id}/events`, t.apiKey).send(
      `{"event_name": "FAILED", "reason": "java.lang.Exception: "boom" at line 1", "timestamp": "${STAMP}"}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      status: 'failed',
      failure_reason: 'java.lang.Exception: "boom" at line 1',
    });
  });

  it('answers 404 for an unknown id, 204 for a part id with a dot, 422 for a bad event', async () => {
    const t = await appSetup();
    const unknown = await app(
      t,
      'post',
      '/v1/messages/00000000-0000-4000-8000-000000000000/events',
      t.apiKey,
    ).send(`{"event_name": "SENT", "reason": null, "timestamp": "${STAMP}"}`);
    expect(unknown.status).toBe(404);
    const part = await app(
      t,
      'post',
      '/v1/messages/00000000-0000-4000-8000-000000000000.1/events',
      t.apiKey,
    ).send(`{"event_name": "SENT", "reason": null, "timestamp": "${STAMP}"}`);
    expect(part.status).toBe(204);
    expect(part.text).toBe('');
    const m = await taken(t, t.apiKey);
    const bad = await app(t, 'post', `/v1/messages/${m.id}/events`, t.apiKey).send(
      `{"event_name": "READ", "timestamp": "${STAMP}"}`,
    );
    expect(bad.status).toBe(422);
  });
});

describe('Android app: incoming', () => {
  const received = (extra = '') =>
    `{"attachments": null, "content": "Habari", "encrypted": false, "from": "MPESA", "sim": "SIM1", "timestamp": "${STAMP}", "to": "${OWNER}"${extra}}`;

  it('stores a received SMS (200) and an MMS whose files are served publicly', async () => {
    const t = await appSetup();
    const sms = await app(t, 'post', '/v1/messages/receive', t.apiKey).send(received());
    expect(sms.status).toBe(200);
    expect(sms.body).toMatchObject({
      message: 'message received successfully',
      data: { type: 'mobile-originated', status: 'received', contact: 'MPESA', attachments: [] },
    });
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const mms = await app(t, 'post', '/v1/messages/receive', t.apiKey).send({
      from: CONTACT,
      to: OWNER,
      content: '',
      encrypted: false,
      sim: 'SIM2',
      timestamp: STAMP,
      attachments: [{ name: 'photo 1.png', content_type: 'image/png', content: png }],
    });
    expect(mms.status).toBe(200);
    const [url] = mms.body.data.attachments as string[];
    expect(url).toMatch(/^\/v1\/attachments\/.+\/0\/photo-1\.png$/);
    const file = await t.call('get', url ?? '', null);
    expect(file.status).toBe(200);
    expect(file.headers).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': 'attachment',
      'x-content-type-options': 'nosniff',
    });
    expect(Buffer.from(file.body).toString('base64')).toBe(png);
    const missing = await t.call('get', '/v1/attachments/a/b/0/none.png', null);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ status: 'error', message: 'attachment not found' });
  });

  it('answers 422 for bad input, 500 for a store failure (so the app retries)', async () => {
    const t = await appSetup();
    const bad = await app(t, 'post', '/v1/messages/receive', t.apiKey).send(
      `{"attachments": null, "content": "", "encrypted": false, "from": "", "sim": "SIM3", "timestamp": "${STAMP}", "to": "nope"}`,
    );
    expect(bad.status).toBe(422);
    vi.spyOn(t.store, 'transaction').mockRejectedValueOnce(new Error('database is locked'));
    expect((await app(t, 'post', '/v1/messages/receive', t.apiKey).send(received())).status).toBe(
      500,
    );
    // A conflict is run again (a race on a new thread); one that persists is a 500.
    const conflict = new GatewayError('conflict', 'duplicate id');
    const spy = vi.spyOn(t.store, 'transaction');
    for (let i = 0; i < 3; i++) spy.mockRejectedValueOnce(conflict);
    expect((await app(t, 'post', '/v1/messages/receive', t.apiKey).send(received())).status).toBe(
      500,
    );
    spy.mockRejectedValueOnce(conflict);
    expect((await app(t, 'post', '/v1/messages/receive', t.apiKey).send(received())).status).toBe(
      200,
    );
    expect((await app(t, 'post', '/v1/messages/receive', t.apiKey).send(received())).status).toBe(
      200,
    );
  });

  it('stores a missed call', async () => {
    const t = await appSetup();
    const r = await app(t, 'post', '/v1/messages/calls/missed', t.apiKey).send(
      `{"sim": "SIM1", "from": "${CONTACT}", "timestamp": "${STAMP}", "to": "${OWNER}"}`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      message: 'missed call event stored successfully',
      data: { type: 'call/missed', content: '' },
    });
  });

  it('answers 422 for bad input on every phone route', async () => {
    const t = await appSetup();
    const k = t.apiKey;
    expect((await app(t, 'get', '/v1/messages/outstanding', k)).body.data).toEqual({
      message_id: ['The message_id field is required'],
    });
    expect((await app(t, 'get', '/v1/messages/outstanding?message_id=x', k)).status).toBe(422);
    const missed = await app(t, 'post', '/v1/messages/calls/missed', k).send(
      '{"sim": "SIM1", "from": "", "to": "x"}',
    );
    expect(Object.keys(missed.body.data).sort()).toEqual(['from', 'to']);
    const token = await app(t, 'put', '/v1/phones/fcm-token', k).send(
      `{"fcm_token": "${'x'.repeat(1001)}", "phone_number": "12", "sim": "SIM9"}`,
    );
    expect(Object.keys(token.body.data).sort()).toEqual(['fcm_token', 'phone_number', 'sim']);
    const beats = await app(t, 'post', '/v1/heartbeats', k).send(
      '{"charging": true, "phone_numbers": []}',
    );
    expect(beats.status).toBe(422);
    expect((await app(t, 'post', '/v1/heartbeats', k).send('{"charging": "yes"}')).status).toBe(
      400,
    );
  });

  it('stores heartbeats (201) from phone_numbers and from the legacy owner, version from the header', async () => {
    const t = await appSetup();
    const pk = await t.phoneKey();
    await login(t, pk);
    const r = await app(t, 'post', '/v1/heartbeats', pk).send(
      `{"charging": true, "phone_numbers": ["${OWNER}"]}`,
    );
    expect(r.status).toBe(201);
    expect(r.body.message).toBe('[1] heartbeats received successfully');
    expect(r.body.data[0]).toMatchObject({
      owner: OWNER,
      version: VERSION,
      charging: true,
      user_id: t.account.id,
    });
    const legacy = await app(t, 'post', '/v1/heartbeats', pk).send(
      `{"charging": false, "owner": "${OWNER}"}`,
    );
    expect(legacy.status).toBe(201);
    const list = await t.call('get', `/v1/heartbeats?owner=${encodeURIComponent(OWNER)}&limit=5`);
    expect(list.body.message).toBe('fetched 2 heartbeats');
  });
});
