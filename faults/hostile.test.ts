/**
 * Hostile requests. fast-check generates HOSTILE_REQUESTS requests, each one
 * invalid by construction: no key, a garbage, revoked or mangled key, a phone
 * key where a user key is needed, another account's ids, malformed JSON, wrong
 * JSON types, bodies over the limit, odd Unicode in fields that fail
 * validation (NUL in every text field, lone surrogates beside it), timestamps
 * out of range, unknown routes and methods, bad query values and broken HTTP
 * framing. A real gateway serves them through `createNodeHandler` on node:http
 * (most of them) and `createHttpApi` in process: on a SQLite file, and on a
 * fresh Postgres database of its own when TEXTPORT_TEST_DATABASE_URL is set
 * (HOSTILE_PG_REQUESTS requests there; the skip says why otherwise).
 *
 * What must hold: no answer is a 5xx, every error answer is the httpSMS
 * envelope, the server keeps serving, nothing is logged as an internal error,
 * no promise rejection goes unhandled, and nothing is written: the store's
 * write mark (SQLite: the connection's change count; Postgres: one hash of
 * every row) is the same after every request, and every table hashes the same
 * at the end as before the first request.
 *
 * A failure prints the request; `FAULT_HOSTILE_SEED` replays a run.
 */
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import {
  type AttachmentStore,
  createGateway,
  createMemoryAttachmentStore,
  type Gateway,
  isContactPhoneNumber,
  isPhoneNumber,
  isValidTimeZone,
  type Logger,
  parseTimestamp,
  sanitizeAddress,
  WEBHOOK_EVENTS,
} from '@textport/core';
import { createHttpApi, createNodeHandler, type HttpApi, type HttpRequest } from '@textport/http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostileStore, openPostgres, openSqlite } from './hostile/store.js';
import {
  DATABASE_URL,
  HOSTILE_PG_REQUESTS,
  HOSTILE_REQUESTS,
  PG_SKIP,
  sleep,
  waitFor,
} from './support.js';

const SEED = process.env.FAULT_HOSTILE_SEED ? Number(process.env.FAULT_HOSTILE_SEED) : undefined;
const MIB = 1024 * 1024;
const JSON_LIMIT = MIB;
const RECEIVE_LIMIT = 5 * MIB;
const BULK_LIMIT = 5_000_000 + 256 * 1024;
const UUID_V4 = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}$/;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Numbers nobody in the store has. */
const FRESH_NUMBERS = ['+4915112345678', '+33612345678', '+61412345678'];
const CONTACTS = ['+18005550142', '+447700900456', '12345', '+4915112345679'];

// ---------------------------------------------------------------------------
// The world: two accounts with phones, keys and data, and keys that once worked.

interface Side {
  id: string;
  userKey: string;
  /** Bound to `numbers[0]` by an FCM-token login. */
  phoneKey: string;
  phoneKeyId: string;
  /** A phone key bound to no phone. */
  spareKey: string;
  spareKeyId: string;
  numbers: string[];
  phoneIds: string[];
  /** Pending, sending, sent, received and missed-call messages. */
  messageIds: string[];
  receivedId: string;
  threadIds: string[];
  webhookId: string;
  scheduleId: string;
}

interface World {
  a: Side;
  b: Side;
  /** A rotated user key and a deleted phone key. */
  revoked: string[];
}

async function seedSide(gateway: Gateway, email: string, numbers: string[]): Promise<Side> {
  const { record: account, apiKey: userKey } = await gateway.accounts.create({ email });
  const id = account.id;
  const schedule = await gateway.schedules.create(id, {
    name: 'Office hours',
    timezone: 'Europe/Berlin',
    windows: [{ dayOfWeek: 1, startMinute: 480, endMinute: 1020 }],
  });
  const phoneIds: string[] = [];
  for (const phoneNumber of numbers) {
    const phone = await gateway.phones.upsert(id, { phoneNumber, sendScheduleId: schedule.id });
    phoneIds.push(phone.id);
  }
  const owner = numbers[0] ?? '';
  const bound = await gateway.accounts.createPhoneKey(id, { name: 'phone' });
  const unbound = await gateway.accounts.authenticate(bound.apiKey);
  if (!unbound) throw new Error('the phone key does not authenticate');
  await gateway.phoneApi.updateFcmToken(unbound, { phoneNumber: owner, fcmToken: `fcm-${id}` });
  const principal = await gateway.accounts.authenticate(bound.apiKey);
  if (!principal) throw new Error('the phone key does not authenticate');
  const spare = await gateway.accounts.createPhoneKey(id, { name: 'spare' });
  const webhook = await gateway.webhooks.create(id, {
    url: 'https://hooks.example.com/textport',
    events: ['message.phone.received', 'message.phone.sent', 'message.send.failed'],
    phoneNumbers: numbers,
  });
  const send = (content: string) =>
    gateway.messages.send(id, { from: owner, to: CONTACTS[0] ?? '', content });
  const pending = await send('still pending');
  const sending = await send('taken by the phone');
  await gateway.phoneApi.takeOutstanding(principal, sending.id);
  const sent = await send('sent already');
  await gateway.phoneApi.takeOutstanding(principal, sent.id);
  await gateway.phoneApi.reportEvent(principal, sent.id, { event: 'SENT' });
  const received = await gateway.phoneApi.receive(principal, {
    from: CONTACTS[1] ?? '',
    to: owner,
    content: 'hello from outside',
  });
  const missed = await gateway.phoneApi.missedCall(principal, {
    from: CONTACTS[3] ?? '',
    to: owner,
  });
  await gateway.phoneApi.heartbeat(principal, { phoneNumbers: [owner], charging: true });
  const threads = await gateway.threads.list(id, { owner });
  return {
    id,
    userKey,
    phoneKey: bound.apiKey,
    phoneKeyId: bound.record.id,
    spareKey: spare.apiKey,
    spareKeyId: spare.record.id,
    numbers,
    phoneIds,
    messageIds: [pending.id, sending.id, sent.id, received.id, missed.id],
    receivedId: received.id,
    threadIds: threads.map((t) => t.id),
    webhookId: webhook.id,
    scheduleId: schedule.id,
  };
}

async function seedWorld(gateway: Gateway): Promise<World> {
  const a = await seedSide(gateway, 'a@example.com', ['+18005550100']);
  const b = await seedSide(gateway, 'b@example.com', ['+18005550199', '+447700900123']);
  const { record: c, apiKey: rotated } = await gateway.accounts.create({ email: 'c@example.com' });
  await gateway.accounts.rotateApiKey(c.id);
  const deleted = await gateway.accounts.createPhoneKey(a.id, { name: 'deleted' });
  await gateway.accounts.deletePhoneKey(a.id, deleted.record.id);
  return { a, b, revoked: [rotated, deleted.apiKey] };
}

// ---------------------------------------------------------------------------
// Requests.

type Headers = Record<string, string | string[]>;

type Payload =
  | { kind: 'none' }
  /** Raw bytes (sent with a Content-Length; `chunked`: Transfer-Encoding over HTTP). */
  | { kind: 'bytes'; data: Buffer; chunked?: boolean }
  /** `json` padded with spaces to `size` bytes, built when sent (bodies over a limit). */
  | { kind: 'padded'; json: string; size: number; chunked: boolean; asString: boolean }
  /** In process: a string body, as a text body parser gives it. */
  | { kind: 'string'; text: string }
  /** In process: what a JSON body parser already decoded. */
  | { kind: 'parsed'; value: unknown };

type Via = 'http' | 'api' | 'raw';

interface Hostile {
  family: string;
  via: Via;
  method: string;
  /** Percent-encoded path (raw Unicode only in process). */
  path: string;
  /** The raw query string, or in process an adapter's parsed query object. */
  query?: string | Record<string, unknown>;
  headers: Headers;
  payload: Payload;
  /** Raw socket: the bytes; `abort`: the connection is dropped after them. */
  raw?: { bytes: Buffer; abort: boolean };
  /** Statuses the request may get; absent: any 4xx. */
  expect?: readonly number[];
  /** A read naming another account's numbers or ids: the answer holds no rows. */
  empty?: boolean;
}

interface Outcome {
  status: number | null;
  contentType?: string | undefined;
  body: string;
  /** Every status line seen on a raw socket. */
  statuses?: number[];
  /** In process: no route took it (an adapter passes it on; the node handler answers 404). */
  passedOn?: boolean;
  error?: string;
}

function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Percent-encodes everything but unreserved characters (lone surrogates become U+FFFD). */
function pct(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryString(params: readonly (readonly [string, string])[], raw: string[] = []): string {
  return [...params.map(([k, v]) => `${pct(k)}=${pct(v)}`), ...raw].join('&');
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What an HTTP client can put in a header: UTF-8 bytes read as Latin-1, no control characters. */
function latin1Header(value: string): string {
  const latin1 = Buffer.from(value, 'utf8').toString('latin1');
  return [...latin1].map((c) => (c === '\t' || (c >= ' ' && c !== '\x7f') ? c : '?')).join('');
}

// ---------------------------------------------------------------------------
// Arbitraries of odd values.

const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u202e',
  '\u200f',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\uffff',
  '\ufffd',
  '\u0301\u0301\u0301',
  '💥',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '𝕏',
  'ﷺ',
  'Ω',
  'İ',
  'ß',
  '\r\n',
  '\t',
  '"',
  "'",
  '\\',
  '%',
  '_',
  '%00',
  '<script>',
  '\u0024{x}',
  '{{x}}',
  '../',
  '; DROP TABLE x; --',
  '__proto__',
  'constructor',
];

const oddChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) },
);

/** Odd Unicode text of `min`–`max` pieces. */
function odd(min = 0, max = 10): fc.Arbitrary<string> {
  return fc.array(oddChar, { minLength: min, maxLength: max }).map((p) => p.join(''));
}

/** Valid text holds no NUL: the gateway refuses it in every field (lone surrogates are kept as U+FFFD). */
const noNul = (text: string) => text.replaceAll('\u0000', '');

/** `base` with a NUL inserted somewhere: invalid in any text field, whatever else it holds. */
function withNul(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.nat()).map(([text, n]) => {
    const at = n % (text.length + 1);
    return `${text.slice(0, at)}\u0000${text.slice(at)}`;
  });
}

/** Odd text of at most `bytes` UTF-8 bytes and at least one character, without NUL. */
function oddWithin(bytes: number): fc.Arbitrary<string> {
  return odd(1, 8).map((text) => {
    let s = noNul(text);
    while (s.length > 0 && utf8Length(s) > bytes) s = [...s].slice(0, -1).join('');
    return s === '' ? 'x' : s;
  });
}

/** Odd text of more than `bytes` UTF-8 bytes, with a visible character at each end (trimming keeps it long). */
function oddOver(bytes: number): fc.Arbitrary<string> {
  return fc.tuple(odd(1, 4), fc.nat(600)).map(([unit, extra]) => {
    const piece = unit === '' ? 'x' : unit;
    // Measured on the result: repeated lone surrogates may pair up into shorter characters.
    let count = Math.ceil((bytes + 1 + extra) / utf8Length(piece));
    let text = `x${piece.repeat(count)}x`;
    while (utf8Length(text) <= bytes) {
      count *= 2;
      text = `x${piece.repeat(count)}x`;
    }
    return text;
  });
}

const noDecimalDigit = (s: string) => !/\p{Nd}/u.test(s);

const isInvalidPhone = (s: string) => s.trim() === '' || !isPhoneNumber(sanitizeAddress(s));

/** Never a phone number the gateway accepts (blank, or not E.164 once sanitised). */
const invalidPhone = fc
  .oneof(
    odd(0, 8).filter(noDecimalDigit),
    fc.stringMatching(/^\+[0-9]{18,24}$/),
    fc.stringMatching(/^\+0[0-9]{6,12}$/),
    fc.constantFrom('+', '+1', '00', 'tel:+1800', '+１８００５５５０１００x', 'N/A', ' '),
    oddOver(40),
  )
  .filter(isInvalidPhone);

/** As a file's UTF-8 bytes carry it: lone surrogates become U+FFFD. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const invalidPhoneInFile = invalidPhone.map(wellFormed).filter(isInvalidPhone);

/** Never a recipient the gateway accepts. */
const invalidContact = fc
  .oneof(
    odd(0, 8).filter(noDecimalDigit),
    fc.stringMatching(/^\+?[0-9]{18,24}$/),
    fc.constantFrom('+', '1', '+1', 'MPESA', '+1-800-FLOWERS', ' '),
  )
  .filter((s) => s.trim() === '' || !isContactPhoneNumber(sanitizeAddress(s)));

