/**
 * RetentionStore: the batched deletes of old rows that the retention worker
 * runs (see `retention/worker.ts`). Each call removes at most `limit` rows in one
 * short statement and returns how many it removed; the worker calls again until
 * a call removes fewer than `limit`. SQL stores pick the batch with a bounded
 * subquery (`… WHERE key IN (SELECT key … LIMIT n)`, on Postgres with
 * `FOR UPDATE SKIP LOCKED`), so a purge never holds many locks nor waits on a
 * row another node is working on. Rows are picked in any order.
 * Implemented by `memory/retention.ts` and store-knex's `ops/retention.ts`;
 * checked by the conformance group `retention`.
 */
import type { MessageStatus } from '../lifecycle/status.js';

/**
 * The statuses of a finished message: nothing more is expected of it, or (`sent`)
 * only a delivery report that the phone may never send. `pending`, `scheduled` and
 * `sending` are never purged, and neither is a message with work left (`dueAt`
 * set: an `expired` message waiting for its next attempt).
 */
export const PURGEABLE_MESSAGE_STATUSES: readonly MessageStatus[] = Object.freeze([
  'sent',
  'delivered',
  'failed',
  'expired',
  'received',
  'canceled',
]);

export interface RetentionStore {
  /**
   * Removes up to `limit` finished messages (status in `PURGEABLE_MESSAGE_STATUSES`,
   * `dueAt` null) last updated before `before`, of every account. Threads are kept:
   * they carry their own snapshot of the last message.
   */
  purgeMessages(before: number, limit: number): Promise<number>;
  /** Removes up to `limit` heartbeats with a `timestamp` before `before`. */
  purgeHeartbeats(before: number, limit: number): Promise<number>;
  /**
   * Removes up to `limit` webhook outbox rows that are done (`delivered`, or
   * `failed`: given up) and were last updated before `before`. Pending rows,
   * however old, are never removed.
   */
  purgeOutbox(before: number, limit: number): Promise<number>;
  /**
   * Deletes an account, a batch at a time: removes up to `limit` rows of the account
   * from one table and returns how many; 0 once nothing of it is left. Tables are
   * emptied in `ACCOUNT_TABLES` order — the API keys first (the account stops
   * authenticating with the first call), the account row itself last — and locked
   * rows are waited for, never skipped.
   */
  purgeAccount(accountId: string, limit: number): Promise<number>;
}

/**
 * Every table that holds rows of an account, in the order `purgeAccount` empties
 * them: keys first, so the account is locked out at once; rows that point at other
 * rows before those (deliveries before webhooks, messages before phones); the
 * account row last.
 */
export const ACCOUNT_TABLES = Object.freeze([
  'api_keys',
  'outbox',
  'messages',
  'threads',
  'heartbeats',
  'idempotency',
  'suppressions',
  'pool_contacts',
  'phone_recipients',
  'discord_integrations',
  'integration_3cx',
  'webhooks',
  'send_schedules',
  'phones',
  'pools',
  'accounts',
] as const);
export type AccountTable = (typeof ACCOUNT_TABLES)[number];
