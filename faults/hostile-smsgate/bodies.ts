/**
 * The bodies of the SMSGate routes: for each body route a valid body of the acting
 * account, and its fields with the JSON type each one must have, the length each
 * one may reach and whether a value of another type is refused (some fields are
 * read leniently and are left out of the wrong-type attacks). The attacks break a
 * valid body in exactly one place, so the request is invalid by construction.
 */
import { signWebhook } from '@textport/transport-smsgate';
import { NOW } from './node.js';
import type { Side } from './world.js';
import { CONTACTS } from './world.js';

export type Kind = 'string' | 'int' | 'bool' | 'object' | 'array';

export interface FieldSpec {
  /** Where the field is in the body (keys and array indexes). */
  at: (string | number)[];
  kind: Kind;
  /** Longest string accepted (a longer one is a 400). */
  max?: number;
  /** A value of another JSON type (not null) is NOT refused: left out of the type attacks. */
  lenient?: boolean;
}

export interface BodySpec {
  /** `mobile PATCH /device`… (see routeKey). */
  key: string;
  body: unknown;
  fields: FieldSpec[];
}

const f = (at: (string | number)[], kind: Kind, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  at,
  kind,
  ...extra,
});

const sim = { slotIndex: 0, simNumber: 1, phoneNumber: '*******0101', carrierName: 'Carrier' };
const simFields = (at: (string | number)[]) => [
  f(at, 'array'),
  f([...at, 0], 'object'),
  f([...at, 0, 'slotIndex'], 'int'),
  f([...at, 0, 'simNumber'], 'int'),
  f([...at, 0, 'phoneNumber'], 'string', { max: 64 }),
  f([...at, 0, 'carrierName'], 'string', { max: 64 }),
];

/** A state report of the app (§2.6) for `id`. */
export function report(id: string, state = 'Sent', phoneNumber = CONTACTS[0] ?? '') {
  return {
    id,
    state,
    recipients: [{ phoneNumber, state }],
    states: { Pending: '2026-11-24T12:00:00.000+07:00', [state]: '2026-11-24T12:00:01.000+07:00' },
  };
}

/** The app's envelope of a received SMS (§4.3), for the device `deviceId`. */
export function inboundEnvelope(deviceId: string, id = 'V1StGXR8_Z5jdHi6B-myT') {
  return {
    id,
    webhookId: 'textport-sms-received',
    event: 'sms:received',
    deviceId,
    payload: {
      messageId: '1a2b3c4d',
      message: 'Hi from outside',
      sender: CONTACTS[1],
      recipient: '+18005550101',
      simNumber: 1,
      receivedAt: '2026-11-24T19:00:00.000+07:00',
    },
  };
}

/** The headers of a delivery of `raw` signed with `key` at `seconds` (default: the run's time). */
export function signed(key: string, raw: string, seconds = Math.floor(NOW / 1000)) {
  const timestamp = String(seconds);
  return { 'x-timestamp': timestamp, 'x-signature': signWebhook(key, raw, timestamp) };
}

