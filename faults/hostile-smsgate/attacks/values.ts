/**
 * Values each route refuses, in an otherwise valid body with valid credentials:
 * sends in the past, with bad recipients, two contents, encrypted or data
 * content; webhooks with `http://` URLs or events the app cannot parse; settings
 * with sections that are not objects, secrets, values out of range; inbox
 * refreshes with reversed windows; state reports without the required fields.
 */
import fc from 'fast-check';
import type { Hostile } from '../../hostile/request.js';
import { invalidContact, odd } from '../../hostile/values.js';
import { setAt } from '../bodies.js';
import type { Kit } from '../kit.js';
import { byKey } from '../routes.js';
import { withBody } from './bodies.js';

const BAD_DATES = [
  'tomorrow',
  '2026-11-25',
  '2026-11-25T12:00:00',
  '2026-11-25 12:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-25T25:00:00Z',
  '1764072000',
  '',
];

function sendValues(): fc.Arbitrary<[string, unknown][]> {
  // [path, value] changes, applied together to the send body.
  return fc.oneof(
    fc.constantFrom<[string, unknown][]>(
      [['scheduleAt', '2026-11-24T11:59:59Z']],
      [['scheduleAt', '2026-11-24T12:00:00Z']],
      [
        ['scheduleAt', '2026-11-24T14:00:00Z'],
        ['ttl', 60],
      ],
      [['ttl', 4]],
      [['ttl', 0]],
      [['ttl', -5]],
      [
        ['validUntil', '2026-11-25T00:00:00Z'],
        ['ttl', 60],
      ],
      [['simNumber', 0]],
      [['simNumber', 4]],
      [['simNumber', 2]],
      [['priority', 128]],
      [['priority', -129]],
      [['isEncrypted', true]],
      [['dataMessage', { data: 'SGVsbG8=', port: 53739 }]],
      [
        ['textMessage', undefined],
        ['message', undefined],
      ],
      [
        ['message', 'and a legacy text too'],
        ['textMessage', { text: 'and a text' }],
      ],
      [['textMessage', { text: '' }]],
      [['textMessage', {}]],
      [['textMessage', { data: 'SGVsbG8=' }]],
      [['phoneNumbers', undefined]],
      [['deviceId', 'AAAAAAAAAAAAAAAAAAAAA']],
    ),
    fc.constantFrom(...BAD_DATES).map((d): [string, unknown][] => [
      ['ttl', undefined],
      ['validUntil', d],
    ]),
    invalidContact.map((n): [string, unknown][] => [['phoneNumbers', [n]]]),
  );
}

const SECTIONS = ['messages', 'logs', 'ping', 'webhooks', 'encryption', 'gateway'];

function settingsValues(): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    // A known section that is not an object.
    fc
      .tuple(fc.constantFrom(...SECTIONS), fc.constantFrom<unknown>('x', 1, true, [], [{}]))
      .map(([s, v]) => ({ [s]: v })),
    // Secrets and the server's address: never set through this API.
    fc
      .constantFrom<[string, string]>(
        ['encryption', 'passphrase'],
        ['webhooks', 'signing_key'],
        ['webhooks', 'signingKey'],
        ['gateway', 'cloud_url'],
        ['gateway', 'private_token'],
        ['gateway', 'privateToken'],
      )
      .chain(([s, k]) =>
        fc
          .oneof(
            odd(1, 4).filter((v) => v !== ''),
            fc.constant('https://evil.example.com'),
          )
          .map((v) => ({ messages: { limit_value: 1 }, [s]: { [k]: v } })),
      ),
    fc.constantFrom<Record<string, unknown>>(
      { messages: { limit_period: 'Weekly' } },
      { messages: { limit_period: 'perminute' } },
      { messages: { sim_selection_mode: 'Sequential' } },
      { messages: { send_interval_min: -1 } },
      { messages: { limit_value: 2_147_483_648 } },
      { messages: { log_lifetime_days: 0 } },
      { messages: { send_interval_min: 10, send_interval_max: 5 } },
      { messages: { sendIntervalMin: 10, sendIntervalMax: 5 } },
      { logs: { lifetime_days: 0 } },
      { ping: { interval_seconds: 0 } },
      { webhooks: { retry_count: 0 } },
      { webhooks: { internet_required: 'true' } },
      { webhooks: { internetRequired: 1 } },
    ),
  );
}

