/**
 * IdempotencyStore: reading and purging the records that make a send
 * idempotent (they are written by `insertMessages`, with their batch).
 * Implemented by `memory/idempotency.ts` and store-knex's `ops/idempotency.ts`;
 * checked by the conformance group `idempotency`.
 */
import type { IdempotencyRecord } from '../domain/records.js';

export interface IdempotencyStore {
  /** The record for (account, key) created at or after `notBefore`, if any. */
  getIdempotency(
    accountId: string,
    key: string,
    notBefore: number,
  ): Promise<IdempotencyRecord | null>;
  /**
   * Removes records created before `before` (at most `limit` of them when given,
   * in one short statement, as the other purges of `retention.ts`); returns how many.
   */
  purgeIdempotency(before: number, limit?: number): Promise<number>;
}
