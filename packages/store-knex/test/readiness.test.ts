/**
 * `GET /health/ready` on the knex store: the store's ping reads its migrations
 * table, so a database without the migrations, or a database that is gone,
 * answers 503 with the failing check named.
 */
import { createGateway, silentLogger } from '@textport/core';
import { createHttpApi } from '@textport/http';
import knexFactory, { type Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore, type KnexStore } from '../src/index.js';
import { MIGRATION_NAMES } from '../src/schema/migrations.js';
import { DATABASE_URL, PG_SKIP, type SqliteDatabase, sqliteDatabase } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A started gateway without transports on the store, and its readiness over HTTP. */
async function served(store: KnexStore) {
  const gateway = createGateway({ store, logger: silentLogger });
  await gateway.start();
  cleanups.push(() => gateway.stop());
  const api = createHttpApi(gateway);
  return async () => {
    const response = await api.handle({ method: 'GET', path: '/health/ready', headers: {} });
    const body = JSON.parse(String(response?.body));
    const statuses = Object.fromEntries(
      Object.entries(body.checks as Record<string, { status: string }>).map(([k, v]) => [
        k,
        v.status,
      ]),
    );
    return { status: response?.status, overall: body.status, checks: statuses };
  };
}

describe('readiness of the SQLite store', () => {
  function open(): SqliteDatabase {
    const db = sqliteDatabase();
    cleanups.push(() => db.destroy());
    return db;
  }

  it('names the missing migrations until migrate(), then answers 200', async () => {
    const db = open();
    const store = createKnexStore(db.knex);
    expect((await store.ping()).pendingMigrations).toEqual([
      '0001_initial',
      '0002_phone_key_numbers',
      '0003_heartbeat_radio',
      '0004_message_handoff',
      '0005_retention_indexes',
      '0006_phone_handoff',
      '0007_outbox_http_status',
      '0008_suppressions',
      '0009_user_notifications',
      '0010_outbox_subject',
      '0011_integrations',
      '0012_phone_caps',
      '0013_pools',
      '0014_message_validity',
      '0015_phone_recipients',
      '0016_claim_reach',
    ]);
    const ready = await served(store);
    expect(await ready()).toEqual({
      status: 503,
      overall: 'fail',
      checks: {
        store: 'pass',
        'store:migrations': 'fail',
        transports: 'pass',
        'phones:stranded': 'pass',
      },
    });
    await store.migrate();
    expect(await store.ping()).toEqual({ pendingMigrations: [] });
    expect(await ready()).toMatchObject({ status: 200, overall: 'pass' });
  });

  it('answers 503 once the database is gone (the Knex pool destroyed)', async () => {
    const db = open();
    const store = createKnexStore(db.knex);
    await store.migrate();
    const ready = await served(store);
    expect(await ready()).toMatchObject({ status: 200 });
    await db.knex.destroy();
    await expect(store.ping()).rejects.toThrow();
    expect(await ready()).toEqual({
      status: 503,
      overall: 'fail',
      checks: { store: 'fail', transports: 'pass' },
    });
  });
});

describe.skipIf(PG_SKIP !== false)(
  `readiness of the Postgres store${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    it('answers 200, then 503 once its database is dropped', async () => {
      const name = `textport_ready_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const admin = knexFactory({
        client: 'pg',
        connection: DATABASE_URL,
        pool: { min: 0, max: 1 },
      });
      cleanups.push(async () => {
        await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.destroy();
      });
      await admin.raw(`CREATE DATABASE "${name}"`);
      const url = new URL(DATABASE_URL ?? '');
      url.pathname = `/${name}`;
      const knex: Knex = knexFactory({ client: 'pg', connection: url.toString() });
      cleanups.push(() => knex.destroy());
      const store = createKnexStore(knex);
      expect((await store.ping()).pendingMigrations).toEqual(MIGRATION_NAMES);
      await store.migrate();
      const ready = await served(store);
      expect(await ready()).toMatchObject({
        status: 200,
        checks: { store: 'pass', 'store:migrations': 'pass' },
      });
      await admin.raw(`DROP DATABASE "${name}" WITH (FORCE)`);
      expect(await ready()).toEqual({
        status: 503,
        overall: 'fail',
        checks: { store: 'fail', transports: 'pass' },
      });
    });
  },
);

describe('a database that cannot be reached', () => {
  it('is `unavailable`: sends answer 503 with Retry-After, readiness fails', async () => {
    const net = await import('node:net');
    // A port that refuses connections: listened on, then closed.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const knex = knexFactory({
      client: 'pg',
      connection: `postgres://postgres@127.0.0.1:${port}/none`,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 5_000,
      log: { warn() {}, error() {}, debug() {}, deprecate() {} },
    });
    cleanups.push(() => knex.destroy());
    const store = createKnexStore(knex);
    await expect(store.ping()).rejects.toMatchObject({ code: 'unavailable', httpStatus: 503 });
    const ready = await served(store);
    expect(await ready()).toMatchObject({ status: 503, checks: { store: 'fail' } });

    const gateway = createGateway({ store, logger: silentLogger });
    const response = await createHttpApi(gateway).handle({
      method: 'POST',
      path: '/v1/messages/send',
      headers: { 'x-api-key': 'uk_aaaaaaaaaaaaaaaaaaaaaaaa', 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'hi' }),
    });
    expect(response?.status).toBe(503);
    expect(response?.headers['retry-after']).toBe('5');
    expect(JSON.parse(String(response?.body))).toEqual({
      status: 'error',
      message: 'The gateway cannot reach its database; try again shortly.',
    });
  });
});
