/**
 * Opens the database named by DATABASE_URL: a SQLite file (its folder is created),
 * Postgres, or MySQL/MariaDB (`mysql://` or `mariadb://`).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { consoleLogger, type Logger, type Notifier } from '@textport/core';
import { createKnexStore, createPgNotifier, type KnexStore } from '@textport/store-knex';
import knex, { type Knex } from 'knex';

export interface Database {
  knex: Knex;
  store: KnexStore;
  /** Cross-node wake-ups (Postgres only; on MySQL other nodes poll). */
  notifier: Notifier | undefined;
  /** Where attachment files go (next to a SQLite file; `./data` otherwise). */
  dataDir: string;
  describe: string;
  close(): Promise<void>;
}

/** An error that says which database could not be opened and what to check. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

/**
 * Knex's log, one line per problem: a connection error is a line, not a stack trace, and the
 * same warning is written at most once per `quietMs` while the database stays away.
 */
export function knexLog(write: (line: string) => void = console.warn, quietMs = 10_000) {
  const last = new Map<string, number>();
  const line = (level: string) => (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).split('\n')[0] ?? '';
    const now = Date.now();
    if (now - (last.get(text) ?? -Infinity) < quietMs) return;
    last.set(text, now);
    write(`database ${level}: ${text}`);
  };
  return {
    warn: line('warning'),
    error: line('error'),
    deprecate: line('deprecation'),
    debug() {},
  };
}

async function migrated(store: KnexStore, describe: string): Promise<void> {
  try {
    await store.migrate();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseError(
      `cannot open the database (${describe}): ${reason}. Check DATABASE_URL.`,
    );
  }
}

/** Opens the database; its warnings (Knex's, the notifier's) go to `logger`. */
export async function openDatabase(url: string, logger: Logger = consoleLogger): Promise<Database> {
  const write = (line: string) => logger.warn({}, line);
  if (url.startsWith('sqlite:')) {
    const file = resolve(url.slice('sqlite:'.length));
    mkdirSync(dirname(file), { recursive: true });
    const db = knex({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      log: knexLog(write),
    });
    const store = createKnexStore(db);
    await migrated(store, `SQLite file ${file}`).catch(async (error) => {
      await db.destroy();
      throw error;
    });
    return {
      knex: db,
      store,
      notifier: undefined,
      dataDir: dirname(file),
      describe: `SQLite file ${file}`,
      close: () => db.destroy(),
    };
  }
  if (/^(mysql|mariadb):/.test(url)) return openMysql(url, write);
  const db = knex({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: 10 },
    log: knexLog(write),
  });
  const store = createKnexStore(db);
  const where = `PostgreSQL ${new URL(url).host}${new URL(url).pathname}`;
  await migrated(store, where).catch(async (error) => {
    await db.destroy();
    throw error;
  });
  const notifier = createPgNotifier(db, { logger });
  return {
    knex: db,
    store,
    notifier,
    dataDir: resolve('data'),
    describe: where,
    async close() {
      await notifier.close?.();
      await db.destroy();
    },
  };
}

/** MySQL or MariaDB: no notifier, nodes learn of each other's work by polling. */
async function openMysql(url: string, write: (line: string) => void): Promise<Database> {
  const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const db = knex({
    client: 'mysql2',
    connection: parsed.toString(),
    pool: { min: 0, max: 10 },
    log: knexLog(write),
  });
  const store = createKnexStore(db);
  const where = `MySQL ${parsed.host}${parsed.pathname}`;
  await migrated(store, where).catch(async (error) => {
    await db.destroy();
    throw error;
  });
  return {
    knex: db,
    store,
    notifier: undefined,
    dataDir: resolve('data'),
    describe: where,
    close: () => db.destroy(),
  };
}
