/** Test databases (a SQLite file, a Postgres schema) and a raw reader of the store's tables. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawReader, StoreHarness } from '@textport/core/testing';
import knexFactory, { type Knex } from 'knex';
import { createKnexStore, type KnexStore, type KnexStoreOptions } from '../src/index.js';

export const DATABASE_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
export const PG_SKIP = DATABASE_URL ? false : 'TEXTPORT_TEST_DATABASE_URL is not set';
export const MYSQL_URL = process.env.TEXTPORT_TEST_MYSQL_URL;
export const MYSQL_SKIP = MYSQL_URL ? false : 'TEXTPORT_TEST_MYSQL_URL is not set';

export interface TestDatabase {
  knex: Knex;
  /** Closes the Knex instance and removes the database (file or schema). */
  destroy(): Promise<void>;
}

export interface SqliteDatabase extends TestDatabase {
  file: string;
}

export function sqliteDatabase(): SqliteDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'textport-store-'));
  const file = join(dir, 'store.sqlite');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  return {
    knex,
    file,
    async destroy() {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PgDatabase extends TestDatabase {
  schema: string;
  /** A Knex config on the same schema (for more instances, e.g. a notifier). */
  config: Knex.Config;
}

/** A fresh, uniquely named schema; the Knex instance has it as its search path. */
export async function pgDatabase(pool: Knex.PoolConfig = {}): Promise<PgDatabase> {
  if (!DATABASE_URL) throw new Error('TEXTPORT_TEST_DATABASE_URL is not set');
  const schema = `textport_test_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const config: Knex.Config = {
    client: 'pg',
    connection: DATABASE_URL,
    searchPath: [schema],
    pool: { min: 0, max: 10, ...pool },
  };
  const knex = knexFactory(config);
  return {
    knex,
    schema,
    config,
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

export interface MysqlDatabase extends TestDatabase {
  database: string;
  /** A Knex config on the same database (for more instances: another process). */
  config: Knex.Config;
}

/** A fresh, uniquely named MySQL/MariaDB database, dropped by `destroy`. */
export async function mysqlDatabase(pool: Knex.PoolConfig = {}): Promise<MysqlDatabase> {
  if (!MYSQL_URL) throw new Error('TEXTPORT_TEST_MYSQL_URL is not set');
  const database = `textport_x_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  const config: Knex.Config = {
    client: 'mysql2',
    connection: url.toString(),
    pool: { min: 0, max: 10, ...pool },
  };
  const knex = knexFactory(config);
  return {
    knex,
    database,
    config,
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP DATABASE \`${database}\``);
      await admin.destroy();
    },
  };
}

/** The database servers the concurrency tests run on, each skipped with its reason. */
export const SERVERS: {
  name: string;
  skip: string | false;
  open: () => Promise<PgDatabase | MysqlDatabase>;
}[] = [
  { name: 'Postgres', skip: PG_SKIP, open: () => pgDatabase() },
  { name: 'MySQL/MariaDB', skip: MYSQL_SKIP, open: () => mysqlDatabase() },
];

/** A table name quoted for the database (backticks on MySQL, double quotes elsewhere). */
export function quoted(knex: Knex, name: string): string {
  return isMysql(knex) ? `\`${name}\`` : `"${name}"`;
}

const isMysql = (knex: Knex) => (knex.client as { dialect?: string }).dialect === 'mysql';

