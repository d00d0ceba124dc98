/**
 * `DELETE /v1/users/me` on SQLite and Postgres (the latter when
 * `TEXTPORT_TEST_DATABASE_URL` names a server): no row of the account is left in
 * any table (raw counts), its attachment files are gone, another account keeps all
 * of its rows, and its keys stop working on every channel at once — HTTP answers
 * 401, an open WebSocket phone link is closed with 4401, an open `GET /v1/events`
 * stream ends. Without a working key the route answers 401 and deletes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiskAttachmentStore, createGateway, silentLogger } from '@textport/core';
import { ACCOUNT_TABLES } from '@textport/core/store';
import { createNodeHandler } from '@textport/http';
import { websocketTransport } from '@textport/transport-websocket';
import knex, { type Knex } from 'knex';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { openDatabase } from '../src/database.js';

const PG_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
const WAIT = { timeout: 5000, interval: 20 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh Postgres database, dropped after the test. */
async function pgUrl(): Promise<string> {
  const name = `textport_del_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = knex({ client: 'pg', connection: PG_URL ?? '', pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE "${name}"`);
  cleanups.push(async () => {
    await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.destroy();
  });
  const url = new URL(PG_URL ?? '');
  url.pathname = `/${name}`;
  return url.toString();
}

/** How many rows of the account each table holds, by raw SQL. */
async function rawCounts(db: Knex, accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ACCOUNT_TABLES) {
    const column = table === 'accounts' ? 'id' : 'account_id';
    const [row] = await db(`textport_${table}`).where(column, accountId).count({ n: '*' });
    out[table] = Number(row?.n);
  }
  return out;
}

/** A gateway on the database behind HTTP, WebSocket phones and the event stream. */
async function serve(databaseUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'textport-deletion-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = await openDatabase(databaseUrl, silentLogger);
  const attachments = createDiskAttachmentStore(join(dir, 'attachments'));
  const server = createServer();
  const transport = websocketTransport({ server });
  const gateway = createGateway({
    store: db.store,
    logger: silentLogger,
    attachments,
    transports: [transport],
    ...(db.notifier ? { notifier: db.notifier } : {}),
  });
  server.on('request', createNodeHandler(gateway, { authCacheMs: 60_000 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await gateway.start();
  cleanups.push(async () => {
    await gateway.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { db, gateway, attachments, base };
}

type Served = Awaited<ReturnType<typeof serve>>;

/** An account with a row in every table, an attachment file and a phone key. */
async function populate(t: Served, email: string, owner: string) {
  const { gateway } = t;
  const { record: account, apiKey } = await gateway.accounts.create({ email });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: owner });
  const phoneKey = (await gateway.accounts.createPhoneKey(account.id, { name: 'phone' })).apiKey;
  const unbound = await gateway.accounts.authenticate(phoneKey);
  if (!unbound) throw new Error('no phone principal');
  // The phone logs in with its number: the key serves that number from now on.
  await gateway.phoneApi.updateFcmToken(unbound, { phoneNumber: owner, fcmToken: null });
  const principal = await gateway.accounts.authenticate(phoneKey);
  if (!principal) throw new Error('no phone principal');
  await gateway.webhooks.create(account.id, {
    url: 'https://hooks.example.com/sms',
    events: ['message.phone.received'],
    phoneNumbers: [owner],
  });
  await gateway.schedules.create(account.id, {
    name: 'Office',
    timezone: 'UTC',
    windows: [{ dayOfWeek: 1, startMinute: 540, endMinute: 1020 }],
  });
  const send = { from: owner, to: '+18005550100', content: 'hello' };
  await gateway.messages.send(account.id, send, { idempotencyKey: 'first' });
  // A contact counted by the unique-recipients cap.
  await gateway.store.updatePhone(phone.id, { recipientsPerMonth: 10 });
  await gateway.store.reservePhoneRecipient(phone.id, '+18005550100', Date.now());
  // A pool, and a send through it (its sticky sender).
  const pool = await gateway.pools.create(account.id, { name: 'all', phoneIds: [phone.id] });
  await gateway.messages.send(account.id, { poolId: pool.id, to: '+18005550101', content: 'hi' });
  const received = await gateway.phoneApi.receive(principal, {
    from: '+18005550100',
    to: owner,
    content: 'hi back',
    sim: 'SIM1',
  });
  await gateway.phoneApi.heartbeat(principal, { phoneNumbers: [owner] });
  await gateway.suppressions.add(account.id, { contact: '+18005550111' });
  const serverId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  await gateway.discord.create(account.id, { name: 'Ops', serverId, incomingChannelId: '42' });
  await gateway.pbx3cx.put(account.id, { webhookUrl: 'https://pbx.example.com/sms/generic/1' });
  const file = `${account.id}/${received.id}/photo.jpg`;
  await t.attachments.put(file, { contentType: 'image/jpeg', data: new Uint8Array([1, 2, 3]) });
  return { account, apiKey, phone, phoneKey, file };
}

/** Opens the event stream; `ended` once the server closed it. */
async function openEvents(base: string, key: string) {
  const response = await fetch(`${base}/v1/events`, { headers: { 'x-api-key': key } });
  const state = { status: response.status, text: '', ended: false };
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return state;
  cleanups.push(() => reader.cancel().catch(() => {}));
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) break;
      state.text += value;
    }
    state.ended = true;
  })();
  return state;
}