/** Values the route refuses (400), one or two at a time, in a valid body of the actor. */
export function badValues(kit: Kit): fc.Arbitrary<Hostile> {
  return kit.sides.chain(([me]) => {
    const spec = (key: string) => kit.specOf(byKey(key), me)?.body;
    const send = fc
      .tuple(fc.constantFrom('user POST /messages', 'user POST /message'), sendValues())
      .map(([key, changes]) => {
        let body = spec(key);
        for (const [at, value] of changes) body = setAt(body, [at], value);
        return withBody(kit, 'bad values', byKey(key), me, JSON.stringify(body));
      });
    // The id of a message the account has already: 409, and nothing is sent.
    const taken = fc
      .tuple(
        fc.constantFrom('user POST /messages', 'user POST /message'),
        fc.constantFrom(...me.messageIds),
      )
      .map(([key, id]) =>
        withBody(
          kit,
          'bad values',
          byKey(key),
          me,
          JSON.stringify(setAt(spec(key), ['id'], id)),
          [409],
        ),
      );
    const hook = fc
      .oneof(
        fc
          .constantFrom(
            'http://hooks.example.com/x',
            'HTTP://hooks.example.com/x',
            'ftp://hooks.example.com/x',
            'https://',
            'https://exa mple.com/x',
            'https://[::1/x',
            'javascript:alert(1)',
            '//hooks.example.com/x',
            ' https://hooks.example.com/x',
            '',
          )
          .map((url) => ({ url })),
        fc
          .constantFrom(
            'sms:batch:received',
            'mms:batch:downloaded',
            'SMS:RECEIVED',
            'sms:received ',
            'message.phone.received',
            '',
            '*',
          )
          .map((event) => ({ event })),
        fc.constantFrom<Record<string, unknown>>(
          { url: undefined },
          { event: undefined },
          { deviceId: 'AAAAAAAAAAAAAAAAAAAAA' },
        ),
      )
      .map((changes) => {
        let body = spec('user POST /webhooks');
        for (const [at, value] of Object.entries(changes)) body = setAt(body, [at], value);
        return withBody(kit, 'bad values', byKey('user POST /webhooks'), me, JSON.stringify(body));
      });
    const settings = fc
      .tuple(fc.constantFrom('user PUT /settings', 'user PATCH /settings'), settingsValues())
      .map(([key, body]) => withBody(kit, 'bad values', byKey(key), me, JSON.stringify(body)));
    const refresh = fc
      .tuple(
        fc.constantFrom(
          'user POST /inbox/refresh',
          'user POST /inbox/export',
          'user POST /message/inbox/export',
        ),
        fc.oneof(
          fc.constantFrom<Record<string, unknown>>(
            { since: '2026-11-24T00:00:00Z', until: '2026-11-01T00:00:00Z' },
            { since: undefined },
            { until: undefined },
            { deviceId: 'AAAAAAAAAAAAAAAAAAAAA' },
          ),
          fc.constantFrom(...BAD_DATES).map((d) => ({ since: d })),
        ),
      )
      .map(([key, changes]) => {
        let body = spec(key);
        for (const [at, value] of Object.entries(changes)) body = setAt(body, [at], value);
        return withBody(kit, 'bad values', byKey(key), me, JSON.stringify(body));
      });
    const refreshOnly = fc
      .constantFrom<Record<string, unknown>>(
        { messageTypes: ['VOICE'] },
        { messageTypes: 'SMS' },
        { messageTypes: ['sms'] },
        { webhookDelivery: 'Batch' },
        { webhookDelivery: 'individual' },
        { triggerWebhooks: 'yes' },
      )
      .map((changes) => {
        let body = spec('user POST /inbox/refresh');
        for (const [at, value] of Object.entries(changes)) body = setAt(body, [at], value);
        const route = byKey('user POST /inbox/refresh');
        return withBody(kit, 'bad values', route, me, JSON.stringify(body));
      });
    const legacyExport = fc
      .constantFrom('user POST /inbox/export', 'user POST /messages/inbox/export')
      .map((key) =>
        withBody(
          kit,
          'bad values',
          byKey(key),
          me,
          JSON.stringify(setAt(spec(key), ['deviceId'], undefined)),
        ),
      );
    const reports = fc
      .constantFrom<[string, unknown][]>(
        [['state', undefined]],
        [['recipients', undefined]],
        [['id', '']],
        [['id', undefined]],
        [['recipients', [{ state: 'Sent' }]]],
        [['recipients', [{ phoneNumber: '+18005550142' }]]],
      )
      .map((changes) => {
        const item = spec('mobile PATCH /message') as unknown[];
        let first = item[0];
        for (const [at, value] of changes) first = setAt(first, [at], value);
        const route = byKey('mobile PATCH /message');
        return withBody(kit, 'bad values', route, me, JSON.stringify([first]));
      });
    return fc.oneof(send, taken, hook, settings, refresh, refreshOnly, legacyExport, reports);
  });
}
