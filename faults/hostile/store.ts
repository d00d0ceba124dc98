/**
 * The stores the hostile-request fault runs on, and how it proves that nothing
 * was written: SQLite in a temporary file (always), Postgres in a fresh database
 * of its own (when TEXTPORT_TEST_DATABASE_URL is set).
 *
 * `writeMark()` changes whenever a row is inserted, updated or deleted. SQLite:
 * the connection's `total_changes()` (Knex keeps one connection). Postgres has no
 * such counter per connection and its statistics arrive late, so the mark there is
 * one hash over every row of every table, computed in a single statement.
 *
 * The tables watched are those named `textport…` by default; `OpenOptions` adds
 * other prefixes (the SMSGate store's `smsgate_…`) and migrates what else lives
 * on the same Knex instance before the tables are listed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnexStore, type KnexStore } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';

export interface HostileStore {
  name: 'SQLite' | 'Postgres';
  knex: Knex;
  store: KnexStore;
  /** A value that changes with every written row (see the module comment). */
  writeMark(): Promise<string>;
  /** Row count and a hash of the rows of every textport table. */
  snapshot(): Promise<Record<string, string>>;
  /** Closes the store and removes its file or database. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Name prefixes of the tables the write mark and the snapshot cover (default `['textport']`). */
  prefixes?: readonly string[];
  /** Runs after textport's migrations, before the tables are listed (other stores' migrations). */
  prepare?: (knex: Knex, store: KnexStore) => Promise<void>;
}

/** A SQL condition on `column` matching the names of `prefixes` (plain identifiers only). */
function namedLike(column: string, prefixes: readonly string[]): string {
  for (const prefix of prefixes) {
    if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`not a table prefix: ${prefix}`);
  }
  return `(${prefixes.map((p) => `${column} like '${p}%'`).join(' or ')})`;
}

async function rowsOf(knex: Knex, sql: string): Promise<Record<string, unknown>[]> {
  const result = await knex.raw(sql);
  return (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
}

async function snapshotOf(knex: Knex, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of tables) {
    const rows = await rowsOf(knex, `select * from "${name}"`);
    const lines = rows
      .map((row) =>
        JSON.stringify(row, (_k, value: unknown) =>
          Buffer.isBuffer(value)
            ? `blob:${value.toString('base64')}`
            : typeof value === 'bigint'
              ? String(value)
              : value,
        ),
      )
      .sort();
    out[name] =
      `${rows.length} rows, sha256 ${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
  }
  return out;
}

export async function openSqlite(options: OpenOptions = {}): Promise<HostileStore> {
  const dir = await mkdtemp(join(tmpdir(), 'textport-hostile-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'textport.sqlite') },
    useNullAsDefault: true,
  });
  const store = createKnexStore(knex);
  await store.migrate();
  await options.prepare?.(knex, store);
  const where = namedLike('name', options.prefixes ?? ['textport']);
  const tables = async () =>
    (
      await rowsOf(
        knex,
        `select name from sqlite_master where type = 'table' and ${where} order by name`,
      )
    ).map((r) => String(r.name));
  return {
    name: 'SQLite',
    knex,
    store,
    async writeMark() {
      const [row] = await rowsOf(knex, 'select total_changes() as n');
      return String(row?.n);
    },
    snapshot: async () => snapshotOf(knex, await tables()),
    async close() {
      await store.close();
      await knex.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the server of `url`, dropped again by `close()`. */
export async function openPostgres(url: string, options: OpenOptions = {}): Promise<HostileStore> {
  const database = `textport_hostile_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create database "${database}"`);
  const target = new URL(url);
  target.pathname = `/${database}`;
  const knex = knexFactory({
    client: 'pg',
    connection: target.toString(),
    pool: { min: 0, max: 4 },
  });
  const store = createKnexStore(knex);
  await store.migrate();
  await options.prepare?.(knex, store);
  const where = namedLike('tablename', options.prefixes ?? ['textport']);
  const tables = (
    await rowsOf(
      knex,
      `select tablename as name from pg_tables where schemaname = current_schema() and ${where} order by 1`,
    )
  ).map((r) => String(r.name));
  // One statement: the rows of every table as text, in a stable order, hashed together.
  const markSql = `select md5(${tables
    .map((t) => `coalesce((select string_agg(x::text, E'\\n' order by x::text) from "${t}" x), '')`)
    .join(` || E'\\f' || `)}) as mark`;
  return {
    name: 'Postgres',
    knex,
    store,
    async writeMark() {
      const [row] = await rowsOf(knex, markSql);
      return String(row?.mark);
    },
    snapshot: () => snapshotOf(knex, tables),
    async close() {
      await store.close();
      await knex.destroy();
      await admin.raw(`drop database if exists "${database}" with (force)`);
      await admin.destroy();
    },
  };
}