/** Never a time the gateway parses (blank counts as absent, and bulk files trim: never blank). */
const invalidTime = fc
  .oneof(
    odd(1, 6),
    fc.constantFrom('yesterday', 'now', 'NaN', 'T', '--:--', '2026-13-45T99:99:99Z', '12/24/2026'),
    // Well-formed, but outside years 0000–9999 once the offset is applied.
    fc.constantFrom(
      '9999-12-31T23:59:59-23:59',
      '9999-12-31T23:59:59.999-00:01',
      '0000-01-01T00:00:00+00:01',
      '0000-01-01T00:00:00.000000001+23:59',
    ),
  )
  .filter((s) => s.trim() !== '' && parseTimestamp(s) === null);

const invalidZone = fc
  .oneof(odd(0, 6), fc.constantFrom('Mars/Olympus', 'UTC+25', 'Europe/Berlin ', '', ' '))
  .filter((s) => s.trim() === '' || !isValidTimeZone(s.trim()));

const invalidSim = odd(1, 4).filter((s) => !['SIM1', 'SIM2', 'DEFAULT', ''].includes(s));

/** Never a lowercase UUIDv4 (the `uuid` rule). */
const notUuid = fc
  .oneof(
    fc.uuid({ version: 4 }).map((u) => u.toUpperCase()),
    fc.uuid({ version: 1 }),
    fc.uuid({ version: 4 }).map((u) => `{${u}}`),
    fc.uuid({ version: 4 }).map((u) => u.slice(1)),
    fc.uuid({ version: 4 }).map((u) => `${u}\n`),
    fc.uuid({ version: 4 }).map((u) => ` ${u}`),
    fc.uuid({ version: 4 }).map((u) => u.replaceAll('-', '')),
    odd(1, 8),
    fc.constantFrom('null', 'undefined', '0', '-1', '..', '%', 'me', 'x'.repeat(2000)),
  )
  .filter((s) => s !== '' && !UUID_V4.test(s));

const invalidUrl = fc
  .oneof(
    fc.constantFrom(
      'ftp://example.com/a.png',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'mailto:a@example.com',
      'https://',
      'http://[::1',
      '//example.com/a.png',
      'data:image/png;base64,AAAA',
    ),
    odd(1, 6).filter((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s)),
  )
  .filter((s) => s.trim() !== '' && !isHttpUrl(s.trim()));

const validUrl = fc.constantFrom(
  'https://example.com/a.png',
  'http://cdn.example.org/x?y=1',
  'https://例え.jp/画像.png',
);

const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
];

const unsupportedMediaType = fc.oneof(
  fc.constantFrom(
    ...PROTOTYPE_NAMES,
    'image/svg+xml',
    'text/html',
    'IMAGE/PNG',
    'image/png ',
    'application/octet-stream',
    '',
  ),
  odd(1, 4),
);

// ---------------------------------------------------------------------------
// Body fields of the JSON routes: a valid value, a value of the wrong JSON type,
// and (for most) a value of the right type that fails validation on its own.

type Kind = 'text' | 'flag' | 'unsigned' | 'whole' | 'texts' | 'files' | 'windows';

interface Field {
  kind: Kind;
  valid: fc.Arbitrary<unknown>;
  /** Right JSON type, fails validation whatever the other fields hold. */
  invalid?: fc.Arbitrary<unknown>;
  required?: boolean;
}

interface BodySpec {
  fields: Record<string, Field>;
  /** Statuses of a body with an invalid field. */
  invalidStatuses: readonly number[];
  /** Bodies invalid as a whole, beyond single fields. */
  wholeInvalid?: fc.Arbitrary<Record<string, unknown>>;
}

function wrongType(kind: Kind): fc.Arbitrary<unknown> {
  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant({}),
    fc.array(odd(0, 2), { maxLength: 2 }),
  );
  switch (kind) {
    case 'text':
      return notString;
    case 'flag':
      return fc.oneof(fc.constantFrom('true', 'false', 'yes', ''), fc.integer(), fc.constant([]));
    case 'unsigned':
      return fc.oneof(
        fc.integer({ min: -2_147_483_648, max: -1 }),
        fc.integer({ max: 10_000 }).map((n) => n + 0.5),
        fc.constantFrom('5', '0', true, [], {}),
      );
    case 'whole':
      return fc.oneof(
        fc.integer({ min: -10_000, max: 10_000 }).map((n) => n + 0.25),
        fc.constantFrom('1', true, [], {}),
      );
    case 'texts':
      return fc.oneof(
        odd(0, 3),
        fc.integer(),
        fc.constant({}),
        fc.constantFrom([1], [true], [{}], [['x']], [null], ['ok', 2]),
      );
    case 'files':
      return fc.oneof(
        odd(0, 3),
        fc.constantFrom(
          [1],
          ['x'],
          [null],
          [{ name: 5 }],
          [{ content_type: [] }],
          [{ content: {} }],
        ),
      );
    case 'windows':
      return fc.oneof(
        odd(0, 3),
        fc.constantFrom(
          [1],
          [null],
          [{ day_of_week: '1', start_minute: 0, end_minute: 60 }],
          [{ day_of_week: 1, start_minute: 1.5, end_minute: 60 }],
          [{ day_of_week: 1, start_minute: 0, end_minute: [] }],
        ),
      );
  }
}

function bodySpecs(me: Side, other: Side): Record<string, BodySpec> {
  const mine = fc.constant(me.numbers[0] ?? '');
  const theirs = fc.constantFrom(...other.numbers);
  const contact = fc.constantFrom(...CONTACTS);
  const content = (max: number) => oddWithin(max);
  const nulNumber = mine.map((n) => `${n}\u0000`);
  return {
    'POST /v1/messages/send': {
      invalidStatuses: [422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        to: { kind: 'text', required: true, valid: contact, invalid: invalidContact },
        content: {
          kind: 'text',
          required: true,
          valid: content(2048),
          invalid: fc.oneof(fc.constant(''), oddOver(2048), withNul(content(1000))),
        },
        attachments: {
          kind: 'texts',
          valid: fc.array(validUrl, { maxLength: 3 }),
          invalid: fc.oneof(
            fc
              .tuple(fc.array(validUrl, { maxLength: 2 }), invalidUrl)
              .map(([ok, bad]) => [...ok, bad]),
            fc.array(validUrl, { minLength: 11, maxLength: 14 }),
          ),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        request_id: {
          kind: 'text',
          valid: content(200),
          invalid: fc.oneof(oddOver(255), withNul(content(100))),
        },
        send_at: {
          kind: 'text',
          valid: fc.constantFrom('2020-01-01T00:00:00Z'),
          invalid: fc.oneof(invalidTime, fc.constantFrom('2999-01-01T00:00:00Z')),
        },
      },
    },
    'POST /v1/messages/bulk-send': {
      invalidStatuses: [422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs),
        },
        to: {
          kind: 'texts',
          required: true,
          valid: fc.array(contact, { minLength: 1, maxLength: 4 }),
          invalid: fc.oneof(
            fc.constant([]),
            fc
              .tuple(fc.array(contact, { maxLength: 3 }), invalidContact)
              .map(([ok, bad]) => [...ok, bad]),
            fc.constant(
              Array.from({ length: 1001 }, (_, i) => `+1800555${String(i).padStart(4, '0')}`),
            ),
          ),
        },
        content: {
          kind: 'text',
          required: true,
          valid: content(1024),
          invalid: fc.oneof(fc.constant(''), oddOver(1024), withNul(content(500))),
        },
        attachments: {
          kind: 'texts',
          valid: fc.array(validUrl, { maxLength: 2 }),
          invalid: fc.array(invalidUrl, { minLength: 1, maxLength: 3 }),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        request_id: {
          kind: 'text',
          valid: content(200),
          invalid: fc.oneof(oddOver(255), withNul(content(100))),
        },
      },
    },
    'POST /v1/messages/{messageID}/events': {
      invalidStatuses: [422],
      fields: {
        event_name: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom('SENT', 'DELIVERED', 'FAILED'),
          invalid: fc
            .oneof(
              odd(0, 4),
              fc.constantFrom('sent', 'SENDING', 'EXPIRED', 'SENT ', ...PROTOTYPE_NAMES),
            )
            .filter((s) => !['SENT', 'DELIVERED', 'FAILED'].includes(s)),
        },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00Z'),
          invalid: invalidTime,
        },
        reason: { kind: 'text', valid: odd(0, 6).map(noNul), invalid: withNul(odd(0, 6)) },
      },
    },
    'POST /v1/messages/receive': {
      invalidStatuses: [401, 422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: content(200),
          invalid: fc.oneof(fc.constant(''), oddOver(255), withNul(content(100))),
        },
        to: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        content: {
          kind: 'text',
          required: true,
          valid: content(2048),
          invalid: fc.oneof(oddOver(2048), withNul(content(1000))),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        sim: {
          kind: 'text',
          valid: fc.constantFrom('SIM1', 'SIM2', 'DEFAULT'),
          invalid: invalidSim,
        },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00.123000000Z'),
          invalid: invalidTime,
        },
        attachments: {
          kind: 'files',
          valid: fc.constant([
            { name: 'a.png', content_type: 'image/png', content: 'iVBORw0KGgo=' },
          ]),
          invalid: fc.oneof(
            fc
              .tuple(unsupportedMediaType, odd(0, 3))
              .map(([type, name]) => [{ name, content_type: type, content: 'iVBORw0KGgo=' }]),
            fc
              .tuple(odd(1, 4), fc.constantFrom('image/png', 'application/pdf'))
              .map(([bad, type]) => [{ name: 'x', content_type: type, content: `!${bad}=` }]),
            fc.constant(
              Array.from({ length: 11 }, () => ({
                name: 'a.png',
                content_type: 'image/png',
                content: 'iVBORw0KGgo=',
              })),
            ),
          ),
        },
      },
    },
    'POST /v1/messages/calls/missed': {
      invalidStatuses: [401, 422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: contact,
          invalid: fc.oneof(fc.constant(''), oddOver(255), withNul(contact)),
        },
        to: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        sim: { kind: 'text', valid: odd(0, 3).map(noNul), invalid: withNul(odd(0, 3)) },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00Z'),
          invalid: invalidTime,
        },
      },
    },
    'POST /v1/heartbeats': {
      invalidStatuses: [401, 422],
      fields: {
        phone_numbers: { kind: 'texts', valid: fc.constant([me.numbers[0] ?? '']) },
        charging: { kind: 'flag', valid: fc.boolean() },
        owner: { kind: 'text', valid: mine },
      },
      wholeInvalid: fc.oneof(
        fc.record({ charging: fc.boolean() }),
        fc.constant({ phone_numbers: [], owner: '' }),
        fc.record({ phone_numbers: fc.array(invalidPhone, { minLength: 1, maxLength: 2 }) }),
        fc.record({ phone_numbers: fc.constant([...FRESH_NUMBERS]) }),
        fc.record({ phone_numbers: fc.tuple(theirs).map((t) => [...t]) }),
        fc.record({ phone_numbers: theirs.map((t) => [me.numbers[0] ?? '', t]) }),
        fc.record({ owner: theirs }),
        fc.record({ owner: invalidPhone }),
        fc.record({ phone_numbers: nulNumber.map((n) => [n]) }),
        fc.record({ owner: nulNumber }),
      ),
    },
    'PUT /v1/phones/fcm-token': {
      invalidStatuses: [422],
      fields: {
        phone_number: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, nulNumber),
        },
        fcm_token: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(1000), withNul(content(400))),
        },
        sim: { kind: 'text', valid: fc.constantFrom('SIM1', 'SIM2'), invalid: invalidSim },
      },
    },
    'PUT /v1/phones': {
      invalidStatuses: [422],
      fields: {
        phone_number: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom(me.numbers[0] ?? '', ...FRESH_NUMBERS),
          invalid: fc.oneof(invalidPhone, nulNumber),
        },
        fcm_token: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(1000), withNul(content(400))),
        },
        messages_per_minute: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 60 }),
          invalid: fc.integer({ min: 61, max: 2_000_000_000 }),
        },
        max_send_attempts: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 5 }),
          invalid: fc.integer({ min: 6, max: 2_000_000_000 }),
        },
        message_expiration_seconds: {
          kind: 'unsigned',
          valid: fc.integer({ min: 60, max: 3600 }),
          invalid: fc.oneof(
            fc.integer({ min: 1, max: 59 }),
            fc.integer({ min: 3601, max: 2_000_000_000 }),
          ),
        },
        missed_call_auto_reply: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(2048), withNul(content(400))),
        },
        unarchive_thread: { kind: 'flag', valid: fc.boolean() },
        sim: { kind: 'text', valid: fc.constantFrom('SIM1', 'SIM2'), invalid: invalidSim },
        message_send_schedule_id: {
          kind: 'text',
          valid: fc.constant(me.scheduleId),
          invalid: fc.oneof(notUuid, fc.constant(other.scheduleId), fc.uuid({ version: 4 })),
        },
      },
    },
    'PUT /v1/message-threads/{messageThreadID}': {
      invalidStatuses: [422],
      fields: {
        is_archived: { kind: 'flag', valid: fc.boolean() },
        is_read: { kind: 'flag', valid: fc.boolean() },
      },
      wholeInvalid: fc.oneof(
        fc.constant({}),
        fc.constant({ is_archived: null, is_read: null }),
        fc.record({ archived: fc.boolean(), read: fc.boolean() }),
      ),
    },
    'PUT /v1/users/me': {
      invalidStatuses: [422],
      fields: {
        timezone: {
          kind: 'text',
          valid: fc.constantFrom('Europe/Berlin', 'UTC'),
          invalid: invalidZone,
        },
        active_phone_id: {
          kind: 'text',
          valid: fc.constant(me.phoneIds[0] ?? ''),
          invalid: fc.oneof(notUuid, fc.constantFrom(...other.phoneIds), fc.uuid({ version: 4 })),
        },
      },
    },
    'POST /v1/phone-api-keys': {
      invalidStatuses: [422],
      fields: {
        name: {
          kind: 'text',
          required: true,
          valid: content(60),
          invalid: fc.oneof(fc.constantFrom('', null), oddOver(60), withNul(content(30))),
        },
      },
    },
    ...Object.fromEntries(
      ['POST /v1/webhooks', 'PUT /v1/webhooks/{webhookID}'].map((key) => [
        key,
        {
          invalidStatuses: [422],
          fields: {
            url: {
              kind: 'text',
              required: true,
              valid: fc.constantFrom('https://hooks.example.com/in', 'hooks.example.net/x'),
              invalid: fc.oneof(
                fc.constant(''),
                invalidUrl.filter((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s.trim())),
                oddOver(255).map((s) => `https://example.com/${s}`),
                withNul(fc.constant('https://hooks.example.com/in')),
              ),
            },
            signing_key: {
              kind: 'text',
              valid: content(100),
              invalid: fc.oneof(oddOver(255), withNul(content(50))),
            },
            events: {
              kind: 'texts',
              required: true,
              valid: fc.subarray([...WEBHOOK_EVENTS], { minLength: 1, maxLength: 3 }),
              invalid: fc.oneof(
                fc.constant([]),
                fc
                  .tuple(fc.subarray([...WEBHOOK_EVENTS], { maxLength: 2 }), odd(0, 4))
                  .filter(([, bad]) => !(WEBHOOK_EVENTS as readonly string[]).includes(bad))
                  .map(([ok, bad]) => [...ok, bad]),
              ),
            },
            phone_numbers: {
              kind: 'texts',
              required: true,
              valid: fc.constant([me.numbers[0] ?? '']),
              invalid: fc.oneof(
                fc.constant([]),
                theirs.map((t) => [me.numbers[0] ?? '', t]),
                fc.array(invalidPhone, { minLength: 1, maxLength: 2 }),
              ),
            },
          },
        } satisfies BodySpec,
      ]),
    ),
    ...Object.fromEntries(
      ['POST /v1/send-schedules', 'PUT /v1/send-schedules/{scheduleID}'].map((key) => [
        key,
        {
          invalidStatuses: [422],
          fields: {
            name: {
              kind: 'text',
              required: true,
              valid: oddWithin(100).map((s) => `ok ${s}`.slice(0, 60)),
              invalid: fc.oneof(
                fc.constantFrom('', 'x', ' x '),
                oddOver(100),
                withNul(fc.constant('Office hours')),
              ),
            },
            timezone: {
              kind: 'text',
              required: true,
              valid: fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC'),
              invalid: invalidZone,
            },
            windows: {
              kind: 'windows',
              required: true,
              valid: fc.constant([{ day_of_week: 2, start_minute: 0, end_minute: 60 }]),
              invalid: fc.oneof(
                fc.constant([]),
                fc.constant([{}]),
                fc
                  .record({
                    day_of_week: fc.integer({ min: 7, max: 1000 }),
                    start_minute: fc.integer({ min: 0, max: 100 }),
                    end_minute: fc.integer({ min: 101, max: 200 }),
                  })
                  .map((w) => [w]),
                fc
                  .record({
                    day_of_week: fc.integer({ min: 0, max: 6 }),
                    start_minute: fc.integer({ min: 1440, max: 100_000 }),
                    end_minute: fc.integer({ min: 1, max: 1440 }),
                  })
                  .map((w) => [w]),
                fc
                  .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 1439 }))
                  .map(([day, start]) => [
                    { day_of_week: day, start_minute: start, end_minute: start },
                  ]),
                fc.integer({ min: 0, max: 6 }).map((day) => [
                  { day_of_week: day, start_minute: 0, end_minute: 120 },
                  { day_of_week: day, start_minute: 60, end_minute: 180 },
                ]),
                fc.integer({ min: 0, max: 6 }).map((day) =>
                  Array.from({ length: 7 }, (_, i) => ({
                    day_of_week: day,
                    start_minute: i * 10,
                    end_minute: i * 10 + 5,
                  })),
                ),
              ),
            },
          },
        } satisfies BodySpec,
      ]),
    ),
  };
}

function plausibleBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(spec.fields);
  return fc.record(Object.fromEntries(fields.map(([name, f]) => [name, f.valid])), {
    requiredKeys: fields.filter(([, f]) => f.required).map(([name]) => name),
  });
}

/** A JSON object of the right types where at least one field fails validation. */
function invalidBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const breakable = Object.entries(spec.fields).filter(([, f]) => f.invalid !== undefined);
  const single =
    breakable.length === 0
      ? undefined
      : fc
          .tuple(
            plausibleBody(spec),
            fc.record(
              Object.fromEntries(
                breakable.map(([name, f]) => [name, f.invalid ?? fc.constant(null)]),
              ),
            ),
            // One field alone as often as several: each rule must hold by itself.
            fc.oneof(
              fc.constantFrom(...breakable.map(([name]) => [name])),
              fc.subarray(
                breakable.map(([name]) => name),
                { minLength: 1 },
              ),
            ),
          )
          .map(([base, bad, chosen]) => {
            const body: Record<string, unknown> = { ...base };
            for (const name of chosen) body[name] = bad[name];
            return body;
          });
  const options = [single, spec.wholeInvalid].filter(
    (a): a is fc.Arbitrary<Record<string, unknown>> => a !== undefined,
  );
  return fc.oneof(...options);
}

/** A JSON object where at least one field has the wrong JSON type. */
function wrongTypedBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(spec.fields);
  return fc
    .tuple(
      plausibleBody(spec),
      fc.record(Object.fromEntries(fields.map(([name, f]) => [name, wrongType(f.kind)]))),
      fc.subarray(
        fields.map(([name]) => name),
        { minLength: 1 },
      ),
    )
    .map(([base, wrong, chosen]) => {
      const body: Record<string, unknown> = { ...base };
      for (const name of chosen) body[name] = wrong[name];
      return body;
    });
}

// ---------------------------------------------------------------------------
// Routes.

interface RouteDef {
  method: string;
  path: string;
  auth: 'user' | 'phone';
  body?: 'json' | 'multipart';
}