/** Rows of a raw query, whichever the client. */
export async function rows(knex: Knex, sql: string, bindings: readonly unknown[] = []) {
  const result = await knex.raw(sql, bindings as Knex.RawBinding[]);
  if (isMysql(knex)) return result[0] as Record<string, unknown>[];
  return (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
}

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const bool = (value: unknown) => value === true || value === 1;
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

/** Ground truth straight from the tables, with SQL of its own (not the store's methods). */
export function rawReader(knex: Knex, prefix = 'textport_'): RawReader {
  const q = isMysql(knex) ? '`' : '"';
  const t = (name: string) => `${q}${prefix}${name}${q}`;
  const one = async (sql: string, bindings: unknown[]) => (await rows(knex, sql, bindings))[0];
  return {
    async message(id) {
      const m = await one(`SELECT * FROM ${t('messages')} WHERE id = ?`, [id]);
      if (!m) return null;
      return {
        id: String(m.id),
        accountId: String(m.account_id),
        status: m.status as never,
        dueAt: num(m.due_at),
        leaseOwner: (m.lease_owner as string | null) ?? null,
        leaseUntil: num(m.lease_until),
        sendAttemptCount: Number(m.send_attempt_count),
        content: String(m.content),
        orderTimestamp: Number(m.order_timestamp),
        lastAttemptedAt: num(m.last_attempted_at),
        updatedAt: Number(m.updated_at),
      };
    },
    async countMessages(accountId) {
      const r = await one(`SELECT count(*) AS n FROM ${t('messages')} WHERE account_id = ?`, [
        accountId,
      ]);
      return Number(r?.n);
    },
    async outbox(id) {
      const o = await one(`SELECT * FROM ${t('outbox')} WHERE id = ?`, [id]);
      if (!o) return null;
      return {
        id: String(o.id),
        status: o.status as never,
        attempts: Number(o.attempts),
        leaseOwner: (o.lease_owner as string | null) ?? null,
        leaseUntil: num(o.lease_until),
        nextAttemptAt: Number(o.next_attempt_at),
        payload: String(o.payload),
      };
    },
    async countOutbox(accountId) {
      const r = await one(`SELECT count(*) AS n FROM ${t('outbox')} WHERE account_id = ?`, [
        accountId,
      ]);
      return Number(r?.n);
    },
    async idempotency(accountId, key) {
      const r = await one(
        `SELECT request_hash, message_ids FROM ${t('idempotency')} WHERE account_id = ? AND idem_key = ?`,
        [accountId, key],
      );
      if (!r) return null;
      return { requestHash: String(r.request_hash), messageIds: json(r.message_ids) };
    },
    async countIdempotency(accountId) {
      const r = await one(`SELECT count(*) AS n FROM ${t('idempotency')} WHERE account_id = ?`, [
        accountId,
      ]);
      return Number(r?.n);
    },
    async countHeartbeats(accountId) {
      const r = await one(`SELECT count(*) AS n FROM ${t('heartbeats')} WHERE account_id = ?`, [
        accountId,
      ]);
      return Number(r?.n);
    },
    async countAccountRows(table, accountId) {
      const column = table === 'accounts' ? 'id' : 'account_id';
      const r = await one(`SELECT count(*) AS n FROM ${t(table)} WHERE ${column} = ?`, [accountId]);
      return Number(r?.n);
    },
    async suppressions(accountId) {
      const found = await rows(
        knex,
        `SELECT id, owner, contact FROM ${t('suppressions')} WHERE account_id = ? ORDER BY owner, contact`,
        [accountId],
      );
      return found.map((r) => ({
        id: String(r.id),
        owner: String(r.owner),
        contact: String(r.contact),
      }));
    },
    async apiKey(id) {
      const r = await one(`SELECT id, key_hash FROM ${t('api_keys')} WHERE id = ?`, [id]);
      return r ? { id: String(r.id), keyHash: String(r.key_hash) } : null;
    },
    async thread(id) {
      const r = await one(`SELECT * FROM ${t('threads')} WHERE id = ?`, [id]);
      if (!r) return null;
      return {
        id: String(r.id),
        status: r.status as never,
        lastMessageId: (r.last_message_id as string | null) ?? null,
        isRead: bool(r.is_read),
        isArchived: bool(r.is_archived),
      };
    },
    async phone(id) {
      const p = await one(`SELECT * FROM ${t('phones')} WHERE id = ?`, [id]);
      if (!p) return null;
      return {
        id: String(p.id),
        accountId: String(p.account_id),
        messagesPerMinute: Number(p.messages_per_minute),
        lastScheduledAt: num(p.last_scheduled_at),
        lastHandoffAt: num(p.last_handoff_at),
        messagesPerHour: Number(p.messages_per_hour),
        messagesPerDay: Number(p.messages_per_day),
        hourWindowStart: num(p.hour_window_start),
        hourWindowSegments: Number(p.hour_window_segments),
        dayWindowStart: num(p.day_window_start),
        dayWindowSegments: Number(p.day_window_segments),
        recipientsMonth: num(p.recipients_month),
        recipientsCount: Number(p.recipients_count),
        online: bool(p.online),
        lastHeartbeatAt: num(p.last_heartbeat_at),
        heartbeatCheckAt: num(p.heartbeat_check_at),
        updatedAt: Number(p.updated_at),
      };
    },
  };
}

export interface Harness extends StoreHarness {
  store: KnexStore;
  db: TestDatabase;
}

export async function sqliteHarness(options: KnexStoreOptions = {}): Promise<Harness> {
  const db = sqliteDatabase();
  const store = createKnexStore(db.knex, options);
  await store.migrate();
  return {
    store,
    db,
    raw: rawReader(db.knex, store.tablePrefix),
    close: async () => {
      await store.close();
      await db.destroy();
    },
  };
}

export function pgHarness(options: KnexStoreOptions = {}): Promise<Harness> {
  return serverHarness(pgDatabase(), options);
}

export function mysqlHarness(options: KnexStoreOptions = {}): Promise<Harness> {
  return serverHarness(mysqlDatabase(), options);
}

/** A store on a database server; `openSecondStore` opens another pool on the same database. */
async function serverHarness(
  database: Promise<PgDatabase | MysqlDatabase>,
  options: KnexStoreOptions,
): Promise<Harness> {
  const db = await database;
  const store = createKnexStore(db.knex, options);
  await store.migrate();
  return {
    store,
    db,
    raw: rawReader(db.knex, store.tablePrefix),
    /** A store on a Knex instance (a pool) of its own, on the same schema: another process. */
    openSecondStore: async () => {
      const other = knexFactory(db.config);
      const second = createKnexStore(other, options);
      return {
        store: second,
        close: async () => {
          await second.close();
          await other.destroy();
        },
      };
    },
    close: async () => {
      await store.close();
      await db.destroy();
    },
  };
}