/** The body routes, each with a valid body of `me`. */
export function bodySpecs(me: Side): BodySpec[] {
  const send = {
    textMessage: { text: 'hello from the hostile run' },
    phoneNumbers: [CONTACTS[0]],
    deviceId: me.deviceId,
    simNumber: 1,
    withDeliveryReport: true,
    priority: 10,
    ttl: 3600,
    id: 'hostile-send-1',
  };
  const sendFields = [
    f(['textMessage'], 'object'),
    f(['textMessage', 'text'], 'string', { max: 65_535 }),
    f(['phoneNumbers'], 'array'),
    f(['phoneNumbers', 0], 'string', { max: 128 }),
    f(['deviceId'], 'string', { max: 21 }),
    f(['simNumber'], 'int'),
    f(['withDeliveryReport'], 'bool'),
    f(['priority'], 'int'),
    f(['ttl'], 'int'),
    f(['id'], 'string', { max: 36 }),
  ];
  const legacySend = {
    message: 'hello, legacy',
    phoneNumbers: [CONTACTS[1]],
    deviceId: me.deviceId,
    validUntil: '2026-11-25T12:00:00Z',
    scheduleAt: '2026-11-24T14:00:00+01:00',
    isEncrypted: false,
  };
  const legacyFields = [
    f(['message'], 'string', { max: 65_535 }),
    f(['phoneNumbers'], 'array'),
    f(['phoneNumbers', 0], 'string', { max: 128 }),
    f(['validUntil'], 'string'),
    f(['scheduleAt'], 'string'),
    f(['isEncrypted'], 'bool'),
  ];
  const settings = {
    messages: {
      send_interval_min: 1,
      send_interval_max: 2,
      limit_period: 'PerMinute',
      limit_value: 10,
      sim_selection_mode: 'RoundRobin',
      log_lifetime_days: 30,
    },
    logs: { lifetime_days: 7 },
    ping: { interval_seconds: 300 },
    webhooks: { internet_required: true, retry_count: 3 },
  };
  const settingsFields = [
    f(['messages'], 'object'),
    f(['messages', 'send_interval_min'], 'int'),
    f(['messages', 'send_interval_max'], 'int'),
    f(['messages', 'limit_period'], 'string'),
    f(['messages', 'limit_value'], 'int'),
    f(['messages', 'sim_selection_mode'], 'string'),
    f(['messages', 'log_lifetime_days'], 'int'),
    f(['logs'], 'object'),
    f(['logs', 'lifetime_days'], 'int'),
    f(['ping'], 'object'),
    f(['ping', 'interval_seconds'], 'int'),
    f(['webhooks'], 'object'),
    f(['webhooks', 'internet_required'], 'bool'),
    f(['webhooks', 'retry_count'], 'int'),
  ];
  const refresh = {
    deviceId: me.deviceId,
    since: '2026-11-01T00:00:00Z',
    until: '2026-11-24T00:00:00Z',
    messageTypes: ['SMS', 'MMS'],
    webhookDelivery: 'Individual',
    triggerWebhooks: true,
  };
  const exportBody = { deviceId: me.deviceId, since: refresh.since, until: refresh.until };
  const exportFields = [
    f(['deviceId'], 'string', { max: 21 }),
    f(['since'], 'string'),
    f(['until'], 'string'),
  ];
  const device = { name: 'Xiaomi/sweet_global', pushToken: 'push', simCards: [sim] };
  const deviceFields = [
    f(['name'], 'string', { max: 128 }),
    f(['pushToken'], 'string', { max: 256 }),
    ...simFields(['simCards']),
  ];
  const specs: BodySpec[] = [
    { key: 'mobile POST /device', body: device, fields: deviceFields },
    {
      key: 'mobile PATCH /device',
      body: { id: me.deviceId, ...device },
      fields: [f(['id'], 'string'), ...deviceFields],
    },
    {
      key: 'mobile PATCH /message',
      body: [report(me.messageIds[0] ?? 'x')],
      fields: [
        f([], 'array'),
        f([0], 'object'),
        f([0, 'id'], 'string', { max: 36 }),
        f([0, 'state'], 'string'),
        f([0, 'recipients'], 'array'),
        f([0, 'recipients', 0], 'object'),
        f([0, 'recipients', 0, 'phoneNumber'], 'string'),
        f([0, 'recipients', 0, 'state'], 'string'),
        // Read when it is a string, ignored otherwise (as the app never sends another type).
        f([0, 'recipients', 0, 'error'], 'string', { lenient: true }),
        f([0, 'states'], 'object'),
      ],
    },
    {
      key: 'mobile POST /inbound',
      body: inboundEnvelope(me.deviceId),
      fields: [
        f([], 'object'),
        f(['id'], 'string', { max: 64 }),
        f(['event'], 'string'),
        f(['deviceId'], 'string'),
        f(['payload'], 'object'),
      ],
    },
    { key: 'user POST /messages', body: send, fields: sendFields },
    { key: 'user POST /message', body: legacySend, fields: legacyFields },
    {
      key: 'user POST /webhooks',
      body: {
        id: 'hostile-hook',
        deviceId: me.deviceId,
        url: 'https://hooks.example.com/x',
        event: 'sms:received',
      },
      fields: [
        f(['id'], 'string', { max: 36 }),
        f(['deviceId'], 'string', { max: 21 }),
        f(['url'], 'string', { max: 2048 }),
        f(['event'], 'string'),
      ],
    },
    { key: 'user PUT /settings', body: settings, fields: settingsFields },
    { key: 'user PATCH /settings', body: settings, fields: settingsFields },
    {
      key: 'user POST /inbox/refresh',
      body: refresh,
      fields: [
        ...exportFields,
        f(['messageTypes'], 'array'),
        f(['messageTypes', 0], 'string'),
        f(['webhookDelivery'], 'string', { max: 16 }),
        f(['triggerWebhooks'], 'bool'),
      ],
    },
    { key: 'user POST /inbox/export', body: exportBody, fields: exportFields },
    { key: 'user POST /messages/inbox/export', body: exportBody, fields: exportFields },
    { key: 'user POST /message/inbox/export', body: exportBody, fields: exportFields },
  ];
  return specs;
}

/** The same spec under the other spelling of a route (`/messages` for `/message`). */
export function specFor(specs: BodySpec[], key: string): BodySpec | undefined {
  const alias = key.replace(/ \/messages$/, ' /message');
  return (
    specs.find((s) => s.key === key) ??
    (key.startsWith('mobile') ? specs.find((s) => s.key === alias) : undefined)
  );
}

/** A deep copy of `body` with the value at `at` replaced (`undefined`: removed). */
export function setAt(body: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const step of at.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = at[at.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

export function getAt(body: unknown, at: (string | number)[]): unknown {
  let node = body as Record<string | number, unknown> | undefined;
  for (const step of at) node = node?.[step] as Record<string | number, unknown> | undefined;
  return node;
}
