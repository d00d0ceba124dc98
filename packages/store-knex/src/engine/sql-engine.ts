/**
 * A SqlEngine decides where an operation runs: on a pooled connection
 * (`PgEngine`), in a group commit (`SqliteEngine`), or on the connection of an
 * open transaction (`boundScope`). It is store-knex's TransactionStore part:
 * `transaction(fn)` and `bind(trx)` end here.
 */
import { GatewayError } from '@textport/core';
import type { Store } from '@textport/core/store';
import type { Db } from '../sql/db.js';

export type Op<T> = (db: Db) => Promise<T>;

export interface SqlEngine {
  /** Runs an operation that only reads. */
  read<T>(op: Op<T>): Promise<T>;
  /** Runs an operation that writes; it is atomic on its own. */
  write<T>(op: Op<T>): Promise<T>;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

/** Builds the store a transaction hands to its function. */
export type StoreFactory = (engine: SqlEngine) => Store;

export interface BoundScope {
  readonly store: Store;
  /** Ends the scope: later calls on its store throw. */
  close(): void;
}

/**
 * A store on the connection of an open transaction. Its operations run one at
 * a time, in call order (the connection is shared); nested transactions join.
 * Each operation is atomic on its own (`Db.atomic`), the transaction's commit or
 * rollback belongs to its owner.
 */
export function boundScope(
  connect: () => Promise<Db>,
  isOpen: () => boolean,
  makeStore: StoreFactory,
): BoundScope {
  let closed = false;
  let db: Promise<Db> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  const run = <T>(op: Op<T>): Promise<T> => {
    const next = tail.then(async () => {
      if (closed || !isOpen()) {
        throw new GatewayError('store', 'the transaction has already finished');
      }
      db ??= connect();
      return op(await db);
    });
    tail = next.catch(() => undefined);
    return next;
  };
  const engine: SqlEngine = {
    read: run,
    write: run,
    transaction: async (fn) => {
      if (closed || !isOpen()) {
        throw new GatewayError('store', 'the transaction has already finished');
      }
      return fn(store);
    },
  };
  const store = makeStore(engine);
  return {
    store,
    close: () => {
      closed = true;
    },
  };
}
