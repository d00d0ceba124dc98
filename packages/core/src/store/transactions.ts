/**
 * TransactionStore: one transaction around several Store calls. Implemented by
 * the memory store's `memory/transactions.ts` and store-knex's `engine/`;
 * checked by the conformance group `transactions`.
 */
import type { Store } from '../store.js';

export interface TransactionStore {
  /**
   * Runs `fn` with a Store bound to one transaction: all of its writes commit
   * together or none does; a throw rolls back every write made through `tx`.
   * Nested calls on the bound store join it.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}
