/**
 * The Store contract: everything textport persists goes through this interface.
 * `Store` is made of named parts, each in its own file under `store/`, and the
 * same name leads to the memory store's module, store-knex's `ops/` file and the
 * conformance group that checks it:
 *
 *   part              contract              memory store              store-knex            conformance
 *   TransactionStore  store/transactions.ts memory/transactions.ts    engine/               transactions
 *   MessageStore      store/messages.ts     memory/messages.ts        ops/messages.ts       messages
 *   ClaimStore        store/claims.ts       memory/claims.ts          ops/claims.ts         claims
 *   DirectoryStore    store/directory.ts    memory/directory.ts       ops/directory.ts      directory
 *   ThreadStore       store/threads.ts      memory/threads.ts         ops/threads.ts        threads
 *   WebhookStore      store/webhooks.ts     memory/webhooks.ts        ops/webhooks.ts       webhooks
 *   ScheduleStore     store/schedules.ts    memory/schedules.ts       ops/schedules.ts      schedules
 *   IdempotencyStore  store/idempotency.ts  memory/idempotency.ts     ops/idempotency.ts    idempotency
 *   SuppressionStore  store/suppressions.ts memory/suppressions.ts    ops/suppressions.ts   suppressions
 *   PoolStore         store/pools.ts        memory/pools.ts           ops/pools.ts          pools
 *   IntegrationStore  store/integrations.ts memory/integrations.ts    ops/integrations.ts   integrations
 *   RetentionStore    store/retention.ts    memory/retention.ts       ops/retention.ts      retention
 *   ActivityStore     store/activity.ts     memory/activity.ts        ops/activity.ts       activity
 *
 * In store-knex, `ops/phone-gates.ts` and `ops/claim-sqlite.ts` hold the rest of the
 * ClaimStore part, and `ops/batches.ts` the batched writes of the dispatcher's round
 * (`transitionMany`, `findThreads`, `updateThreads`).
 *
 * `store/access.ts` says which methods only read (for stores that run reads and
 * writes apart).
 *
 * Writing an implementation
 * - Methods are domain-shaped. The atomic primitives carry the correctness of the
 *   whole gateway and must be atomic in the database, never read-modify-write:
 *   - `insertMessages` writes a batch (and its idempotency record and outbox rows)
 *     in one transaction.
 *   - `transition` is a compare-and-set on the status (and, when asked, on the lease
 *     owner). A lost race returns `{ ok: false }` with the current row; it never
 *     overwrites.
 *   - `claimDue` hands each due row to exactly one caller and leases it until
 *     `now + leaseMs`; a lease that runs out makes the row claimable again.
 *     `pickDue` picks the same rows inside a transaction, held by it instead of
 *     leased (SQL stores lock them), so the caller writes each once.
 *   - `transitionMany` is many `transition`s in one atomic step and few statements;
 *     `findThreads` locks the threads it reads, in id order, inside a transaction.
 *   - `takeOutstanding` moves one message to `sending` atomically.
 *   - `transaction(fn)` runs `fn` with a Store bound to one transaction: all of its
 *     writes commit together or none does. Nested calls on the bound store join it.
 * - A unique-key violation (same phone number twice for an account, same
 *   idempotency key, same key hash) throws `GatewayError` with code `conflict`.
 * - Rows are returned as fresh objects: callers may mutate them freely.
 * - Times are epoch milliseconds; text search (`query`) is a case-insensitive
 *   substring match. An empty id/number list in a filter matches nothing.
 * - Claims (`claimDue`, `claimOutbox`, `claimHeartbeatChecks`) return rows in claim
 *   order (SQL stores must sort what `UPDATE … RETURNING` gives back).
 * - Inside `transaction(fn)`, if an operation fails the caller rethrows: the
 *   gateway never continues a transaction after a failed statement. Use
 *   compare-and-set or row locks rather than relying on the isolation level.
 * - Idempotency records stay unique per (account, key) until purged; the gateway
 *   purges expired ones before reusing a key.
 * - The purges (`purgeMessages`, `purgeHeartbeats`, `purgeOutbox`,
 *   `purgeIdempotency` with a limit) remove at most `limit` rows per call, each
 *   call in one short statement, and never a row that still has work to do.
 *   `purgeAccount` removes an account a batch at a time, keys first, the account
 *   row last, and waits for locked rows rather than skipping them.
 * - `ping()` reads something cheap and rejects when the database does not answer:
 *   readiness probes call it every few seconds.
 * - Run `runStoreConformance` from `@textport/core/testing` against the store.
 */
import type { ActivityStore } from './store/activity.js';
import type { ClaimStore } from './store/claims.js';
import type { DirectoryStore } from './store/directory.js';
import type { IdempotencyStore } from './store/idempotency.js';
import type { IntegrationStore } from './store/integrations.js';
import type { MessageStore } from './store/messages.js';
import type { PoolStore } from './store/pools.js';
import type { RetentionStore } from './store/retention.js';
import type { ScheduleStore } from './store/schedules.js';
import type { SuppressionStore } from './store/suppressions.js';
import type { ThreadStore } from './store/threads.js';
import type { TransactionStore } from './store/transactions.js';
import type { WebhookStore } from './store/webhooks.js';

export type * from './domain/records.js';
export * from './store/access.js';
export * from './store/activity.js';
export type * from './store/claims.js';
export type * from './store/directory.js';
export type * from './store/idempotency.js';
export type * from './store/integrations.js';
export * from './store/message-search.js';
export type * from './store/messages.js';
export * from './store/operations.js';
export type * from './store/page.js';
export type * from './store/pools.js';
export * from './store/retention.js';
export type * from './store/schedules.js';
export type * from './store/suppressions.js';
export type * from './store/threads.js';
export type * from './store/transactions.js';
export type * from './store/webhooks.js';

export interface StoreCapabilities {
  /** Claims use `FOR UPDATE SKIP LOCKED` (several claimers never wait on each other). */
  readonly skipLocked: boolean;
  /** The store ships a cross-process notifier (Postgres LISTEN/NOTIFY). */
  readonly listenNotify: boolean;
  /** Several processes may share the store. */
  readonly multiProcess: boolean;
}

/** What `ping()` found: the store answered, and its migrations when it can tell. */
export interface StoreHealth {
  /** Migrations the database lacks (empty: current); absent when the store has no migrations. */
  readonly pendingMigrations?: readonly string[];
}

/**
 * Everything textport persists: the named parts, plus what the store can do, its
 * health and its shutdown.
 */
export interface Store
  extends TransactionStore<Store>,
    MessageStore,
    ClaimStore,
    DirectoryStore,
    ThreadStore,
    WebhookStore,
    ScheduleStore,
    IdempotencyStore,
    SuppressionStore,
    PoolStore,
    IntegrationStore,
    RetentionStore,
    ActivityStore {
  readonly capabilities: StoreCapabilities;

  /**
   * Answers with one cheap query (the readiness check): rejects when the database
   * does not answer; a store with migrations says which ones the database lacks.
   */
  ping(): Promise<StoreHealth>;

  /** Releases connections or timers the store owns. */
  close?(): Promise<void>;
}
