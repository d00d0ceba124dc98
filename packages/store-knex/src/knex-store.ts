/** `createKnexStore(knex, options)`: the Store on the application's own Knex instance. */

import { GatewayError } from '@textport/core';
import type { Store, StoreCapabilities } from '@textport/core/store';
import type { Knex } from 'knex';
import { MysqlEngine } from './engine/mysql.js';
import { PgEngine } from './engine/pg.js';
import { SqliteEngine, type Synchronous } from './engine/sqlite.js';
import { hostCommitted } from './host-transaction.js';
import { dialectOf } from './internal/knex.js';
import { migratorConfig } from './schema/migrations.js';
import { type DialectName, SqlKit } from './sql/kit.js';
import { SqlStore } from './sql-store.js';

export interface KnexStoreOptions {
  /** Prefix of the store's tables, indexes and migrations table (default `textport_`). */
  tablePrefix?: string;
  /**
   * SQLite: the `synchronous` level (default `FULL`). `FULL` syncs the WAL on
   * every commit: a resolved write survives a power cut. `NORMAL` syncs at
   * checkpoints only: a resolved write survives a crash of the process, but the
   * last commits may be lost if the machine loses power. Ignored on Postgres and MySQL.
   */
  synchronous?: Synchronous;
  /** SQLite: how long a write waits for another connection's lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** SQLite: the most operations one group commit holds (default 512). */
  maxGroupSize?: number;
  /**
   * Postgres: run statements as named prepared statements, planned once per
   * connection (default true). Turn off behind a pooler that does not keep
   * prepared statements (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
}

const SQLITE_CAPABILITIES: StoreCapabilities = Object.freeze({
  skipLocked: false,
  listenNotify: false,
  multiProcess: false,
});

/** MySQL/MariaDB: claims skip locked rows; other nodes learn of new work by polling. */
const MYSQL_CAPABILITIES: StoreCapabilities = Object.freeze({
  skipLocked: true,
  listenNotify: false,
  multiProcess: true,
});

const PG_CAPABILITIES: StoreCapabilities = Object.freeze({
  skipLocked: true,
  listenNotify: true,
  multiProcess: true,
});

function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,29}$/.test(prefix)) {
    throw new GatewayError(
      'config',
      `tablePrefix must be 1 to 30 letters, digits or underscores, not starting with a digit; got "${prefix}"`,
    );
  }
  return prefix;
}

function checkSynchronous(value: string): Synchronous {
  const level = value.toUpperCase();
  if (level !== 'NORMAL' && level !== 'FULL') {
    throw new GatewayError('config', `synchronous must be "NORMAL" or "FULL"; got "${value}"`);
  }
  return level;
}

export class KnexStore extends SqlStore {
  readonly dialect: DialectName;
  readonly tablePrefix: string;
  readonly #knex: Knex;
  readonly #sqlite: SqliteEngine | undefined;
  readonly #pooled: PgEngine | MysqlEngine | undefined;

  /** Use `createKnexStore`. */
  constructor(knex: Knex, options: KnexStoreOptions = {}) {
    const dialect = dialectOf(knex);
    const tablePrefix = checkPrefix(options.tablePrefix ?? 'textport_');
    const kit = new SqlKit(dialect, tablePrefix);
    const capabilities =
      dialect === 'postgres'
        ? PG_CAPABILITIES
        : dialect === 'mysql'
          ? MYSQL_CAPABILITIES
          : SQLITE_CAPABILITIES;
    const makeStore = (engine: ConstructorParameters<typeof SqlStore>[0]) =>
      new SqlStore(engine, capabilities);
    const engine =
      dialect === 'postgres'
        ? new PgEngine(knex, kit, makeStore, options.preparedStatements ?? true)
        : dialect === 'mysql'
          ? new MysqlEngine(knex, kit, makeStore)
          : new SqliteEngine(
              knex,
              kit,
              {
                synchronous: checkSynchronous(options.synchronous ?? 'FULL'),
                busyTimeoutMs: options.busyTimeoutMs ?? 5000,
                maxGroupSize: Math.max(1, Math.trunc(options.maxGroupSize ?? 512)),
              },
              makeStore,
            );
    super(engine, capabilities);
    this.dialect = dialect;
    this.tablePrefix = tablePrefix;
    this.#knex = knex;
    this.#sqlite = engine instanceof SqliteEngine ? engine : undefined;
    this.#pooled = engine instanceof PgEngine || engine instanceof MysqlEngine ? engine : undefined;
  }

  /** Creates or upgrades the store's tables (migrations shipped in this package). */
  async migrate(): Promise<void> {
    await this.#sqlite?.prepare();
    await this.#knex.migrate.latest(migratorConfig(this.tablePrefix));
  }

  /**
   * A store bound to the host's Knex transaction: its writes commit or roll
   * back with that transaction, and the gateway emits their events only once it
   * has committed (`hostCommitted`). Use it for the duration of the transaction only.
   */
  bind(trx: Knex.Transaction): Store {
    const engine = this.#sqlite ?? this.#pooled;
    if (!engine) throw new GatewayError('internal', 'the store has no engine');
    const store = engine.bind(trx).store;
    return Object.assign(store, { hostCommitted: hostCommitted(trx) });
  }

  /** Number of SQLite group commits so far (0 on Postgres and MySQL). */
  get groupCommits(): number {
    return this.#sqlite?.writer.groups ?? 0;
  }

  /** Waits for queued operations; the Knex instance stays open (it is the application's). */
  async close(): Promise<void> {
    await this.#sqlite?.writer.drain();
  }
}

/**
 * A Store on the application's Knex instance (better-sqlite3, pg or mysql2). Run
 * `await store.migrate()` once before use.
 */
export function createKnexStore(knex: Knex, options: KnexStoreOptions = {}): KnexStore {
  return new KnexStore(knex, options);
}
