/**
 * Bad input on every route of the SMSGate user API: a 4xx with `{"message"}`, and
 * nothing written (no textport message, group, webhook, setting or device event).
 */
import { createMemoryStore, type MemoryStore, memoryRawReader, type Store } from '@textport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_ID, START, userSetup } from './user-helpers.js';

let t: Awaited<ReturnType<typeof userSetup>>;
beforeAll(async () => {
  t = await userSetup({ api: { maxBodyBytes: 4096 } });
  // Something to keep: a stored setting and webhook, which bad writes must not touch.
  await t.call('PUT', '/settings', {
    body: { messages: { send_interval_min: 2, send_interval_max: 4 } },
  });
  await t.call('POST', '/webhooks', {
    body: { id: 'keep', url: 'https://a.example/h', event: 'sms:sent' },
  });
  t.told.length = 0;
});
afterAll(async () => {
  await t.close();
});

async function snapshot() {
  return {
    messages: await memoryRawReader(t.store as MemoryStore).countMessages(t.account.id),
    groups: (await t.smsgate.listGroups({ accountId: t.account.id, skip: 0, limit: 1000 })).total,
    webhooks: await t.smsgate.listWebhooks(t.account.id),
    settings: await t.smsgate.getSettings(t.account.id),
    devices: (await t.smsgate.listDevices(t.account.id)).length,
    told: t.told.length,
  };
}

const TO = '+18005550100';
const text = (extra: Record<string, unknown>) => ({ message: 'hi', phoneNumbers: [TO], ...extra });
const future = new Date(START + 60_000).toISOString();
const past = new Date(START - 60_000).toISOString();
const hundredOne = Array.from({ length: 101 }, (_, i) => `+1800555${String(1000 + i)}`);

type Case = [
  name: string,
  method: string,
  path: string,
  body: unknown,
  status: number,
  message?: RegExp,
];

