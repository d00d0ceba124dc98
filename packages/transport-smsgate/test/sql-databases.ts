/**
 * Databases for the SQL store tests: a SQLite file in a temporary folder, a
 * fresh Postgres database (when TEXTPORT_TEST_DATABASE_URL is set) or a fresh
 * MySQL/MariaDB database (when TEXTPORT_TEST_MYSQL_URL is set), each with
 * textport's store and the SMSGate store migrated on one Knex instance.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnexStore, type KnexStore } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';
import { type KnexSmsGateStore, knexStore } from '../src/store/knex.js';
import type { SmsGateStoreHarness } from './store-conformance.js';

export const DATABASE_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
export const PG_SKIP = DATABASE_URL ? false : 'TEXTPORT_TEST_DATABASE_URL is not set';
export const MYSQL_URL = process.env.TEXTPORT_TEST_MYSQL_URL;
export const MYSQL_SKIP = MYSQL_URL ? false : 'TEXTPORT_TEST_MYSQL_URL is not set';

export interface SqlHarness extends SmsGateStoreHarness {
  store: KnexSmsGateStore;
  coreStore: KnexStore;
  knex: Knex;
  /** A Knex config on the same database (another pool, as another process would have). */
  config: Knex.Config;
}

async function withStores(
  knex: Knex,
  config: Knex.Config,
  drop: () => Promise<void>,
): Promise<SqlHarness> {
  const coreStore = createKnexStore(knex);
  await coreStore.migrate();
  const store = knexStore(knex, coreStore);
  await store.migrate();
  return {
    store,
    coreStore,
    knex,
    config,
    transactional: true,
    async close() {
      await coreStore.close();
      await knex.destroy();
      await drop();
    },
  };
}

export async function sqliteHarness(): Promise<SqlHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'textport-smsgate-'));
  const config: Knex.Config = {
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'store.sqlite') },
    useNullAsDefault: true,
  };
  return withStores(knexFactory(config), config, async () => {
    rmSync(dir, { recursive: true, force: true });
  });
}

/** A fresh database for one test file, dropped by `drop()`. */
export interface PgTestDatabase {
  config: Knex.Config;
  drop(): Promise<void>;
}

export async function pgTestDatabase(): Promise<PgTestDatabase> {
  if (!DATABASE_URL) throw new Error('TEXTPORT_TEST_DATABASE_URL is not set');
  const name = `textport_smsgate_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database "${name}"`);
  const target = new URL(DATABASE_URL);
  target.pathname = `/${name}`;
  return {
    config: { client: 'pg', connection: target.toString(), pool: { min: 0, max: 6 } },
    async drop() {
      await admin.raw(`drop database if exists "${name}" with (force)`);
      await admin.destroy();
    },
  };
}

/**
 * Stores in their own schema of the file's database: each harness starts from
 * empty tables, and the schema goes when the harness closes.
 */
export async function pgHarness(database: PgTestDatabase): Promise<SqlHarness> {
  const schema = `s_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory(database.config);
  await admin.raw(`create schema "${schema}"`);
  const config: Knex.Config = { ...database.config, searchPath: [schema] };
  return withStores(knexFactory(config), config, async () => {
    await admin.raw(`drop schema "${schema}" cascade`);
    await admin.destroy();
  });
}

/** Stores in a fresh MySQL/MariaDB database of their own, dropped when the harness closes. */
export async function mysqlHarness(): Promise<SqlHarness> {
  if (!MYSQL_URL) throw new Error('TEXTPORT_TEST_MYSQL_URL is not set');
  const name = `textport_x_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const target = new URL(MYSQL_URL);
  target.pathname = `/${name}`;
  const config: Knex.Config = {
    client: 'mysql2',
    connection: target.toString(),
    pool: { min: 0, max: 6 },
  };
  return withStores(knexFactory(config), config, async () => {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  });
}

/** Rows of a raw query, whichever the client. */
export async function rows(
  knex: Knex,
  sql: string,
  bindings: readonly unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const result = await knex.raw(sql, bindings as Knex.RawBinding[]);
  if ((knex.client as { dialect?: string }).dialect === 'mysql') {
    return result[0] as Record<string, unknown>[];
  }
  return (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
}

/** How many textport messages the account has, read from the table itself. */
export async function countMessages(knex: Knex, accountId: string): Promise<number> {
  const [row] = await rows(
    knex,
    'select count(*) as n from textport_messages where account_id = ?',
    [accountId],
  );
  return Number(row?.n);
}
