/**
 * The stores the hostile WebSocket phones run on, and how they prove that nothing
 * was written: SQLite in a temporary file (the connection's change count) and
 * Postgres in a schema of its own (a hash of every table).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { DATABASE_URL } from '../support.js';

export interface Backend {
  knex: Knex;
  /** Rows changed since the last call (SQLite), or a hash of every table (Postgres). */
  fingerprint(): Promise<string>;
  destroy(): Promise<void>;
}

async function hashTables(knex: Knex, names: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const name of names) {
    const result = await knex.raw(`select * from "${name}"`);
    const rows = (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
    const lines = rows
      .map((row) =>
        JSON.stringify(row, (_k, v: unknown) =>
          Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? String(v) : v,
        ),
      )
      .sort();
    hash.update(`${name} ${rows.length}\n${lines.join('\n')}\n`);
  }
  return hash.digest('hex');
}

export async function sqliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'textport-hostile-ws-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'textport.sqlite') },
    useNullAsDefault: true,
  });
  return {
    knex,
    async fingerprint() {
      const [row] = (await knex.raw('select total_changes() as n')) as { n: number }[];
      return String(row?.n);
    },
    async destroy() {
      await knex.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresBackend(): Promise<Backend> {
  const schema = `textport_hostile_ws_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({ client: 'pg', connection: DATABASE_URL, searchPath: [schema] });
  let names: string[] | undefined;
  return {
    knex,
    async fingerprint() {
      names ??= (
        (await knex.raw(
          `select table_name from information_schema.tables where table_schema = ? order by table_name`,
          [schema],
        )) as { rows: { table_name: string }[] }
      ).rows.map((r) => r.table_name);
      return hashTables(knex, names);
    },
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}