const cases: Case[] = [
  ['bad JSON', 'POST', '/messages', '{"message":', 400, /valid JSON/],
  ['array body', 'POST', '/messages', '[]', 400, /JSON object/],
  ['NUL in text', 'POST', '/messages', text({ message: 'a\u0000b' }), 400, /NUL/],
  [
    'lone surrogate',
    'POST',
    '/messages',
    '{"message":"\\ud800","phoneNumbers":["+18005550100"]}',
    400,
    /surrogate/,
  ],
  ['no content', 'POST', '/messages', { phoneNumbers: [TO] }, 400, /No message content/],
  ['two contents', 'POST', '/messages', text({ textMessage: { text: 'x' } }), 400, /exactly one/],
  ['text not a string', 'POST', '/message', text({ message: 5 }), 400, /text/],
  [
    'empty text',
    'POST',
    '/messages',
    { textMessage: { text: '' }, phoneNumbers: [TO] },
    400,
    /text/,
  ],
  [
    'textMessage not an object',
    'POST',
    '/messages',
    { textMessage: 'x', phoneNumbers: [TO] },
    400,
    /textMessage/,
  ],
  [
    'dataMessage',
    'POST',
    '/messages',
    { dataMessage: { data: 'AAAA', port: 53739 }, phoneNumbers: [TO] },
    400,
    /data messages are not supported/,
  ],
  [
    'isEncrypted',
    'POST',
    '/messages',
    text({ isEncrypted: true }),
    400,
    /encrypted messages are not supported/,
  ],
  [
    'isEncrypted not a boolean',
    'POST',
    '/messages',
    text({ isEncrypted: 'yes' }),
    400,
    /isEncrypted/,
  ],
  ['no numbers', 'POST', '/messages', text({ phoneNumbers: [] }), 400, /phoneNumbers/],
  ['numbers not an array', 'POST', '/messages', text({ phoneNumbers: TO }), 400, /phoneNumbers/],
  ['101 numbers', 'POST', '/messages', text({ phoneNumbers: hundredOne }), 400, /1 to 100/],
  [
    'duplicate numbers',
    'POST',
    '/messages',
    text({ phoneNumbers: [TO, '18005550100'] }),
    400,
    /unique/,
  ],
  ['bad number', 'POST', '/messages', text({ phoneNumbers: [TO, 'call me'] }), 400, /row 2/],
  ['number too long', 'POST', '/messages', text({ phoneNumbers: ['1'.repeat(129)] }), 400, /row 1/],
  ['id too long', 'POST', '/messages', text({ id: 'x'.repeat(37) }), 400, /id/],
  ['id not a string', 'POST', '/messages', text({ id: 42 }), 400, /id/],
  ['deviceId too long', 'POST', '/messages', text({ deviceId: 'x'.repeat(22) }), 400, /deviceId/],
  [
    'unknown deviceId',
    'POST',
    '/messages',
    text({ deviceId: 'x'.repeat(21) }),
    400,
    /record not found/,
  ],
  ['simNumber 4', 'POST', '/messages', text({ simNumber: 4 }), 400, /simNumber/],
  [
    'SIM 3 absent on the device',
    'POST',
    '/messages',
    text({ simNumber: 3, deviceId: DEVICE_ID }),
    400,
    /SIM 3/,
  ],
  ['no device with SIM 3', 'POST', '/messages', text({ simNumber: 3 }), 400, /record not found/],
  ['priority 128', 'POST', '/messages', text({ priority: 128 }), 400, /priority/],
  ['priority not an integer', 'POST', '/messages', text({ priority: 1.5 }), 400, /priority/],
  ['ttl 4', 'POST', '/messages', text({ ttl: 4 }), 400, /ttl/],
  [
    'ttl and validUntil',
    'POST',
    '/messages',
    text({ ttl: 60, validUntil: future }),
    400,
    /mutually exclusive/,
  ],
  [
    'validUntil not a date',
    'POST',
    '/messages',
    text({ validUntil: 'tomorrow' }),
    400,
    /validUntil/,
  ],
  [
    'validUntil without a time',
    'POST',
    '/messages',
    text({ validUntil: '2026-12-01' }),
    400,
    /validUntil/,
  ],
  [
    'scheduleAt in prose',
    'POST',
    '/messages',
    text({ scheduleAt: 'December 1, 2027 10:00' }),
    400,
    /scheduleAt/,
  ],
  ['scheduleAt in the past', 'POST', '/messages', text({ scheduleAt: past }), 400, /future/],
  [
    'scheduleAt after validUntil',
    'POST',
    '/messages',
    text({ scheduleAt: future, ttl: 30 }),
    400,
    /validUntil/,
  ],
  [
    'withDeliveryReport not a boolean',
    'POST',
    '/messages',
    text({ withDeliveryReport: 1 }),
    400,
    /withDeliveryReport/,
  ],
  [
    'text too long for textport',
    'POST',
    '/messages',
    text({ message: 'x'.repeat(2049) }),
    400,
    /content/,
  ],
  [
    'text too long for a bulk send',
    'POST',
    '/messages',
    text({ message: 'x'.repeat(1025), phoneNumbers: [TO, '+18005550101'] }),
    400,
    /content/,
  ],
  [
    'scheduleAt beyond textport limit',
    'POST',
    '/messages',
    text({ scheduleAt: new Date(START + 30 * 86_400_000).toISOString() }),
    400,
    /send_at/,
  ],
  [
    'skipPhoneValidation not a boolean',
    'POST',
    '/messages?skipPhoneValidation=maybe',
    text({}),
    400,
    /skipPhoneValidation/,
  ],
  [
    'deviceActiveWithin negative',
    'POST',
    '/messages?deviceActiveWithin=-1',
    text({}),
    400,
    /deviceActiveWithin/,
  ],
  ['oversize body', 'POST', '/messages', text({ message: 'x'.repeat(5000) }), 413, /larger/],
  ['list: bad from', 'GET', '/messages?from=yesterday', undefined, 400, /from/],
  ['list: bad state', 'GET', '/messages?state=Done', undefined, 400, /state/],
  ['list: short deviceId', 'GET', '/messages?deviceId=abc', undefined, 400, /21/],
  ['list: bad limit', 'GET', '/messages?limit=ten', undefined, 400, /limit/],
  ['list: negative offset', 'GET', '/messages?offset=-1', undefined, 400, /offset/],
  ['list: bad sort', 'GET', '/messages?sort=id', undefined, 400, /sort/],
  [
    'list: bad includeContent',
    'GET',
    '/messages?includeContent=yes',
    undefined,
    400,
    /includeContent/,
  ],
  ['get: unknown', 'GET', '/messages/nope', undefined, 404, /message not found/],
  ['get: bad escape', 'GET', '/messages/%E0%A4%A', undefined, 400, /path/],
  ['cancel: unknown', 'DELETE', '/message/nope', undefined, 404, /message not found/],
  [
    'webhook: http URL',
    'POST',
    '/webhooks',
    { url: 'http://a.example/h', event: 'sms:received' },
    400,
    /https/,
  ],
  [
    'webhook: not a URL',
    'POST',
    '/webhooks',
    { url: 'https://', event: 'sms:received' },
    400,
    /URL/,
  ],
  [
    'webhook: URL too long',
    'POST',
    '/webhooks',
    { url: `https://a.example/${'x'.repeat(2048)}`, event: 'sms:received' },
    400,
    /url/,
  ],
  [
    'webhook: batch event',
    'POST',
    '/webhooks',
    { url: 'https://a.example/h', event: 'sms:batch:received' },
    400,
    /event/,
  ],
  ['webhook: no event', 'POST', '/webhooks', { url: 'https://a.example/h' }, 400, /event/],
  [
    'webhook: unknown device',
    'POST',
    '/webhooks',
    { url: 'https://a.example/h', event: 'sms:sent', deviceId: 'x'.repeat(21) },
    400,
    /device/,
  ],
  [
    'webhook: id too long',
    'POST',
    '/webhooks',
    { id: 'x'.repeat(37), url: 'https://a.example/h', event: 'sms:sent' },
    400,
    /id/,
  ],
  [
    "webhook: the id of textport's receiver",
    'POST',
    '/webhooks',
    { id: 'textport-sms-received', url: 'https://a.example/h', event: 'sms:sent' },
    400,
    /textport-sms-received.*reserved/,
  ],
  ['settings: not an object', 'PUT', '/settings', '"x"', 400, /object/],
  ['settings: section not an object', 'PATCH', '/settings', { messages: 5 }, 400, /messages/],
  [
    'settings: bad enum',
    'PATCH',
    '/settings',
    { messages: { limit_period: 'PerWeek' } },
    400,
    /limit_period/,
  ],
  [
    'settings: camelCase bad enum',
    'PUT',
    '/settings',
    { messages: { simSelectionMode: 'Any' } },
    400,
    /sim_selection_mode/,
  ],
  [
    'settings: retry_count 0',
    'PATCH',
    '/settings',
    { webhooks: { retry_count: 0 } },
    400,
    /retry_count/,
  ],
  [
    'settings: string int',
    'PATCH',
    '/settings',
    { logs: { lifetime_days: '7' } },
    400,
    /lifetime_days/,
  ],
  [
    'settings: max < min',
    'PATCH',
    '/settings',
    { messages: { send_interval_max: 1 } },
    400,
    /send_interval_max/,
  ],
  [
    'settings: passphrase',
    'PATCH',
    '/settings',
    { encryption: { passphrase: 'secret' } },
    400,
    /passphrase/,
  ],
  [
    'settings: signing key',
    'PUT',
    '/settings',
    { webhooks: { signingKey: 'k' } },
    400,
    /signing_key/,
  ],
  [
    'settings: cloud_url',
    'PATCH',
    '/settings',
    { gateway: { cloud_url: 'https://x' } },
    400,
    /cloud_url/,
  ],
  [
    'settings: private_token',
    'PATCH',
    '/settings',
    { gateway: { privateToken: 't' } },
    400,
    /private_token/,
  ],
  [
    'inbox: since after until',
    'POST',
    '/inbox/refresh',
    { since: future, until: past },
    400,
    /since/,
  ],
  ['inbox: no until', 'POST', '/inbox/refresh', { since: past }, 400, /until/],
  [
    'inbox: bad type',
    'POST',
    '/inbox/refresh',
    { since: past, until: future, messageTypes: ['FAX'] },
    400,
    /messageTypes/,
  ],
  [
    'inbox: batch delivery',
    'POST',
    '/inbox/refresh',
    { since: past, until: future, webhookDelivery: 'Batch' },
    400,
    /webhookDelivery/,
  ],
  [
    'inbox: unknown device',
    'POST',
    '/inbox/refresh',
    { deviceId: 'x'.repeat(21), since: past, until: future },
    400,
    /device/,
  ],
  ['export: no device', 'POST', '/inbox/export', { since: past, until: future }, 400, /deviceId/],
  ['wrong method', 'PUT', '/messages', {}, 405, /Method/],
];

