/**
 * The Postgres engine: each operation borrows a connection from Knex's pool and
 * runs as one statement (atomic on its own, no transaction needed);
 * `transaction(fn)` is a Knex transaction whose connection the bound store uses.
 */
import type { Store } from '@textport/core/store';
import type { Knex } from 'knex';
import { clientOf, transactionConnection } from '../internal/knex.js';
import { type Db, type PgConnection, PgDb, translateError } from '../sql/db.js';
import type { SqlKit } from '../sql/kit.js';
import {
  type BoundScope,
  boundScope,
  type Op,
  type SqlEngine,
  type StoreFactory,
} from './sql-engine.js';

export class PgEngine implements SqlEngine {
  readonly #knex: Knex;
  readonly #kit: SqlKit;
  readonly #makeStore: StoreFactory;
  readonly #prepare: boolean;

  constructor(knex: Knex, kit: SqlKit, makeStore: StoreFactory, prepare: boolean) {
    this.#knex = knex;
    this.#kit = kit;
    this.#makeStore = makeStore;
    this.#prepare = prepare;
  }

  async #withConnection<T>(op: Op<T>): Promise<T> {
    const client = clientOf(this.#knex);
    let connection: PgConnection;
    try {
      connection = (await client.acquireConnection()) as PgConnection;
    } catch (error) {
      throw translateError(error);
    }
    try {
      return await op(new PgDb(this.#kit, connection, this.#prepare));
    } finally {
      await client.releaseConnection(connection);
    }
  }

  read<T>(op: Op<T>): Promise<T> {
    return this.#withConnection(op);
  }

  write<T>(op: Op<T>): Promise<T> {
    return this.#withConnection(op);
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#knex.transaction(async (trx) => {
      const scope = this.bind(trx);
      try {
        return await fn(scope.store);
      } finally {
        scope.close();
      }
    });
  }

  /** A store on the connection of a Knex transaction (the host's or the store's own). */
  bind(trx: Knex.Transaction): BoundScope {
    return boundScope(
      async (): Promise<Db> =>
        new PgDb(this.#kit, (await transactionConnection(trx)) as PgConnection, this.#prepare),
      () => !trx.isCompleted(),
      this.#makeStore,
    );
  }
}
