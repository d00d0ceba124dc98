/**
 * The memory store's TransactionStore part: how its operations reach the
 * tables. The top-level runner runs each operation and each transaction under
 * one mutex; a transaction's runner runs operations directly, because its
 * transaction already holds the mutex, and undoes them when the transaction throws.
 */
import { GatewayError } from '../../errors.js';
import type { Store } from '../../store.js';
import { Mutex } from './mutex.js';
import type { Tables } from './tables.js';

export interface TableRunner {
  /** Runs one operation atomically: when it throws, none of its writes remain. */
  run<T>(op: (t: Tables) => T): Promise<T>;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

/** Builds the store a transaction hands to its function. */
export type BindStore = (runner: TableRunner) => Store;

export function topLevelRunner(tables: Tables, bind: BindStore): TableRunner {
  const mutex = new Mutex();
  return {
    run: (op) =>
      mutex.run(async () => {
        try {
          return tables.atomic(() => op(tables));
        } finally {
          tables.commit();
        }
      }),
    transaction: (fn) =>
      mutex.run(async () => {
        const scope = transactionRunner(tables, bind);
        try {
          const result = await fn(scope.store);
          tables.commit();
          return result;
        } catch (error) {
          tables.rollbackTo(0);
          throw error;
        } finally {
          scope.finish();
        }
      }),
  };
}

function transactionRunner(tables: Tables, bind: BindStore): { store: Store; finish(): void } {
  let open = true;
  const assertOpen = () => {
    if (!open) throw new GatewayError('store', 'the transaction has already finished');
  };
  const runner: TableRunner = {
    run: async (op) => {
      assertOpen();
      return tables.atomic(() => op(tables));
    },
    // A nested transaction joins the running one.
    transaction: async (fn) => {
      assertOpen();
      return fn(store);
    },
  };
  const store = bind(runner);
  return {
    store,
    finish: () => {
      open = false;
    },
  };
}