describe('bad input on the SMSGate user API', () => {
  it.each(cases)('%s (%s %s)', async (_name, method, path, body, status, message) => {
    const before = await snapshot();
    const res = await t.call(method, path, { body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.json)).toEqual(['message']);
    if (message) expect(res.json.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 401 without or with wrong credentials, on every authenticated route', async () => {
    const before = await snapshot();
    const wrong = `Basic ${Buffer.from('ops:wrong-password').toString('base64')}`;
    const routes: [string, string, unknown?][] = [
      ['POST', '/messages', text({})],
      ['POST', '/message', text({})],
      ['GET', '/messages'],
      ['GET', '/messages/x'],
      ['DELETE', '/messages/x'],
      ['GET', '/devices'],
      ['DELETE', `/devices/${DEVICE_ID}`],
      ['GET', '/webhooks'],
      ['POST', '/webhooks', { url: 'https://a.example/h', event: 'sms:sent' }],
      ['DELETE', '/webhooks/keep'],
      ['GET', '/settings'],
      ['PUT', '/settings', {}],
      ['PATCH', '/settings', {}],
      ['POST', '/inbox/refresh', { since: past, until: future }],
      ['POST', '/inbox/export', { deviceId: DEVICE_ID, since: past, until: future }],
      ['GET', '/logs'],
    ];
    for (const [method, path, body] of routes) {
      for (const auth of [null, wrong, 'Bearer some.jwt.token', 'Basic !!!']) {
        const res = await t.call(method, path, { body, auth });
        expect([method, path, auth, res.status, res.json]).toEqual([
          method,
          path,
          auth,
          401,
          { message: 'Unauthorized' },
        ]);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('leaves requests outside its path to the host', async () => {
    const res = await fetch(`${t.origin}/elsewhere/messages`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('rejects bad options at construction, every problem at once', async () => {
    const { smsgateUserApi } = await import('../src/index.js');
    expect(() =>
      smsgateUserApi(t.gateway, t.link, {
        users: [{ username: 'a:b', password: '', accountId: '' }],
        maxBodyBytes: 10,
      }),
    ).toThrow(/username.*password.*accountId.*maxBodyBytes/);
  });
});

describe('health when the store does not answer', () => {
  it('answers 503 with status fail on ready and startup; live stays 200', async () => {
    let down = false;
    const memory = createMemoryStore();
    const store = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'ping' && down) return async () => Promise.reject(new Error('down'));
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const s = await userSetup({ store });
    try {
      down = true;
      for (const probe of ['/health', '/health/ready', '/health/startup']) {
        const res = await s.call('GET', probe, { auth: null });
        expect([probe, res.status, res.json.status, res.json.checks.store.status]).toEqual([
          probe,
          503,
          'fail',
          'fail',
        ]);
      }
      const live = await s.call('GET', '/health/live', { auth: null });
      expect([live.status, live.json]).toEqual([
        200,
        { status: 'pass', version: '1.2.3', releaseId: 7, checks: {} },
      ]);
    } finally {
      await s.close();
    }
  });
});
