/**
 * Text a store cannot hold, through the HTTP API on SQLite and on Postgres
 * (issue #14, item 8): one rule at the gateway, the same outcome on both.
 *
 * - NUL (`\u0000`) in any text field is 422 under that field (Postgres TEXT and
 *   JSONB cannot hold it; a 500 on an inbound route makes the Android app retry
 *   for ever), and nothing is written.
 * - A lone surrogate becomes U+FFFD before it is stored, and the answer echoes
 *   what was stored (Postgres JSONB refuses `\ud800`; SQLite stored U+FFFD while
 *   the answer echoed `\ud800`).
 */
import { createHash } from 'node:crypto';
import { createGateway, type Gateway, silentLogger } from '@textport/core';
import { createHttpApi, type HttpApi } from '@textport/http';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import {
  MYSQL_SKIP,
  mysqlDatabase,
  PG_SKIP,
  pgDatabase,
  rows,
  sqliteDatabase,
  type TestDatabase,
} from './helpers.js';

const OWNER = '+18005550199';
const CONTACT = '+18005550100';
const WINDOWS = [{ day_of_week: 1, start_minute: 480, end_minute: 1020 }];

interface World {
  db: TestDatabase;
  gateway: Gateway;
  api: HttpApi;
  userKey: string;
  phoneKey: string;
  messageId: string;
}

async function open(db: TestDatabase): Promise<World> {
  const store = createKnexStore(db.knex);
  await store.migrate();
  const gateway = createGateway({ store, logger: silentLogger });
  const { record: account, apiKey: userKey } = await gateway.accounts.create({
    email: 'text@example.com',
  });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const { apiKey: phoneKey } = await gateway.accounts.createPhoneKey(account.id, { name: 'app' });
  const principal = await gateway.accounts.authenticate(phoneKey);
  if (!principal) throw new Error('the phone key does not authenticate');
  await gateway.phoneApi.updateFcmToken(principal, { phoneNumber: OWNER, fcmToken: 'token' });
  await gateway.webhooks.create(account.id, {
    url: 'https://hooks.example.com/in',
    events: ['message.phone.received', 'message.send.failed', 'message.call.missed'],
    phoneNumbers: [OWNER],
  });
  const sent = await gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'x' });
  const bound = await gateway.accounts.authenticate(phoneKey);
  if (!bound) throw new Error('the phone key does not authenticate');
  await gateway.phoneApi.takeOutstanding(bound, sent.id);
  return { db, gateway, api: createHttpApi(gateway), userKey, phoneKey, messageId: sent.id };
}

async function call(
  w: World,
  method: string,
  path: string,
  o: { body?: unknown; query?: Record<string, string>; phone?: boolean } = {},
) {
  const response = await w.api.handle({
    method,
    path,
    ...(o.query === undefined ? {} : { query: o.query }),
    headers: { 'content-type': 'application/json', 'x-api-key': o.phone ? w.phoneKey : w.userKey },
    ...(o.body === undefined ? {} : { body: Buffer.from(JSON.stringify(o.body)) }),
  });
  const text = response?.body === undefined ? '' : Buffer.from(response.body).toString('utf8');
  // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
  return { status: response?.status ?? 0, text, json: (text ? JSON.parse(text) : null) as any };
}

/** Every textport table's rows, hashed: equal before and after means nothing was written. */
function dialect(knex: Knex): string | undefined {
  return (knex.client as { dialect?: string }).dialect;
}

