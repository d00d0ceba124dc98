/**
 * TransactionStore: one transaction around several Store calls. Implemented by
 * the memory store's `memory/transactions.ts` and store-knex's `engine/`;
 * checked by the conformance group `transactions`.
 */

/** `S` is the store a transaction hands to its function (the whole `Store`). */
export interface TransactionStore<S> {
  /**
   * Runs `fn` with a Store bound to one transaction: all of its writes commit
   * together or none does; a throw rolls back every write made through `tx`.
   * Nested calls on the bound store join it.
   */
  transaction<T>(fn: (tx: S) => Promise<T>): Promise<T>;
  /**
   * Set on a store bound to a transaction the application owns (store-knex's
   * `bind(trx)`): resolves to true once that transaction committed, false when it
   * rolled back. The gateway emits the events of work done on such a store only
   * after the commit, and never for a rolled-back one.
   */
  readonly hostCommitted?: Promise<boolean>;
}
