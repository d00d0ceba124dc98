/** Opens the database named by DATABASE_URL: a SQLite file (its folder is created) or Postgres. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Notifier } from '@textport/core';
import { createKnexStore, createPgNotifier, type KnexStore } from '@textport/store-knex';
import knex, { type Knex } from 'knex';

export interface Database {
  knex: Knex;
  store: KnexStore;
  /** Cross-node wake-ups (Postgres only). */
  notifier: Notifier | undefined;
  /** Where attachment files go (next to a SQLite file; `./data` otherwise). */
  dataDir: string;
  describe: string;
  close(): Promise<void>;
}

export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('sqlite:')) {
    const file = resolve(url.slice('sqlite:'.length));
    mkdirSync(dirname(file), { recursive: true });
    const db = knex({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
    });
    const store = createKnexStore(db);
    await store.migrate();
    return {
      knex: db,
      store,
      notifier: undefined,
      dataDir: dirname(file),
      describe: `SQLite file ${file}`,
      close: () => db.destroy(),
    };
  }
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
  const store = createKnexStore(db);
  await store.migrate();
  const notifier = createPgNotifier(db);
  return {
    knex: db,
    store,
    notifier,
    dataDir: resolve('data'),
    describe: `PostgreSQL ${new URL(url).host}${new URL(url).pathname}`,
    async close() {
      await notifier.close?.();
      await db.destroy();
    },
  };
}
