/**
 * The MySQL/MariaDB engine: each operation borrows a connection from Knex's
 * pool. A read runs as it is; a write runs in a READ COMMITTED transaction of
 * its own (MySQL has no `UPDATE … RETURNING`, so one operation may take a few
 * statements), run again when the server picks it as a deadlock victim.
 * `transaction(fn)` is a Knex transaction whose connection the bound store uses.
 */
import type { Store } from '@textport/core/store';
import type { Knex } from 'knex';
import { clientOf, transactionConnection } from '../internal/knex.js';
import { translateError } from '../sql/db.js';
import type { SqlKit } from '../sql/kit.js';
import { ER_LOCK_DEADLOCK, type MysqlConnection, MysqlDb } from '../sql/mysql-db.js';
import {
  type BoundScope,
  boundScope,
  type Op,
  type SqlEngine,
  type StoreFactory,
} from './sql-engine.js';

/** How many times a write picked as a deadlock victim is run in all. */
const DEADLOCK_ATTEMPTS = 5;

function isDeadlock(error: unknown): boolean {
  const cause = (error as { cause?: { errno?: unknown } } | null)?.cause;
  return cause?.errno === ER_LOCK_DEADLOCK;
}

export class MysqlEngine implements SqlEngine {
  readonly #knex: Knex;
  readonly #kit: SqlKit;
  readonly #makeStore: StoreFactory;

  constructor(knex: Knex, kit: SqlKit, makeStore: StoreFactory) {
    this.#knex = knex;
    this.#kit = kit;
    this.#makeStore = makeStore;
  }

  async #withConnection<T>(op: (db: MysqlDb) => Promise<T>): Promise<T> {
    const client = clientOf(this.#knex);
    let connection: MysqlConnection;
    try {
      connection = (await client.acquireConnection()) as MysqlConnection;
    } catch (error) {
      throw translateError(error);
    }
    try {
      return await op(new MysqlDb(this.#kit, connection));
    } finally {
      await client.releaseConnection(connection);
    }
  }

  read<T>(op: Op<T>): Promise<T> {
    return this.#withConnection(op);
  }

  async write<T>(op: Op<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#withConnection(async (db) => {
          await db.exec('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
          await db.exec('START TRANSACTION');
          let result: T;
          try {
            result = await op(db);
          } catch (error) {
            await db.exec('ROLLBACK').catch(() => undefined);
            throw error;
          }
          await db.exec('COMMIT');
          return result;
        });
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
      }
    }
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#knex.transaction(
      async (trx) => {
        const scope = this.bind(trx);
        try {
          return await fn(scope.store);
        } finally {
          scope.close();
        }
      },
      { isolationLevel: 'read committed' },
    );
  }

  /** A store on the connection of a Knex transaction (the host's or the store's own). */
  bind(trx: Knex.Transaction): BoundScope {
    return boundScope(
      async () =>
        new MysqlDb(this.#kit, (await transactionConnection(trx)) as MysqlConnection, true),
      () => !trx.isCompleted(),
      this.#makeStore,
    );
  }
}