/** A table name quoted for the database. */
function table(knex: Knex, name: string): string {
  return dialect(knex) === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

async function snapshot(knex: Knex): Promise<string> {
  const names =
    dialect(knex) === 'postgresql'
      ? await rows(
          knex,
          "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'textport%' ORDER BY 1",
        )
      : dialect(knex) === 'mysql'
        ? await rows(
            knex,
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'textport%' ORDER BY 1",
          )
        : await rows(
            knex,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'textport%' ORDER BY 1",
          );
  const hash = createHash('sha256');
  for (const { name } of names) {
    const all = await rows(knex, `SELECT * FROM ${table(knex, String(name))}`);
    hash.update(
      `${String(name)}:${all
        .map((r) => JSON.stringify(r))
        .sort()
        .join('\n')}\n`,
    );
  }
  return hash.digest('hex');
}

/** Queries as an adapter hands them over parsed (a URL cannot carry a lone surrogate). */
type Case = [
  string,
  string,
  string,
  { body?: unknown; query?: Record<string, string>; phone?: boolean },
];

/** A request carrying `text` in one field, and the field the 422 names. */
function withText(w: World, text: string): [string, Case][] {
  const send = { from: OWNER, to: CONTACT, content: 'hello' };
  const receive = { from: 'MPESA', to: OWNER, content: 'hi', sim: 'SIM1' };
  const hook = { url: 'https://hooks.example.com/x', events: ['message.phone.received'] };
  const schedule = { name: 'Office', timezone: 'UTC', windows: WINDOWS };
  const q = (more: Record<string, string> = {}) => ({ query: text, ...more });
  return [
    ['content', ['POST', '/v1/messages/send', 'send', { body: { ...send, content: text } }]],
    ['request_id', ['POST', '/v1/messages/send', 'send', { body: { ...send, request_id: text } }]],
    [
      'content',
      [
        'POST',
        '/v1/messages/bulk-send',
        'bulk',
        { body: { ...send, to: [CONTACT], content: text } },
      ],
    ],
    [
      'from',
      [
        'POST',
        '/v1/messages/receive',
        'receive',
        { phone: true, body: { ...receive, from: `MP${text}` } },
      ],
    ],
    [
      'content',
      [
        'POST',
        '/v1/messages/receive',
        'receive',
        { phone: true, body: { ...receive, content: text } },
      ],
    ],
    [
      'from',
      [
        'POST',
        '/v1/messages/calls/missed',
        'missed',
        { phone: true, body: { from: `C${text}`, to: OWNER } },
      ],
    ],
    [
      'reason',
      [
        'POST',
        `/v1/messages/${w.messageId}/events`,
        'event',
        { phone: true, body: { event_name: 'FAILED', reason: `no ${text}` } },
      ],
    ],
    [
      'fcm_token',
      [
        'PUT',
        '/v1/phones/fcm-token',
        'fcm',
        { phone: true, body: { phone_number: OWNER, fcm_token: text } },
      ],
    ],
    [
      'fcm_token',
      ['PUT', '/v1/phones', 'phone', { body: { phone_number: OWNER, fcm_token: text } }],
    ],
    [
      'missed_call_auto_reply',
      [
        'PUT',
        '/v1/phones',
        'phone',
        { body: { phone_number: OWNER, missed_call_auto_reply: text } },
      ],
    ],
    [
      'signing_key',
      [
        'POST',
        '/v1/webhooks',
        'webhook',
        { body: { ...hook, phone_numbers: [OWNER], signing_key: `s${text}` } },
      ],
    ],
    ['name', ['POST', '/v1/phone-api-keys', 'key', { body: { name: `key ${text}` } }]],
    [
      'name',
      ['POST', '/v1/send-schedules', 'schedule', { body: { ...schedule, name: `Office ${text}` } }],
    ],
    ['query', ['GET', '/v1/messages/search', 'search', { query: q() }]],
    ['query', ['GET', '/v1/messages', 'list', { query: q({ owner: OWNER, contact: CONTACT }) }]],
    ['query', ['GET', '/v1/phones', 'list', { query: q() }]],
    ['query', ['GET', '/v1/webhooks', 'list', { query: q() }]],
    ['query', ['GET', '/v1/phone-api-keys', 'list', { query: q() }]],
    ['query', ['GET', '/v1/message-threads', 'list', { query: q({ owner: OWNER }) }]],
    ['query', ['GET', '/v1/heartbeats', 'list', { query: q({ owner: OWNER }) }]],
  ];
}

const stores: [string, () => Promise<TestDatabase>, false | string][] = [
  ['SQLite', async () => sqliteDatabase(), false],
  ['Postgres', () => pgDatabase(), PG_SKIP],
  ['MySQL/MariaDB', () => mysqlDatabase(), MYSQL_SKIP],
];

describe.each(stores)('text a store cannot hold, on %s', (name, create, skip) => {
  let w: World;
  beforeAll(async () => {
    if (skip === false) w = await open(await create());
  });
  afterAll(async () => {
    await w?.db.destroy();
  });

  it.skipIf(skip !== false)(
    `NUL in any text field is 422 under that field and writes nothing${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const before = await snapshot(w.db.knex);
      const problems: string[] = [];
      for (const [field, [method, path, label, o]] of withText(w, 'a\u0000b')) {
        const r = await call(w, method, path, o);
        const named = r.status === 422 && Object.keys(r.json?.data ?? {}).includes(field);
        if (!named) problems.push(`${label} ${field}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      expect(problems, name).toEqual([]);
      expect(await snapshot(w.db.knex)).toBe(before);
    },
  );

  it.skipIf(skip !== false)(
    `a lone surrogate is stored as U+FFFD and the answer echoes what was stored${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const problems: string[] = [];
      for (const lone of ['\ud800', '\udfff', '\udc00\ud800']) {
        for (const [field, [method, path, label, o]] of withText(w, `a${lone}b`)) {
          const r = await call(w, method, path, o);
          if (r.status >= 300)
            problems.push(`${label} ${field}: ${r.status} ${r.text.slice(0, 200)}`);
          // JSON.stringify writes a lone surrogate as a \uXXXX escape, a pair as itself.
          else if (/\\ud[89a-f]/i.test(r.text))
            problems.push(
              `${label} ${field}: a lone surrogate in the answer ${r.text.slice(0, 200)}`,
            );
        }
      }
      expect(problems, name).toEqual([]);
      // What the answer echoed is what the store holds, in TEXT and JSON columns alike.
      const echo = await call(w, 'POST', '/v1/messages/send', {
        body: {
          from: OWNER,
          to: CONTACT,
          content: 'x\ud800y',
          request_id: 'r\udfff',
          attachments: ['https://example.com/\ud800.png'],
        },
      });
      expect(echo.status, echo.text).toBe(200);
      expect(echo.json.data).toMatchObject({
        content: 'x\ufffdy',
        request_id: 'r\ufffd',
        attachments: ['https://example.com/\ufffd.png'],
      });
      const [row] = await rows(
        w.db.knex,
        `SELECT content, request_id, attachments FROM ${table(w.db.knex, 'textport_messages')} WHERE id = ?`,
        [echo.json.data.id],
      );
      const attachments =
        typeof row?.attachments === 'string' ? JSON.parse(row.attachments) : row?.attachments;
      expect({ ...row, attachments }).toEqual({
        content: 'x\ufffdy',
        request_id: 'r\ufffd',
        attachments: ['https://example.com/\ufffd.png'],
      });
      const read = await call(w, 'GET', `/v1/messages/${echo.json.data.id}`);
      expect(read.json.data).toMatchObject({ content: 'x\ufffdy', request_id: 'r\ufffd' });
    },
  );

  it.skipIf(skip !== false)(
    `emoji and other characters beyond the BMP are stored and read back as sent${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const content = 'Hi 👋🏽 from 東京 — 𝄞 ✓';
      const sent = await call(w, 'POST', '/v1/messages/send', {
        body: { from: OWNER, to: CONTACT, content, request_id: 'r-🚀' },
      });
      expect(sent.status, sent.text).toBe(200);
      expect(sent.json.data).toMatchObject({ content, request_id: 'r-🚀' });
      const [row] = await rows(
        w.db.knex,
        `SELECT content, request_id FROM ${table(w.db.knex, 'textport_messages')} WHERE id = ?`,
        [sent.json.data.id],
      );
      expect(row).toEqual({ content, request_id: 'r-🚀' });
      const found = await call(w, 'GET', '/v1/messages', {
        query: { owner: OWNER, contact: CONTACT, query: '👋🏽 FROM 東京' },
      });
      expect(found.json.data.map((m: { id: string }) => m.id)).toEqual([sent.json.data.id]);
    },
  );
});