const ROUTES: readonly RouteDef[] = [
  { method: 'POST', path: '/v1/messages/send', auth: 'user', body: 'json' },
  { method: 'POST', path: '/v1/messages/bulk-send', auth: 'user', body: 'json' },
  { method: 'GET', path: '/v1/messages', auth: 'user' },
  { method: 'GET', path: '/v1/messages/search', auth: 'user' },
  { method: 'GET', path: '/v1/messages/{messageID}', auth: 'user' },
  { method: 'DELETE', path: '/v1/messages/{messageID}', auth: 'user' },
  { method: 'POST', path: '/v1/messages/{messageID}/cancel', auth: 'user' },
  { method: 'GET', path: '/v1/messages/outstanding', auth: 'phone' },
  { method: 'POST', path: '/v1/messages/{messageID}/events', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/messages/receive', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/messages/calls/missed', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/heartbeats', auth: 'phone', body: 'json' },
  { method: 'PUT', path: '/v1/phones/fcm-token', auth: 'phone', body: 'json' },
  { method: 'GET', path: '/v1/phones', auth: 'user' },
  { method: 'PUT', path: '/v1/phones', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/phones/{phoneID}', auth: 'user' },
  { method: 'GET', path: '/v1/heartbeats', auth: 'user' },
  { method: 'GET', path: '/v1/message-threads', auth: 'user' },
  { method: 'PUT', path: '/v1/message-threads/{messageThreadID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/message-threads/{messageThreadID}', auth: 'user' },
  { method: 'GET', path: '/v1/users/me', auth: 'user' },
  { method: 'PUT', path: '/v1/users/me', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/users/{userID}/api-keys', auth: 'user' },
  { method: 'GET', path: '/v1/phone-api-keys', auth: 'user' },
  { method: 'POST', path: '/v1/phone-api-keys', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/phone-api-keys/{phoneAPIKeyID}', auth: 'user' },
  { method: 'DELETE', path: '/v1/phone-api-keys/{phoneAPIKeyID}/phones/{phoneID}', auth: 'user' },
  { method: 'GET', path: '/v1/webhooks', auth: 'user' },
  { method: 'POST', path: '/v1/webhooks', auth: 'user', body: 'json' },
  { method: 'PUT', path: '/v1/webhooks/{webhookID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/webhooks/{webhookID}', auth: 'user' },
  { method: 'GET', path: '/v1/send-schedules', auth: 'user' },
  { method: 'POST', path: '/v1/send-schedules', auth: 'user', body: 'json' },
  { method: 'PUT', path: '/v1/send-schedules/{scheduleID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/send-schedules/{scheduleID}', auth: 'user' },
  { method: 'GET', path: '/v1/bulk-messages', auth: 'user' },
  { method: 'POST', path: '/v1/bulk-messages', auth: 'user', body: 'multipart' },
];

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const JSON_ROUTES = ROUTES.filter((r) => r.body === 'json');
const PHONE_JSON_ROUTES = new Set([
  'POST /v1/messages/{messageID}/events',
  'POST /v1/messages/receive',
  'POST /v1/messages/calls/missed',
  'POST /v1/heartbeats',
]);
/** Second path segments of every route: a path under /v1 with another one matches none. */
const V1_SEGMENTS = new Set([
  'messages',
  'phones',
  'heartbeats',
  'message-threads',
  'users',
  'phone-api-keys',
  'webhooks',
  'send-schedules',
  'bulk-messages',
  'openapi.json',
  'attachments',
]);

function limitOf(route: RouteDef): number {
  if (route.body === 'multipart') return BULK_LIMIT;
  return route.path === '/v1/messages/receive' ? RECEIVE_LIMIT : JSON_LIMIT;
}

/** Fills the `{params}` of a template with already-encoded segments. */
function fill(template: string, segments: readonly string[]): string {
  let i = 0;
  return template.replace(/\{\w+\}/g, () => segments[i++] ?? 'x');
}

function paramCount(template: string): number {
  return (template.match(/\{\w+\}/g) ?? []).length;
}

// ---------------------------------------------------------------------------
// Multipart bodies for the bulk-message upload.

function multipart(
  parts: readonly { field: string; fileName: string; type: string; data: Buffer }[],
  boundary = 'textport-hostile-boundary',
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.fileName}"\r\nContent-Type: ${p.type}\r\n\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const MULTIPART_TYPE = 'multipart/form-data; boundary=textport-hostile-boundary';

function csv(rows: readonly (readonly string[])[]): Buffer {
  const cell = (c: string) => `"${c.replaceAll('"', '""')}"`;
  return Buffer.from(rows.map((r) => r.map(cell).join(',')).join('\r\n'), 'utf8');
}

/** A bulk document that is refused as a whole (422). */
function invalidDocument(me: Side, other: Side): fc.Arbitrary<Buffer> {
  const header = ['FromPhoneNumber', 'ToPhoneNumber', 'Content', 'SendTime(optional)'];
  const good = (content: string) => [me.numbers[0] ?? '', CONTACTS[0] ?? '', content, ''];
  const badRow = fc.oneof(
    fc.constantFrom(...other.numbers).map((from) => [from, CONTACTS[0] ?? '', 'hi', '']),
    invalidPhoneInFile.map((from) => [from, CONTACTS[0] ?? '', 'hi', '']),
    invalidPhoneInFile.map((to) => [me.numbers[0] ?? '', to, 'hi', '']),
    oddOver(1024).map((content) => good(content)),
    withNul(oddWithin(200)).map((content) => good(content)),
    fc.constant(good('')),
    invalidTime
      .map(wellFormed)
      .filter(
        (t) =>
          parseTimestamp(t.trim()) === null &&
          !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$/.test(t.trim()),
      )
      .map((t) => [me.numbers[0] ?? '', CONTACTS[0] ?? '', 'hi', t]),
  );
  const parts = (doc: Buffer, type = 'text/csv', fileName = 'messages.csv') =>
    multipart([{ field: 'document', fileName, type, data: doc }]);
  return fc.oneof(
    fc
      .tuple(fc.array(oddWithin(200), { maxLength: 3 }), badRow, fc.nat(3))
      .map(([contents, bad, at]) => {
        const rows = contents.map(good);
        rows.splice(at % (rows.length + 1), 0, bad);
        return parts(csv([header, ...rows]));
      }),
    fc.constant(parts(csv([header]))),
    fc.constant(parts(csv([header, ...Array.from({ length: 1001 }, () => good('x'))]))),
    odd(0, 6).map((junk) => parts(csv([['From', 'To', junk], good('x')]))),
    fc
      .uint8Array({ maxLength: 2048 })
      .map((bytes) =>
        parts(
          Buffer.from(bytes),
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'x.xlsx',
        ),
      ),
    fc.constant(parts(Buffer.from('PK\x03\x04garbage'), 'application/zip', 'x.xlsx')),
    fc.constant(parts(csv([header, good('x')]), 'image/png', 'x.png')),
    fc.constant(
      multipart([
        { field: 'file', fileName: 'x.csv', type: 'text/csv', data: csv([header, good('x')]) },
      ]),
    ),
  );
}

// ---------------------------------------------------------------------------
// The generator.

function hostileRequests(w: World): fc.Arbitrary<Hostile> {
  const sides = fc.constantFrom<[Side, Side]>([w.a, w.b], [w.b, w.a]);
  const specs = new Map<Side, Record<string, BodySpec>>([
    [w.a, bodySpecs(w.a, w.b)],
    [w.b, bodySpecs(w.b, w.a)],
  ]);
  const specOf = (me: Side, key: string): BodySpec => {
    const spec = specs.get(me)?.[key];
    if (!spec) throw new Error(`no body spec for ${key}`);
    return spec;
  };
  const via = fc.constantFrom<Via>('http', 'http', 'http', 'api', 'api');
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const userKeys = [w.a.userKey, w.b.userKey];
  const phoneKeys = [w.a.phoneKey, w.b.phoneKey, w.a.spareKey, w.b.spareKey];
  const realKeys = [...userKeys, ...phoneKeys];

  const allIds = [w.a, w.b].flatMap((s) => [
    s.id,
    ...s.messageIds,
    ...s.threadIds,
    ...s.phoneIds,
    s.webhookId,
    s.scheduleId,
    s.phoneKeyId,
    s.spareKeyId,
  ]);
  /** Any id, encoded for a path: real ones of both accounts, random ones, garbage. */
  const anyId = fc.oneof(
    fc.constantFrom(...allIds),
    fc.uuid({ version: 4 }),
    notUuid.map(pct),
    fc.constantFrom('..', '.', '%2F', '%', '%E0%A4%A', '%00', 'a%2Fb'),
  );

  /** Credentials that authenticate nobody, for a route of `auth`. */
  const badCredentials = (auth: 'user' | 'phone') => {
    const header = (value: fc.Arbitrary<string>) =>
      value.map((v) => ({ headers: { 'x-api-key': v } as Headers, query: [] as string[] }));
    const real = fc.constantFrom(...realKeys);
    const options = [
      fc.constant({ headers: {} as Headers, query: [] as string[] }),
      header(fc.constantFrom('', 'undefined', 'null', 'uk_', 'pk_', 'Bearer', '*')),
      header(odd(1, 12)),
      header(
        fc
          .tuple(
            fc.constantFrom('uk_', 'pk_'),
            fc.array(fc.constantFrom(...B64URL), { minLength: 16, maxLength: 80 }),
          )
          .map(([p, c]) => p + c.join('')),
      ),
      header(
        fc.tuple(real, fc.nat(), fc.constantFrom(...B64URL)).map(([key, n, c]) => {
          const at = 3 + (n % (key.length - 3));
          const swap = key[at] === c ? (c === 'A' ? 'B' : 'A') : c;
          return key.slice(0, at) + swap + key.slice(at + 1);
        }),
      ),
      header(fc.tuple(real, fc.nat()).map(([key, n]) => key.slice(0, n % key.length))),
      header(
        fc
          .tuple(real, fc.constantFrom('x', '0', '=', '-', '_', '.', '~', '!'))
          .map(([k, c]) => k + c),
      ),
      header(real.map((k) => k.toUpperCase())),
      header(real.map((k) => (k.startsWith('uk_') ? 'pk_' : 'uk_') + k.slice(3))),
      header(real.map((k) => `Bearer ${k}`)),
      header(fc.constantFrom(...w.revoked)),
      fc.constantFrom(...userKeys).map((k) => ({
        headers: { authorization: `Bearer ${k}` } as Headers,
        query: [] as string[],
      })),
      fc
        .tuple(
          odd(1, 4).filter((s) => latin1Header(s).trim() !== ''),
          real,
        )
        .map(([junk, k]) => ({
          headers: { 'x-api-key': [junk, k] } as Headers,
          query: [] as string[],
        })),
      fc
        .constantFrom(...phoneKeys)
        .map((k) => ({ headers: {} as Headers, query: [`x-api-key=${k}`] })),
      odd(1, 6).map((junk) => ({ headers: {} as Headers, query: [`x-api-key=${pct(junk)}`] })),
      fc
        .tuple(fc.constantFrom(...phoneKeys), fc.constantFrom(...w.revoked))
        .map(([pk, revoked]) => ({
          headers: { 'x-api-key': '' } as Headers,
          query: [`x-api-key=${pk}`, `x-api-key=${revoked}`],
        })),
    ];
    if (auth === 'user') options.push(header(fc.constantFrom(...phoneKeys)));
    return fc.oneof(...options);
  };

  /** Any body: plausible, malformed, or none. */
  const anyPayload = (
    route: RouteDef,
    me: Side,
  ): fc.Arbitrary<{ headers: Headers; payload: Payload }> => {
    const none = fc.constant({ headers: {} as Headers, payload: { kind: 'none' } as Payload });
    const junk = fc.uint8Array({ maxLength: 512 }).map((bytes) => ({
      headers: json as Headers,
      payload: { kind: 'bytes', data: Buffer.from(bytes) } as Payload,
    }));
    if (route.body === 'multipart') {
      return fc.oneof(
        none,
        junk,
        invalidDocument(me, me).map((data) => ({
          headers: { 'content-type': MULTIPART_TYPE } as Headers,
          payload: { kind: 'bytes', data } as Payload,
        })),
      );
    }
    const spec = specs.get(me)?.[routeKey(route)];
    if (!spec) return fc.oneof(none, junk);
    return fc.oneof(
      none,
      junk,
      plausibleBody(spec).map((b) => ({
        headers: json as Headers,
        payload: { kind: 'bytes', data: jsonBytes(b) } as Payload,
      })),
    );
  };

  const idsFor = (route: RouteDef) =>
    fc.array(anyId, { minLength: paramCount(route.path), maxLength: paramCount(route.path) });

  // 1. No key, a garbage, revoked or mangled key, a key in the wrong place.
  const noKey = fc
    .tuple(sides, fc.constantFrom(...ROUTES), via)
    .chain(([[me], route, v]) =>
      fc.tuple(
        fc.constant(route),
        fc.constant(v),
        badCredentials(route.auth),
        idsFor(route),
        anyPayload(route, me),
      ),
    )
    .map(
      ([route, v, creds, ids, body]): Hostile => ({
        family: 'no or wrong key',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        query: creds.query.length > 0 ? creds.query.join('&') : undefined,
        headers: { ...body.headers, ...creds.headers },
        payload: body.payload,
        expect: [401],
      }),
    );

  // 2. A valid key of one account acting on the other account's ids and numbers.
  const otherAccount = fc
    .tuple(sides, via, fc.boolean(), fc.boolean(), fc.nat(2))
    .chain(([[me, other], v, inQuery, usePhone, pick]) => {
      const user: { headers: Headers; query: string[] } = inQuery
        ? { headers: {}, query: [`x-api-key=${me.userKey}`] }
        : { headers: { 'x-api-key': me.userKey }, query: [] };
      const phone = { headers: { 'x-api-key': me.phoneKey } as Headers, query: [] as string[] };
      const userOrPhone = usePhone && !inQuery ? phone : user;
      const notTheirs = [other.phoneKey, other.spareKey, me.spareKey][pick] ?? me.spareKey;
      const theirMessage = fc.constantFrom(...other.messageIds);
      const theirThread = fc.constantFrom(...other.threadIds);
      const theirPhone = fc.constantFrom(...other.phoneIds);
      const theirNumber = fc.constantFrom(...other.numbers);
      const spec = (key: string) => specOf(me, key);
      type Case = {
        method: string;
        path: string;
        auth?: { headers: Headers; query: string[] };
        params?: (readonly [string, string])[];
        body?: unknown;
        expect: number[];
        empty?: boolean;
      };
      const c = (a: fc.Arbitrary<Case>) => a;
      const cases: fc.Arbitrary<Case>[] = [
        c(theirMessage.map((id) => ({ method: 'GET', path: `/v1/messages/${id}`, expect: [404] }))),
        c(
          theirMessage.map((id) => ({
            method: 'DELETE',
            path: `/v1/messages/${id}`,
            expect: [404],
          })),
        ),
        c(
          theirMessage.map((id) => ({
            method: 'POST',
            path: `/v1/messages/${id}/cancel`,
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(theirMessage, plausibleBody(spec('POST /v1/messages/{messageID}/events')))
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: userOrPhone,
              body,
              expect: [404],
            })),
        ),
        c(
          theirMessage.map((id) => ({
            method: 'GET',
            path: '/v1/messages/outstanding',
            auth: userOrPhone,
            params: [['message_id', id]],
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(theirThread, plausibleBody(spec('PUT /v1/message-threads/{messageThreadID}')))
            .map(([id, body]) => ({
              method: 'PUT',
              path: `/v1/message-threads/${id}`,
              body: { is_archived: true, ...body },
              expect: [404],
            })),
        ),
        c(
          theirThread.map((id) => ({
            method: 'DELETE',
            path: `/v1/message-threads/${id}`,
            expect: [404],
          })),
        ),
        c(
          plausibleBody(spec('PUT /v1/webhooks/{webhookID}')).map((body) => ({
            method: 'PUT',
            path: `/v1/webhooks/${other.webhookId}`,
            body,
            expect: [404],
          })),
        ),
        c(
          fc.constant({ method: 'DELETE', path: `/v1/webhooks/${other.webhookId}`, expect: [404] }),
        ),
        c(theirPhone.map((id) => ({ method: 'DELETE', path: `/v1/phones/${id}`, expect: [404] }))),
        c(
          fc.constantFrom(other.phoneKeyId, other.spareKeyId).map((id) => ({
            method: 'DELETE',
            path: `/v1/phone-api-keys/${id}`,
            expect: [404],
          })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(other.phoneKeyId, other.spareKeyId),
              fc.constantFrom(...other.phoneIds, ...me.phoneIds),
            )
            .map(([key, phone]) => ({
              method: 'DELETE',
              path: `/v1/phone-api-keys/${key}/phones/${phone}`,
              expect: [404],
            })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(me.phoneKeyId, me.spareKeyId),
              fc.oneof(theirPhone, fc.uuid({ version: 4 })),
            )
            .map(([key, phone]) => ({
              method: 'DELETE',
              path: `/v1/phone-api-keys/${key}/phones/${phone}`,
              expect: [404],
            })),
        ),
        c(fc.constant({ method: 'DELETE', path: `/v1/users/${other.id}/api-keys`, expect: [401] })),
        c(
          plausibleBody(spec('PUT /v1/send-schedules/{scheduleID}')).map((body) => ({
            method: 'PUT',
            path: `/v1/send-schedules/${other.scheduleId}`,
            body,
            expect: [404],
          })),
        ),
        c(
          fc.constant({
            method: 'DELETE',
            path: `/v1/send-schedules/${other.scheduleId}`,
            expect: [404],
          }),
        ),
        c(
          fc
            .tuple(
              theirPhone,
              fc.option(fc.constantFrom('Europe/Berlin', 'UTC'), { nil: undefined }),
            )
            .map(([id, tz]) => ({
              method: 'PUT',
              path: '/v1/users/me',
              body: { active_phone_id: id, ...(tz ? { timezone: tz } : {}) },
              expect: [422],
            })),
        ),
        c(
          plausibleBody(spec('PUT /v1/phones')).map((body) => ({
            method: 'PUT',
            path: '/v1/phones',
            body: { ...body, message_send_schedule_id: other.scheduleId },
            expect: [422],
          })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/send')), theirNumber)
            .map(([body, from]) => ({
              method: 'POST',
              path: '/v1/messages/send',
              body: { ...body, from },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/bulk-send')), theirNumber)
            .map(([body, from]) => ({
              method: 'POST',
              path: '/v1/messages/bulk-send',
              body: { ...body, from },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(
              plausibleBody(spec('POST /v1/webhooks')),
              theirNumber,
              fc.constantFrom('POST', 'PUT'),
            )
            .map(([body, number, method]) => ({
              method,
              path: method === 'POST' ? '/v1/webhooks' : `/v1/webhooks/${me.webhookId}`,
              body: { ...body, phone_numbers: [number] },
              expect: [422],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/receive')), theirNumber)
            .map(([body, to]) => ({
              method: 'POST',
              path: '/v1/messages/receive',
              auth: phone,
              body: { ...body, to },
              expect: [401],
            })),
        ),
        c(
          fc
            .tuple(plausibleBody(spec('POST /v1/messages/calls/missed')), theirNumber)
            .map(([body, to]) => ({
              method: 'POST',
              path: '/v1/messages/calls/missed',
              auth: phone,
              body: { ...body, to },
              expect: [401],
            })),
        ),
        c(
          fc.tuple(theirNumber, fc.boolean()).map(([number, both]) => ({
            method: 'POST',
            path: '/v1/heartbeats',
            auth: phone,
            body: { phone_numbers: both ? [me.numbers[0], number] : [number], charging: both },
            expect: [401],
          })),
        ),
        // A phone key bound to no phone, for the account's own message; the other account's phone key for it.
        c(
          fc
            .tuple(
              fc.constantFrom(...me.messageIds),
              plausibleBody(spec('POST /v1/messages/{messageID}/events')),
            )
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: { headers: { 'x-api-key': me.spareKey }, query: [] },
              body,
              expect: [401],
            })),
        ),
        c(
          fc
            .tuple(
              fc.constantFrom(...me.messageIds),
              plausibleBody(spec('POST /v1/messages/{messageID}/events')),
            )
            .map(([id, body]) => ({
              method: 'POST',
              path: `/v1/messages/${id}/events`,
              auth: { headers: { 'x-api-key': other.phoneKey }, query: [] },
              body,
              expect: [404],
            })),
        ),
        c(
          fc.constantFrom(...me.messageIds).map((id) => ({
            method: 'GET',
            path: '/v1/messages/outstanding',
            auth: { headers: { 'x-api-key': notTheirs }, query: [] },
            params: [['message_id', id]],
            expect: [404],
          })),
        ),
        // Reads naming the other account's numbers and ids answer no rows.
        c(
          fc.tuple(theirNumber, fc.constantFrom(...CONTACTS)).map(([owner, contact]) => ({
            method: 'GET',
            path: '/v1/messages',
            params: [
              ['owner', owner],
              ['contact', contact],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          theirNumber.map((owner) => ({
            method: 'GET',
            path: '/v1/heartbeats',
            params: [
              ['owner', owner],
              ['limit', '100'],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.tuple(theirNumber, fc.constantFrom('true', 'false')).map(([owner, archived]) => ({
            method: 'GET',
            path: '/v1/message-threads',
            params: [
              ['owner', owner],
              ['is_archived', archived],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.tuple(theirNumber, theirMessage).map(([owner, id]) => ({
            method: 'GET',
            path: '/v1/messages/search',
            params: [
              ['owners', owner],
              ['query', id],
            ],
            expect: [200],
            empty: true,
          })),
        ),
        c(
          fc.constant({
            method: 'GET',
            path: `/v1/attachments/${other.id}/${other.receivedId}/0/attachment-0.png`,
            auth: { headers: {}, query: [] },
            expect: [404],
          }),
        ),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v), fc.constant(user));
    })
    .map(([kase, v, user]): Hostile => {
      const auth = kase.auth ?? user;
      const query = queryString(kase.params ?? [], auth.query);
      return {
        family: 'other account',
        via: v,
        method: kase.method,
        path: kase.path,
        query: query === '' ? undefined : query,
        headers: { ...(kase.body === undefined ? {} : json), ...auth.headers },
        payload:
          kase.body === undefined
            ? { kind: 'none' }
            : { kind: 'bytes', data: jsonBytes(kase.body) },
        expect: kase.expect,
        ...(kase.empty ? { empty: true } : {}),
      };
    });

  /** The actor's key for a route, and path ids that are never the actor's own. */
  const actorFor = (route: RouteDef, me: Side, other: Side) => {
    const key =
      route.auth === 'phone' && PHONE_JSON_ROUTES.has(routeKey(route)) ? me.phoneKey : me.userKey;
    const ids = fc.array(
      fc.oneof(
        fc.constantFrom(...other.messageIds, ...other.threadIds, other.webhookId, other.scheduleId),
        fc.uuid({ version: 4 }),
      ),
      { minLength: paramCount(route.path), maxLength: paramCount(route.path) },
    );
    return { headers: { 'x-api-key': key } as Headers, ids };
  };

  // 3. Malformed bodies: not JSON, cut short, wrong content type, not an object.
  const malformed = fc
    .tuple(sides, fc.constantFrom(...ROUTES.filter((r) => r.body !== undefined)), via)
    .chain(([[me, other], route, v]) => {
      const actor = actorFor(route, me, other);
      const spec = specs.get(me)?.[routeKey(route)];
      const plausible = spec ? plausibleBody(spec) : fc.constant({ x: 1 });
      const firstField = Object.keys(spec?.fields ?? { content: null })[0] ?? 'content';
      const withType = (type: string | undefined, data: Buffer) => ({
        type,
        data,
      });
      const bodies =
        route.body === 'multipart'
          ? fc.oneof(
              fc
                .uint8Array({ maxLength: 2048 })
                .map((b) => withType(MULTIPART_TYPE, Buffer.from(b))),
              fc.constant(withType('multipart/form-data', Buffer.from('--x\r\n\r\n'))),
              fc.constant(withType('multipart/form-data; boundary=', Buffer.from('--\r\n'))),
              invalidDocument(me, other).chain((doc) =>
                fc.nat(doc.length - 1).map((n) => withType(MULTIPART_TYPE, doc.subarray(0, n))),
              ),
              invalidDocument(me, other).map((doc) => withType('application/json', doc)),
              plausible.map((b) => withType('application/json', jsonBytes(b))),
            )
          : fc.oneof(
              plausible.chain((b) => {
                const text = JSON.stringify(b);
                return fc
                  .nat(text.length - 1)
                  .map((n) => withType('application/json', Buffer.from(text.slice(0, n))));
              }),
              fc
                .uint8Array({ maxLength: 512 })
                .filter((bytes) => {
                  try {
                    return !isPlainObject(JSON.parse(Buffer.from(bytes).toString('utf8')));
                  } catch {
                    return true;
                  }
                })
                .map((b) => withType('application/json', Buffer.from(b))),
              fc
                .tuple(
                  plausible,
                  fc.constantFrom(
                    undefined,
                    '',
                    'text/plain',
                    'text/json',
                    'application/x-www-form-urlencoded',
                    'multipart/form-data; boundary=x',
                    'application/json-seq',
                    'application/jsonx',
                    'json',
                    'application/xml',
                    '*/*',
                  ),
                )
                .map(([b, type]) => withType(type, jsonBytes(b))),
              plausible.map((b) =>
                withType(
                  'application/json',
                  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), jsonBytes(b)]),
                ),
              ),
              plausible.map((b) => withType('application/json', jsonBytes([b]))),
              fc
                .constantFrom(
                  'null',
                  '[]',
                  '""',
                  '0',
                  'true',
                  '"{}"',
                  'NaN',
                  '{',
                  '}',
                  '{"a":}',
                  "{'a':1}",
                  '{"a":1,}',
                  '\u0000',
                )
                .map((t) => withType('application/json', Buffer.from(t))),
              fc
                .integer({ min: 1, max: 200_000 })
                .map((depth) =>
                  withType('application/json', Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
                ),
              // Depth 1 would be a well-formed empty list (a validation error, 422); from
              // depth 2 the field holds a list of lists, the wrong JSON type.
              fc
                .integer({ min: 2, max: 50_000 })
                .map((depth) =>
                  withType(
                    'application/json',
                    Buffer.from(`{"${firstField}":${'['.repeat(depth)}${']'.repeat(depth)}}`),
                  ),
                ),
              plausible.map((b) =>
                withType('application/json', Buffer.from(`${JSON.stringify(b)} trailing`)),
              ),
            );
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        fc.constant(actor.headers),
        actor.ids,
        bodies,
      );
    })
    .map(([route, v, headers, ids, body]): Hostile => {
      const events = route.path.endsWith('/events');
      return {
        family: 'malformed body',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        headers: { ...headers, ...(body.type === undefined ? {} : { 'content-type': body.type }) },
        payload: { kind: 'bytes', data: body.data },
        // The events route reads a body the app's template broke (then: unknown message, 404);
        // a multipart body with no document part is 422.
        expect: events ? [400, 404] : route.body === 'multipart' ? [400, 422] : [400],
      };
    });

  // 4. JSON objects with a field of the wrong JSON type.
  const wrongTypes = fc
    .tuple(sides, fc.constantFrom(...JSON_ROUTES), via)
    .chain(([[me, other], route, v]) => {
      const actor = actorFor(route, me, other);
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        fc.constant(actor.headers),
        actor.ids,
        wrongTypedBody(specOf(me, routeKey(route))),
      );
    })
    .map(
      ([route, v, headers, ids, body]): Hostile => ({
        family: 'wrong JSON types',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        headers: { ...json, ...headers },
        payload: { kind: 'bytes', data: jsonBytes(body) },
        expect: [400],
      }),
    );

  // 5. Right JSON types, odd Unicode, and at least one field that fails validation.
  const invalidFields = fc
    .tuple(sides, via)
    .chain(([[me, other], v]) => {
      const spec = (key: string) => specOf(me, key);
      const userKey = { 'x-api-key': me.userKey };
      const phoneKey = { 'x-api-key': me.phoneKey };
      type Case = {
        method: string;
        path: string;
        headers: Headers;
        body: Buffer;
        type?: string;
        expect: readonly number[];
      };
      const jsonCase = (method: string, path: string, key: string, headers: Headers) =>
        invalidBody(spec(key)).map(
          (body): Case => ({
            method,
            path,
            headers,
            body: jsonBytes(body),
            expect: spec(key).invalidStatuses,
          }),
        );
      const invalidIdempotencyKey = fc.oneof(
        fc.constantFrom('', 'a b', 'tab\tinside', 'clé', 'ключ', '💥'),
        fc.integer({ min: 256, max: 400 }).map((n) => 'k'.repeat(n)),
      );
      const cases: fc.Arbitrary<Case>[] = [
        jsonCase('POST', '/v1/messages/send', 'POST /v1/messages/send', userKey),
        fc.tuple(plausibleBody(spec('POST /v1/messages/send')), invalidIdempotencyKey).map(
          ([body, key]): Case => ({
            method: 'POST',
            path: '/v1/messages/send',
            headers: { ...userKey, 'idempotency-key': key },
            body: jsonBytes(body),
            expect: [422],
          }),
        ),
        jsonCase('POST', '/v1/messages/bulk-send', 'POST /v1/messages/bulk-send', userKey),
        fc.tuple(plausibleBody(spec('POST /v1/messages/bulk-send')), invalidIdempotencyKey).map(
          ([body, key]): Case => ({
            method: 'POST',
            path: '/v1/messages/bulk-send',
            headers: { ...userKey, 'idempotency-key': key },
            body: jsonBytes(body),
            expect: [422],
          }),
        ),
        jsonCase('PUT', '/v1/phones', 'PUT /v1/phones', userKey),
        jsonCase('PUT', '/v1/users/me', 'PUT /v1/users/me', userKey),
        jsonCase('POST', '/v1/phone-api-keys', 'POST /v1/phone-api-keys', userKey),
        jsonCase('POST', '/v1/webhooks', 'POST /v1/webhooks', userKey),
        jsonCase('PUT', `/v1/webhooks/${me.webhookId}`, 'PUT /v1/webhooks/{webhookID}', userKey),
        jsonCase('POST', '/v1/send-schedules', 'POST /v1/send-schedules', userKey),
        jsonCase(
          'PUT',
          `/v1/send-schedules/${me.scheduleId}`,
          'PUT /v1/send-schedules/{scheduleID}',
          userKey,
        ),
        fc
          .constantFrom(userKey, phoneKey)
          .chain((h) => jsonCase('PUT', '/v1/phones/fcm-token', 'PUT /v1/phones/fcm-token', h)),
        jsonCase('POST', '/v1/heartbeats', 'POST /v1/heartbeats', phoneKey),
        jsonCase('POST', '/v1/messages/receive', 'POST /v1/messages/receive', phoneKey),
        fc
          .tuple(
            plausibleBody(spec('POST /v1/messages/receive')),
            unsupportedMediaType,
            fc.constantFrom(userKey, phoneKey),
          )
          .map(
            ([body, type, headers]): Case => ({
              method: 'POST',
              path: '/v1/messages/receive',
              headers,
              body: jsonBytes({
                ...body,
                attachments: [{ name: 'a.png', content_type: type, content: 'iVBORw0KGgo=' }],
              }),
              expect: [422],
            }),
          ),
        jsonCase('POST', '/v1/messages/calls/missed', 'POST /v1/messages/calls/missed', phoneKey),
        fc
          .constantFrom(...me.messageIds)
          .chain((id) =>
            jsonCase(
              'POST',
              `/v1/messages/${id}/events`,
              'POST /v1/messages/{messageID}/events',
              phoneKey,
            ),
          ),
        fc
          .constantFrom(...me.threadIds)
          .chain((id) =>
            jsonCase(
              'PUT',
              `/v1/message-threads/${id}`,
              'PUT /v1/message-threads/{messageThreadID}',
              userKey,
            ),
          ),
        invalidDocument(me, other).map(
          (body): Case => ({
            method: 'POST',
            path: '/v1/bulk-messages',
            headers: { ...userKey, 'content-type': MULTIPART_TYPE },
            body,
            expect: [422],
          }),
        ),
        // Bytes that are not UTF-8 in the content of a send from a number that is none.
        fc
          .tuple(plausibleBody(spec('POST /v1/messages/send')), invalidPhone)
          .map(([body, from]): Case => {
            const text = JSON.stringify({ ...body, from, content: '@@RAW@@' });
            const [head, tail] = text.split('@@RAW@@');
            return {
              method: 'POST',
              path: '/v1/messages/send',
              headers: userKey,
              body: Buffer.concat([
                Buffer.from(head ?? ''),
                Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
                Buffer.from(tail ?? ''),
              ]),
              expect: [422],
            };
          }),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v));
    })
    .map(
      ([kase, v]): Hostile => ({
        family: 'invalid fields',
        via: v,
        method: kase.method,
        path: kase.path,
        headers: { 'content-type': 'application/json; charset=utf-8', ...kase.headers },
        payload: { kind: 'bytes', data: kase.body },
        expect: kase.expect,
      }),
    );

  // 6. Reads with odd query values (never the phone's outstanding message of the reader).
  const oddValue = fc.oneof(
    odd(0, 8),
    fc.constantFrom(
      '-1',
      '0',
      '-0',
      '00001',
      '1e3',
      '0x10',
      '１２',
      '99999999999999999999',
      '2147483648',
      ' 1',
      'NaN',
      '',
    ),
    fc.integer({ min: 101, max: 400 }).chain((n) => oddOver(n)),
  );
  const rawQueryJunk = fc.array(
    fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      'a=%FF%FE',
      '&&',
      '=',
      'limit',
      'skip=%00',
      'x-api-key',
      '+++',
      '%2B1',
      'owner=%20%2B1',
    ),
    { maxLength: 3 },
  );
  const readRoutes: { path: string; params: string[]; phone?: boolean }[] = [
    { path: '/v1/messages', params: ['owner', 'contact', 'skip', 'limit', 'query'] },
    {
      path: '/v1/messages/search',
      params: ['owners', 'owners', 'types', 'statuses', 'skip', 'limit', 'query'],
    },
    { path: '/v1/phones', params: ['skip', 'limit', 'query'] },
    { path: '/v1/heartbeats', params: ['owner', 'skip', 'limit', 'query'] },
    { path: '/v1/message-threads', params: ['owner', 'is_archived', 'skip', 'limit', 'query'] },
    { path: '/v1/phone-api-keys', params: ['skip', 'limit', 'query'] },
    { path: '/v1/webhooks', params: ['skip', 'limit', 'query'] },
    { path: '/v1/send-schedules', params: ['skip', 'limit'] },
    { path: '/v1/bulk-messages', params: ['skip'] },
    { path: '/v1/users/me', params: ['timezone'] },
    { path: '/v1/messages/outstanding', params: ['message_id', 'message_id'], phone: true },
    { path: '/health', params: ['x'] },
  ];
  const badQuery = fc
    .tuple(sides, fc.constantFrom(...readRoutes), via)
    .chain(([[me, other], route, v]) => {
      const values = route.path.endsWith('/outstanding')
        ? fc.oneof(notUuid, fc.constantFrom(...other.messageIds), fc.uuid({ version: 4 }))
        : oddValue;
      const key = route.phone
        ? fc.constantFrom(me.userKey, me.phoneKey, me.spareKey)
        : fc.constant(me.userKey);
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        key,
        fc
          .subarray(route.params)
          .chain((names) =>
            fc.tuple(...names.map((name) => values.map((value) => [name, value] as const))),
          ),
        rawQueryJunk,
      );
    })
    .map(([route, v, key, params, junk]): Hostile => {
      // Below Node's 16 KiB header limit (a longer URL is answered 431 by Node itself).
      let kept = [...params];
      while (kept.length > 0 && queryString(kept, junk).length > 8000) kept = kept.slice(0, -1);
      const query = queryString(kept, junk);
      return {
        family: 'bad query',
        via: v,
        method: 'GET',
        path: route.path,
        query: query === '' ? undefined : query,
        headers: { 'x-api-key': key },
        payload: { kind: 'none' },
        expect: route.phone ? [404, 422] : [200, 422],
      };
    });

  // 7. Unknown paths and methods, ids that are no UUID, preflights, public routes.
  const anyAuth = (me: Side) =>
    fc.oneof(
      fc.constant({} as Headers),
      fc
        .constantFrom(me.userKey, me.phoneKey, me.spareKey)
        .map((k) => ({ 'x-api-key': k }) as Headers),
    );
  const unknownPath = fc.oneof(
    fc
      .tuple(odd(1, 4), fc.array(odd(0, 3), { maxLength: 3 }))
      .filter(([first]) => !V1_SEGMENTS.has(first))
      .map(([first, rest]) => `/v1/${[first, ...rest].map(pct).join('/')}`),
    fc
      .tuple(
        fc.constantFrom(
          '/v2',
          '/V1',
          '/api/v1',
          '/v1x',
          '/%76%31',
          '/.well-known',
          '/v1/messages%2Fsend',
          '/v1/%2e%2e',
        ),
        fc.constantFrom(...ROUTES).map((r) => r.path.replace(/^\/v1/, '')),
      )
      .map(([prefix, rest]) => `${prefix}${rest}`),
    fc.constantFrom(
      '/',
      '/favicon.ico',
      '/v1',
      '/v1/',
      '//',
      '/health/x',
      '/../../etc/passwd',
      '/v1/openapi.json/x',
    ),
  );
  const badRoute = fc
    .tuple(sides, via)
    .chain(([[me, other], v]) => {
      type Case = Omit<Hostile, 'family' | 'via' | 'payload'> & { body?: Buffer; via?: Via };
      const auth = anyAuth(me);
      const cases: fc.Arbitrary<Case>[] = [
        // No route has these methods.
        fc
          .tuple(
            fc.constantFrom('PATCH', 'TRACE', 'FOO', 'PROPFIND', 'LINK', 'PURGE'),
            fc.oneof(
              fc.constantFrom(...ROUTES).chain((r) => idsFor(r).map((ids) => fill(r.path, ids))),
              unknownPath,
            ),
            auth,
          )
          // Node's parser refuses methods it does not know (400) before any handler: those in process.
          .map(([method, path, headers]) => ({
            method,
            path,
            headers,
            expect: [404],
            ...(method === 'FOO' ? { via: 'api' as const } : {}),
          })),
        // No route serves these paths.
        fc
          .tuple(
            fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
            unknownPath,
            auth,
            anyPayload(ROUTES[0] as RouteDef, me),
          )
          .map(([method, path, headers, body]) => ({
            method,
            path,
            headers: { ...body.headers, ...headers },
            ...(body.payload.kind === 'bytes' ? { body: body.payload.data } : {}),
            expect: [404],
          })),
        // Known paths with a method they lack: 404, or another route that refuses the id.
        fc
          .tuple(fc.constantFrom(...ROUTES), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), auth)
          .filter(([r, m]) => !ROUTES.some((x) => x.path === r.path && x.method === m))
          .chain(([r, m, headers]) =>
            idsFor(r).map((ids) => ({ method: m, path: fill(r.path, ids), headers })),
          ),
        // Ids that are no UUID, with the actor's key; ids with a `.` are parts of a multipart SMS (204).
        fc.constantFrom(...ROUTES.filter((r) => paramCount(r.path) > 0)).chain((r) =>
          fc
            .tuple(
              fc.array(
                fc.oneof(
                  notUuid.map(pct),
                  fc.constantFrom(...other.messageIds).map((id) => id.toUpperCase()),
                  fc.constantFrom(...me.messageIds, ...other.messageIds).map((id) => `${id}.1`),
                ),
                { minLength: paramCount(r.path), maxLength: paramCount(r.path) },
              ),
              r.body === 'json'
                ? plausibleBody(specOf(me, routeKey(r))).map((b) => jsonBytes(b))
                : fc.constant(undefined),
            )
            .map(([ids, body]) => ({
              method: r.method,
              path: fill(r.path, ids),
              headers: {
                'x-api-key': r.path.endsWith('/events') ? me.phoneKey : me.userKey,
                ...(body ? json : {}),
              },
              ...(body ? { body } : {}),
              expect: r.path.endsWith('/events') ? [204, 404, 422] : [400, 401, 404, 422],
            })),
        ),
        // Preflights: 204 where a route serves the path, else 404.
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom(...ROUTES).chain((r) => idsFor(r).map((ids) => fill(r.path, ids))),
              unknownPath,
            ),
            odd(0, 6),
          )
          .map(([path, requested]) => ({
            method: 'OPTIONS',
            path,
            headers: {
              origin: 'https://evil.example',
              'access-control-request-headers': requested,
            },
            expect: [204, 404],
          })),
        // HEAD of reads without a key.
        fc.constantFrom(...ROUTES.filter((r) => r.method === 'GET')).chain((r) =>
          idsFor(r).map((ids) => ({
            method: 'HEAD',
            path: fill(r.path, ids),
            headers: {},
            expect: [401],
          })),
        ),
        // Public routes with junk.
        fc
          .tuple(
            fc.array(fc.oneof(anyId, odd(1, 3).map(pct)), { minLength: 4, maxLength: 4 }),
            fc.constantFrom('GET', 'HEAD'),
          )
          .map(([segments, method]) => ({
            method,
            path: `/v1/attachments/${segments.join('/')}`,
            headers: {},
            expect: [404],
          })),
        fc
          .tuple(fc.constantFrom('/health', '/v1/openapi.json'), odd(0, 4), auth)
          .map(([path, junk, headers]) => ({
            method: 'GET',
            path,
            query: queryString([['junk', junk]]),
            headers,
            expect: [200],
          })),
        fc
          .tuple(
            fc.constantFrom('/health', '/v1/openapi.json'),
            fc.constantFrom('POST', 'PUT', 'DELETE'),
          )
          .map(([path, method]) => ({ method, path, headers: {}, expect: [404] })),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v));
    })
    .map(([kase, v]): Hostile => {
      const { body, ...rest } = kase;
      return {
        family: 'bad route',
        via: v,
        ...rest,
        payload: body ? { kind: 'bytes', data: body } : { kind: 'none' },
      };
    });

  // 8. Bodies over the route's limit: declared, streamed (chunked), and given in process.
  const overLimit = fc
    .tuple(
      sides,
      fc.constantFrom(...ROUTES.filter((r) => r.body !== undefined)),
      fc.constantFrom('length', 'chunked', 'buffer', 'string'),
      fc.boolean(),
    )
    .filter(([, route, form]) => route.body === 'json' || form === 'length' || form === 'buffer')
    .chain(([[me, other], route, form, keyed]) => {
      const spec = specs.get(me)?.[routeKey(route)];
      const base = spec ? plausibleBody(spec) : fc.constant({});
      const limit = limitOf(route);
      return fc.tuple(
        fc.constant(route),
        fc.constant(form),
        keyed
          ? fc.constant({ 'x-api-key': route.auth === 'phone' ? me.phoneKey : me.userKey })
          : badCredentials(route.auth).map((c) => c.headers),
        fc.constant(keyed),
        actorFor(route, me, other).ids,
        base,
        fc.integer({ min: 1, max: limit >= RECEIVE_LIMIT ? 256 * 1024 : MIB / 2 }),
      );
    })
    .map(([route, form, headers, keyed, ids, body, extra]): Hostile => {
      const size = limitOf(route) + extra;
      const json = JSON.stringify(body);
      const type = route.body === 'multipart' ? MULTIPART_TYPE : 'application/json';
      return {
        family: 'over the limit',
        via: form === 'length' || form === 'chunked' ? 'http' : 'api',
        method: route.method,
        path: fill(route.path, ids),
        headers: { 'content-type': type, ...headers },
        payload: {
          kind: 'padded',
          json,
          size,
          chunked: form === 'chunked',
          asString: form === 'string',
        },
        expect: keyed ? [413] : [401],
      };
    });

  // 9. Broken HTTP framing on a raw socket.
  const rawRequest = (lines: string[], body = '') =>
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  const brokenHttp = fc.tuple(sides, fc.nat(9), fc.nat(10_000)).map(([[me], kind, n]): Hostile => {
    const key = `x-api-key: ${me.userKey}`;
    const host = 'Host: 127.0.0.1';
    const sendBody = JSON.stringify({ from: me.numbers[0], to: CONTACTS[0], content: 'cut short' });
    const cut = sendBody.slice(0, 1 + (n % (sendBody.length - 1)));
    const variants: { bytes: Buffer; abort: boolean }[] = [
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${sendBody.length + 10}`,
          ],
          cut,
        ),
        abort: true,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
          ],
          `${cut.length.toString(16)}\r\n${cut}\r\n`,
        ),
        abort: true,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
          ],
          'zz\r\nxx\r\n0\r\n\r\n',
        ),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
            `content-length: ${sendBody.length}`,
          ],
          sendBody,
        ),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${sendBody.length}`,
            `content-length: ${sendBody.length + 1}`,
          ],
          sendBody,
        ),
        abort: false,
      },
      {
        bytes: rawRequest([`GET /v1/phones HTTP/${['9.9', '2.0', '1.x', ''][n % 4]}`, host, key]),
        abort: false,
      },
      { bytes: Buffer.from([0, 1, 2, 3, 13, 10, 13, 10]), abort: false },
      {
        bytes: rawRequest([
          'GET /v1/phones HTTP/1.1',
          host,
          `x-api-key: ${me.userKey.slice(0, 10)}\u0000${me.userKey.slice(10)}`,
        ]),
        abort: false,
      },
      {
        bytes: rawRequest([
          'GET /v1/phones HTTP/1.1',
          host,
          key,
          `x-junk: ${'a'.repeat(20_000 + n)}`,
        ]),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${['abc', '-1', '1.5', '0x10'][n % 4]}`,
          ],
          sendBody,
        ),
        abort: false,
      },
    ];
    const raw = variants[kind % variants.length] ?? variants[0];
    return {
      family: 'broken HTTP',
      via: 'raw',
      method: 'RAW',
      path: `variant ${kind}`,
      headers: {},
      payload: { kind: 'none' },
      ...(raw ? { raw } : {}),
    };
  });

  // 10. In process: what an adapter may hand over (header lists, parsed queries and bodies, odd paths).
  const adapterOddities = fc
    .tuple(sides)
    .chain(([[me, other]]) => {
      const spec = (key: string) => specOf(me, key);
      type Case = Omit<Hostile, 'family' | 'via'>;
      const cases: fc.Arbitrary<Case>[] = [
        fc
          .tuple(
            fc.constantFrom(...JSON_ROUTES),
            fc.oneof(fc.constant('wrong'), fc.constant('invalid'), fc.constant('shape')),
          )
          .chain(([route, how]) => {
            const s = spec(routeKey(route));
            const value =
              how === 'wrong'
                ? wrongTypedBody(s)
                : how === 'invalid'
                  ? invalidBody(s)
                  : fc.oneof(
                      fc.constantFrom(null, 0, 'x', true, [], [{}]),
                      fc.array(plausibleBody(s), { minLength: 1, maxLength: 2 }),
                    );
            return fc.tuple(actorFor(route, me, other).ids, value).map(([ids, v]) => ({
              method: route.method,
              path: route.path.includes('{') ? fill(route.path, ids) : route.path,
              headers: {
                'x-api-key': PHONE_JSON_ROUTES.has(routeKey(route)) ? me.phoneKey : me.userKey,
                'content-type': 'application/json',
              },
              payload: { kind: 'parsed', value: v } as Payload,
              // Invalid fields on another account's id may meet the 404 first.
              expect:
                how !== 'invalid'
                  ? [400]
                  : route.path.includes('/{')
                    ? [...s.invalidStatuses, 404]
                    : s.invalidStatuses,
            }));
          }),
        fc.tuple(odd(1, 4), fc.constantFrom(...userKeys)).map(([junk, key]) => ({
          method: 'GET',
          path: '/v1/users/me',
          headers: { 'x-api-key': [junk, key] },
          payload: { kind: 'none' } as Payload,
          expect: [401],
        })),
        fc
          .tuple(fc.constantFrom(...ROUTES), odd(1, 4), badCredentials('user'))
          .map(([route, junk, creds]) => ({
            method: route.method.toLowerCase(),
            path: route.path.replace(/\{\w+\}/g, junk),
            headers: creds.headers,
            payload: { kind: 'none' } as Payload,
            // A phone key is a key on phone routes; with no body those refuse anyway.
            expect: [204, 400, 401, 404, 422],
          })),
        fc
          .tuple(
            fc.constantFrom(
              '/v1/messages',
              '/v1/messages/search',
              '/v1/phones',
              '/v1/heartbeats',
              '/v1/message-threads',
              '/v1/webhooks',
            ),
            fc.dictionary(
              fc.constantFrom(
                'owner',
                'owners',
                'contact',
                'skip',
                'limit',
                'query',
                'types',
                'statuses',
                'is_archived',
                'x-api-key',
              ),
              fc.oneof(
                fc.integer(),
                fc.boolean(),
                fc.constant(null),
                fc.constant({ nested: { deeper: ['x'] } }),
                fc.array(fc.oneof(odd(0, 3), fc.integer(), fc.constant(null)), { maxLength: 3 }),
                odd(0, 6),
              ),
            ),
          )
          .map(([path, query]) => ({
            method: 'GET',
            path,
            query,
            headers: { 'x-api-key': me.userKey },
            payload: { kind: 'none' } as Payload,
            expect: [200, 422],
          })),
        fc
          .tuple(fc.constantFrom(...ROUTES), odd(0, 3))
          .map(([route, junk]) => ({
            method: route.method,
            path: `${junk}${route.path.replace(/^\//, '')}`,
            headers: { 'x-api-key': me.userKey },
            payload: { kind: 'none' } as Payload,
          }))
          .filter((c) => !c.path.startsWith('/')),
        fc
          .tuple(fc.constantFrom(...ROUTES.filter((r) => paramCount(r.path) > 0)), odd(1, 4))
          .map(([route, junk]) => ({
            method: route.method,
            path: route.path.replace(/\{\w+\}/g, junk.replaceAll('/', '')),
            headers: { 'x-api-key': route.auth === 'phone' ? me.spareKey : me.userKey },
            payload: { kind: 'none' } as Payload,
            expect: route.path.endsWith('/events')
              ? [204, 400, 401, 404, 422]
              : [400, 401, 404, 422],
          })),
      ];
      return fc.oneof(...cases);
    })
    .map((c): Hostile => ({ family: 'adapter oddities', via: 'api', ...c }));

  return fc.oneof(
    { weight: 22, arbitrary: noKey },
    { weight: 20, arbitrary: otherAccount },
    { weight: 12, arbitrary: malformed },
    { weight: 10, arbitrary: wrongTypes },
    { weight: 14, arbitrary: invalidFields },
    { weight: 8, arbitrary: badQuery },
    { weight: 8, arbitrary: badRoute },
    { weight: 3, arbitrary: overLimit },
    { weight: 1, arbitrary: brokenHttp },
    { weight: 2, arbitrary: adapterOddities },
  );
}

// ---------------------------------------------------------------------------
// Sending.

function payloadBytes(payload: Payload): Buffer | undefined {
  switch (payload.kind) {
    case 'none':
    case 'parsed':
      return undefined;
    case 'bytes':
      return payload.data;
    case 'string':
      return Buffer.from(payload.text, 'utf8');
    case 'padded': {
      const head = Buffer.from(payload.json, 'utf8');
      return Buffer.concat([head, Buffer.alloc(Math.max(0, payload.size - head.length), 0x20)]);
    }
  }
}

async function inProcess(api: HttpApi, h: Hostile): Promise<Outcome> {
  const headers: Record<string, string | string[]> = { ...h.headers };
  let body: unknown;
  if (h.payload.kind === 'parsed') body = h.payload.value;
  else if (h.payload.kind === 'string') body = h.payload.text;
  else if (h.payload.kind === 'padded' && h.payload.asString)
    body = payloadBytes(h.payload)?.toString('utf8');
  else body = payloadBytes(h.payload);
  if (Buffer.isBuffer(body) && headers['content-length'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  const request: HttpRequest = {
    method: h.method,
    path: h.path,
    ...(h.query === undefined ? {} : { query: h.query }),
    headers,
    ...(body === undefined ? {} : { body }),
  };
  const response = await api.handle(request);
  // No route: an adapter passes the request on (the node handler answers 404).
  if (response === null) return { status: 404, body: '', passedOn: true };
  const text =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : Buffer.from(response.body).toString('utf8');
  return { status: response.status, contentType: response.headers['content-type'], body: text };
}

function overHttp(port: number, agent: Agent, h: Hostile): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(h.headers)) {
      headers[name] = Array.isArray(value) ? value.map(latin1Header) : latin1Header(value);
    }
    const data = payloadBytes(h.payload);
    const chunked =
      (h.payload.kind === 'bytes' || h.payload.kind === 'padded') && h.payload.chunked === true;
    // Node frames a body of GET or DELETE only with an explicit length.
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else if (data) headers['content-length'] = String(data.length);
    const query = typeof h.query === 'string' ? h.query : undefined;
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({
        host: '127.0.0.1',
        port,
        agent,
        method: h.method,
        path: query === undefined ? h.path : `${h.path}?${query}`,
        headers,
      });
    } catch (error) {
      resolve({
        status: null,
        body: '',
        error: `the client refused to send it: ${(error as Error).message}`,
      });
      return;
    }
    req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? null,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (error) =>
        resolve({
          status: res.statusCode ?? null,
          body: '',
          error: `answer cut: ${error.message}`,
        }),
      );
    });
    req.on('error', (error) => resolve({ status: null, body: '', error: error.message }));
    if (chunked && data) {
      for (let at = 0; at < data.length; at += 64 * 1024)
        req.write(data.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(data);
    }
  });
}

function overRawSocket(port: number, h: Hostile): Promise<Outcome> {
  const raw = h.raw;
  if (!raw) return Promise.resolve({ status: null, body: '', error: 'no raw bytes' });
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) =>
        Number(m[1]),
      );
      resolve({ status: statuses[0] ?? null, statuses, body: text.slice(0, 500) });
    };
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(raw.bytes, () => {
      if (raw.abort) setTimeout(() => socket.destroy(), 20);
      else socket.end();
    });
  });
}

// ---------------------------------------------------------------------------
// Judging.

function describeRequest(h: Hostile): string {
  const preview = (b: Buffer | undefined) => {
    if (!b) return '(none)';
    const text = b.subarray(0, 600).toString('utf8');
    return `${b.length} bytes: ${JSON.stringify(text)}${b.length > 600 ? '…' : ''}`;
  };
  const body =
    h.payload.kind === 'parsed'
      ? `parsed ${JSON.stringify(h.payload.value)?.slice(0, 600)}`
      : h.payload.kind === 'padded'
        ? `${h.payload.json.slice(0, 300)} padded to ${h.payload.size} bytes${h.payload.chunked ? ', chunked' : ''}${h.payload.asString ? ', as a string' : ''}`
        : preview(payloadBytes(h.payload));
  return [
    `family:  ${h.family} (${h.via})`,
    h.raw
      ? `raw:     ${JSON.stringify(h.raw.bytes.subarray(0, 400).toString('latin1'))}${h.raw.abort ? ' then dropped' : ''}`
      : `request: ${h.method} ${h.path}${typeof h.query === 'string' ? `?${h.query}` : h.query ? ` query ${JSON.stringify(h.query)}` : ''}`,
    `headers: ${JSON.stringify(h.headers).slice(0, 600)}`,
    `body:    ${body}`,
    `expect:  ${h.expect ? h.expect.join(' or ') : 'a 4xx'}`,
  ].join('\n');
}

function envelopeProblem(status: number, body: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the error body is not JSON';
  }
  if (!isPlainObject(value)) return 'the error body is not an object';
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => !['status', 'message', 'data'].includes(k));
  if (extra.length > 0) return `the envelope has other keys: ${extra.join(', ')}`;
  if (v.status !== 'error') return 'the envelope status is not "error"';
  if (typeof v.message !== 'string' || v.message === '') return 'the envelope has no message';
  if (status === 422) {
    if (!isPlainObject(v.data)) return 'a 422 envelope has no field map';
    for (const messages of Object.values(v.data as Record<string, unknown>)) {
      if (!Array.isArray(messages) || !messages.every((m) => typeof m === 'string')) {
        return 'a 422 field map holds something else than lists of strings';
      }
    }
  }
  if ((status === 400 || status === 401) && typeof v.data !== 'string') {
    return `a ${status} envelope has no text in data`;
  }
  return null;
}