/** A phone link with `hello` answered; `closed` resolves with the close code. */
async function openPhone(base: string, key: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/phones/ws`, {
    headers: { 'x-api-key': key },
  });
  const frames: { type?: string }[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as { type?: string }));
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  cleanups.push(() => ws.terminate());
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ v: 1, type: 'hello', id: 'h' }));
  await vi.waitFor(() => expect(frames[0]?.type).toBe('welcome'), WAIT);
  return { ws, closed };
}

const call = (base: string, key: string | null, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { 'x-api-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function deletionCase(databaseUrl: () => Promise<string>) {
  const t = await serve(await databaseUrl());
  const alice = await populate(t, 'alice@example.com', '+18005550199');
  const bob = await populate(t, 'bob@example.com', '+18005550177');
  const before = await rawCounts(t.db.knex, alice.account.id);
  for (const table of ACCOUNT_TABLES) expect(before[table], table).toBeGreaterThan(0);
  const bobBefore = await rawCounts(t.db.knex, bob.account.id);

  // Without a working key: 401, nothing deleted.
  expect((await call(t.base, null, 'DELETE', '/v1/users/me')).status).toBe(401);
  expect((await call(t.base, 'uk_nope', 'DELETE', '/v1/users/me')).status).toBe(401);
  expect(await rawCounts(t.db.knex, alice.account.id)).toEqual(before);

  const events = await openEvents(t.base, alice.apiKey);
  expect(events.status).toBe(200);
  const phone = await openPhone(t.base, alice.phoneKey);
  expect((await call(t.base, alice.apiKey, 'GET', '/v1/users/me')).status).toBe(200);

  const deleted = await call(t.base, alice.apiKey, 'DELETE', '/v1/users/me');
  expect(deleted.status).toBe(204);

  expect(await rawCounts(t.db.knex, alice.account.id)).toEqual(
    Object.fromEntries(ACCOUNT_TABLES.map((table) => [table, 0])),
  );
  expect(await rawCounts(t.db.knex, bob.account.id)).toEqual(bobBefore);
  expect(await t.attachments.get(alice.file)).toBeNull();
  expect(await t.attachments.get(bob.file)).not.toBeNull();

  expect(await phone.closed).toBe(4401);
  await vi.waitFor(() => expect(events.ended).toBe(true), WAIT);
  expect((await call(t.base, alice.apiKey, 'GET', '/v1/users/me')).status).toBe(401);
  const heartbeat = { phone_numbers: ['+18005550199'], charging: true };
  expect((await call(t.base, alice.phoneKey, 'POST', '/v1/heartbeats', heartbeat)).status).toBe(
    401,
  );
  expect((await openEvents(t.base, alice.apiKey)).status).toBe(401);
  expect((await call(t.base, bob.apiKey, 'GET', '/v1/users/me')).status).toBe(200);
}

describe('account deletion', () => {
  it('on SQLite: no row left, keys dead on HTTP, WebSocket and the event stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textport-deletion-db-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await deletionCase(async () => `sqlite:${join(dir, 'db.sqlite')}`);
  });

  it.skipIf(!PG_URL)(
    `on Postgres${PG_URL ? '' : ' (skipped: TEXTPORT_TEST_DATABASE_URL is not set)'}: the same`,
    async () => {
      await deletionCase(pgUrl);
    },
  );
});
