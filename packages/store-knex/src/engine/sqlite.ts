/**
 * The SQLite engine: every operation goes through the group commit on the
 * connection of Knex's pool (one connection: SQLite has one writer). Each
 * connection is set up once: WAL journal, busy timeout, the `synchronous`
 * level, foreign-key enforcement and the case-folding function of text search.
 */
import type { Knex } from 'knex';
import { clientOf, transactionConnection } from '../internal/knex.js';
import { type SqliteConnection, SqliteDb } from '../sql/db.js';
import { CASEFOLD_FUNCTION, type SqlKit } from '../sql/kit.js';
import { GroupCommit } from './group-commit.js';
import { type BoundScope, boundScope, type SqlEngine, type StoreFactory } from './sql-engine.js';

export type Synchronous = 'NORMAL' | 'FULL';

export interface SqliteSettings {
  synchronous: Synchronous;
  busyTimeoutMs: number;
  maxGroupSize: number;
}

function casefold(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

export class SqliteEngine implements SqlEngine {
  readonly writer: GroupCommit;
  readonly #knex: Knex;
  readonly #kit: SqlKit;
  readonly #settings: SqliteSettings;
  readonly #makeStore: StoreFactory;
  readonly #withFunction = new WeakSet<SqliteConnection>();
  readonly #configured = new WeakSet<SqliteConnection>();

  constructor(knex: Knex, kit: SqlKit, settings: SqliteSettings, makeStore: StoreFactory) {
    this.#knex = knex;
    this.#kit = kit;
    this.#settings = settings;
    this.#makeStore = makeStore;
    const client = clientOf(knex);
    this.writer = new GroupCommit({
      kit,
      acquire: () => client.acquireConnection() as Promise<SqliteConnection>,
      release: (connection) => client.releaseConnection(connection),
      configure: (connection) => this.configure(connection),
      maxGroupSize: settings.maxGroupSize,
    });
  }

  /** Sets the connection up; pragmas wait until it is outside a transaction. */
  configure(connection: SqliteConnection): void {
    if (!this.#withFunction.has(connection)) {
      connection.function(CASEFOLD_FUNCTION, { deterministic: true }, casefold);
      this.#withFunction.add(connection);
    }
    if (this.#configured.has(connection) || connection.inTransaction) return;
    connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${Math.max(0, Math.trunc(this.#settings.busyTimeoutMs))}`);
    connection.pragma(`synchronous = ${this.#settings.synchronous}`);
    connection.pragma('foreign_keys = ON');
    this.#configured.add(connection);
  }

  /** Configures the pooled connection now (before migrations). */
  async prepare(): Promise<void> {
    const client = clientOf(this.#knex);
    const connection = (await client.acquireConnection()) as SqliteConnection;
    try {
      this.configure(connection);
    } finally {
      await client.releaseConnection(connection);
    }
  }

  read<T>(op: (db: SqliteDb) => Promise<T>): Promise<T> {
    return this.writer.submit(op, false);
  }

  write<T>(op: (db: SqliteDb) => Promise<T>): Promise<T> {
    return this.writer.submit(op, true);
  }

  /** The transaction is one job of a group: its savepoint holds all of its writes. */
  transaction<T>(fn: Parameters<SqlEngine['transaction']>[0]): Promise<T> {
    return this.writer.submit(async (db) => {
      const scope = boundScope(
        async () => db,
        () => true,
        this.#makeStore,
      );
      try {
        return (await fn(scope.store)) as T;
      } finally {
        scope.close();
      }
    }, true);
  }

  /** A store on the connection of the host's transaction. */
  bind(trx: Knex.Transaction): BoundScope {
    return boundScope(
      async () => {
        const connection = (await transactionConnection(trx)) as SqliteConnection;
        this.configure(connection);
        return new SqliteDb(this.#kit, connection);
      },
      () => !trx.isCompleted(),
      this.#makeStore,
    );
  }
}