function judge(h: Hostile, o: Outcome): string | null {
  if (h.via === 'raw') {
    const high = (o.statuses ?? []).filter((s) => s >= 500);
    return high.length > 0 ? `the server answered ${high.join(', ')}` : null;
  }
  if (o.status === null) return `no answer: ${o.error ?? 'unknown error'}`;
  if (o.error) return `the answer was cut: ${o.error}`;
  if (o.status >= 500) return `answered ${o.status}`;
  if (h.expect ? !h.expect.includes(o.status) : o.status < 400) {
    return `answered ${o.status}, expected ${h.expect ? h.expect.join(' or ') : 'a 4xx'}`;
  }
  const json = o.contentType?.startsWith('application/json') ?? false;
  if (o.status >= 400 && h.method !== 'HEAD' && o.status !== 431 && !o.passedOn) {
    if (!json) return `a ${o.status} without the JSON envelope (content-type ${o.contentType})`;
    const problem = envelopeProblem(o.status, o.body);
    if (problem) return problem;
  }
  if (o.status < 300 && json && h.method !== 'HEAD' && o.body !== '') {
    const value = JSON.parse(o.body) as { status?: unknown; data?: unknown };
    if (!h.path.endsWith('openapi.json') && value.status !== 'success')
      return 'a 2xx without the success envelope';
    if (h.empty && !(Array.isArray(value.data) && value.data.length === 0)) {
      return `a read of another account's numbers answered rows: ${o.body.slice(0, 300)}`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------

interface Logged {
  message: string;
  detail: string;
  during: string;
}

const STORES: {
  name: string;
  open: () => Promise<HostileStore>;
  skip: false | string;
  requests: number;
}[] = [
  { name: 'SQLite', open: openSqlite, skip: false, requests: HOSTILE_REQUESTS },
  {
    name: 'Postgres',
    open: () => openPostgres(DATABASE_URL ?? ''),
    skip: PG_SKIP,
    requests: HOSTILE_PG_REQUESTS,
  },
];

for (const { name, open, skip, requests: REQUESTS } of STORES) {
  describe.skipIf(skip !== false)(
    `hostile requests on ${name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let db: HostileStore;
      let gateway: Gateway;
      let server: Server;
      let port = 0;
      let api: HttpApi;
      let world: World;
      /** The write mark of the migrated, empty store. */
      let empty = '';
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const errors: Logged[] = [];
      const unhandled: string[] = [];
      const puts: string[] = [];
      let current = '(setup)';
      let inflight = 0;
      const perform = (h: Hostile, over: Agent) =>
        h.via === 'raw'
          ? overRawSocket(port, h)
          : h.via === 'api'
            ? inProcess(api, h)
            : overHttp(port, over, h);
      const onUnhandled = (reason: unknown) => {
        unhandled.push(`${String((reason as Error)?.stack ?? reason)}\nduring: ${current}`);
      };
      const onUncaught = (error: Error) => {
        unhandled.push(`uncaught: ${String(error?.stack ?? error)}\nduring: ${current}`);
      };

      beforeAll(async () => {
        process.on('unhandledRejection', onUnhandled);
        process.on('uncaughtException', onUncaught);
        db = await open();
        empty = await db.writeMark();
        const logger: Logger = {
          debug: () => {},
          info: () => {},
          warn: () => {},
          error: (obj, msg) => {
            const err = (obj as { err?: Error } | undefined)?.err;
            errors.push({
              message: msg ?? '',
              detail: String(err?.stack ?? JSON.stringify(obj)),
              during: current,
            });
          },
        };
        const memory = createMemoryAttachmentStore();
        const attachments: AttachmentStore = {
          async put(key, file) {
            puts.push(`${key} during ${current}`);
            await memory.put(key, file);
          },
          get: (key) => memory.get(key),
          async delete(key) {
            puts.push(`delete ${key} during ${current}`);
            await memory.delete(key);
          },
        };
        gateway = createGateway({ store: db.store, logger, attachments });
        world = await seedWorld(gateway);
        puts.length = 0;
        api = createHttpApi(gateway);
        const handler = createNodeHandler(gateway);
        server = createServer((req, res) => {
          inflight++;
          res.on('close', () => inflight--);
          handler(req, res);
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });

      afterAll(async () => {
        process.off('unhandledRejection', onUnhandled);
        process.off('uncaughtException', onUncaught);
        agent.destroy();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await db?.close();
      });

      it('every route of the API is known to the generator', () => {
        const served = api.routes
          .filter((r) => r.auth !== 'public')
          .map((r) => `${routeKey(r)} ${r.auth}`)
          .sort();
        const known = ROUTES.map((r) => `${routeKey(r)} ${r.auth}`).sort();
        expect(known).toEqual(served);
      });

      it(`${REQUESTS} hostile requests: no 5xx, no crash, nothing written`, async () => {
        const before = await db.snapshot();
        const seeded = await db.writeMark();
        expect(seeded, 'the write detector sees the seeding').not.toBe(empty);
        let mark = seeded;
        const tally = new Map<string, Map<string, number>>();
        let sent = 0;
        const vias = new Map<Via, number>();
        const started = Date.now();

        await fc.assert(
          fc.asyncProperty(hostileRequests(world), async (h) => {
            current = describeRequest(h);
            const loggedBefore = errors.length;
            const unhandledBefore = unhandled.length;
            const outcome = await perform(h, agent);
            if (h.via === 'raw' || outcome.status === null) {
              // Let the server finish with a connection the client dropped.
              await waitFor('the server to finish the dropped request', () =>
                inflight === 0 ? true : undefined,
              );
              await sleep(5);
            }
            sent++;
            vias.set(h.via, (vias.get(h.via) ?? 0) + 1);
            const family = tally.get(h.family) ?? new Map<string, number>();
            const key = outcome.status === null ? 'none' : String(outcome.status);
            family.set(key, (family.get(key) ?? 0) + 1);
            tally.set(h.family, family);

            const now = await db.writeMark();
            const wrote = now !== mark;
            mark = now;
            const problems = [
              judge(h, outcome),
              wrote ? `it wrote to the store (${db.name})` : null,
              errors.length > loggedBefore
                ? `the gateway logged an error: ${errors
                    .slice(loggedBefore)
                    .map((e) => `${e.message}: ${e.detail.split('\n').slice(0, 3).join(' | ')}`)
                    .join('; ')}`
                : null,
              puts.length > 0 ? `an attachment was stored: ${puts[0]}` : null,
              unhandled.length > unhandledBefore
                ? `an uncaught exception or unhandled rejection: ${unhandled.slice(unhandledBefore).join('; ').split('\nduring:')[0]}`
                : null,
            ].filter((p): p is string => p !== null);
            if (problems.length > 0) {
              throw new Error(
                `${problems.join('\n')}\n${describeRequest(h)}\nanswer:  ${outcome.status} ${outcome.body.slice(0, 600)}`,
              );
            }
          }),
          {
            numRuns: REQUESTS,
            ...(SEED === undefined ? {} : { seed: SEED }),
            endOnFailure: false,
          },
        );
        current = '(after the run)';

        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const lines = [...tally.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([family, statuses]) => {
            const total = [...statuses.values()].reduce((x, y) => x + y, 0);
            const detail = [...statuses.entries()]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([s, n]) => `${s}×${n}`)
              .join(' ');
            return `  ${family.padEnd(18)} ${String(total).padStart(6)}  ${detail}`;
          });
        const split = (['http', 'api', 'raw'] as const)
          .map((v) => `${v} ${vias.get(v) ?? 0}`)
          .join(', ');
        console.log(
          `hostile requests on ${db.name}: ${sent} in ${seconds} s (${split})\n${lines.join('\n')}`,
        );

        // The server still serves, over a fresh connection too.
        const health = await overHttp(port, new Agent({ keepAlive: false }), {
          family: 'health',
          via: 'http',
          method: 'GET',
          path: '/health',
          headers: {},
          payload: { kind: 'none' },
        });
        expect(health.status).toBe(200);
        const me = await overHttp(port, agent, {
          family: 'health',
          via: 'http',
          method: 'GET',
          path: '/v1/users/me',
          headers: { 'x-api-key': world.a.userKey },
          payload: { kind: 'none' },
        });
        expect(me.status).toBe(200);

        expect(unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          errors.map((e) => `${e.message} during\n${e.during}`),
          'errors logged',
        ).toEqual([]);
        expect(puts, 'attachments stored').toEqual([]);
        expect(await db.writeMark(), 'rows written to the store').toBe(seeded);
        expect(await db.snapshot()).toEqual(before);
      });

      it('a fifth as many again, 16 at a time: still no 5xx and nothing written', async () => {
        const before = await db.snapshot();
        const mark = await db.writeMark();
        const seed = SEED ?? Date.now() % 2_147_483_647;
        const requests = fc.sample(hostileRequests(world), {
          numRuns: Math.max(1, Math.ceil(REQUESTS / 5)),
          seed,
        });
        const parallel = new Agent({ keepAlive: true, maxSockets: 16 });
        const failures: string[] = [];
        current = `(parallel run, seed ${seed})`;
        let next = 0;
        const worker = async () => {
          for (let h = requests[next++]; h !== undefined; h = requests[next++]) {
            const outcome = await perform(h, parallel);
            const problem = judge(h, outcome);
            if (problem) {
              failures.push(
                `${problem}\n${describeRequest(h)}\nanswer:  ${outcome.status} ${outcome.body.slice(0, 300)}`,
              );
            }
          }
        };
        try {
          await Promise.all(Array.from({ length: 16 }, worker));
        } finally {
          parallel.destroy();
        }
        await waitFor('the server to finish every request', () =>
          inflight === 0 ? true : undefined,
        );
        await sleep(20);
        expect(failures.slice(0, 3), `${failures.length} failed requests (seed ${seed})`).toEqual(
          [],
        );
        expect(unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          errors.map((e) => `${e.message}: ${e.detail.split('\n')[0]}`),
          'errors logged',
        ).toEqual([]);
        expect(puts, 'attachments stored').toEqual([]);
        expect(await db.writeMark(), 'rows written to the store').toBe(mark);
        expect(await db.snapshot()).toEqual(before);
        expect(
          (
            await perform(
              {
                family: 'health',
                via: 'http',
                method: 'GET',
                path: '/health',
                headers: {},
                payload: { kind: 'none' },
              },
              agent,
            )
          ).status,
        ).toBe(200);
      });
    },
  );
}
