/**
 * The IdempotencyStore part on SQL (records are written by `insertMessages`,
 * with their batch).
 */
import type { IdempotencyRecord } from '@textport/core/store';
import { IDEMPOTENCY } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { sql } from '../sql/fragment.js';
import { purgeBatch, selectOne } from './common.js';

/** The record for (account, key) created at or after `notBefore`. */
export function getIdempotency(
  db: Db,
  accountId: string,
  key: string,
  notBefore: number,
): Promise<IdempotencyRecord | null> {
  return selectOne(
    db,
    IDEMPOTENCY,
    sql`account_id = ${accountId} AND idem_key = ${key} AND created_at >= ${notBefore}`,
  );
}

/** Removes records created before `before`: at most `limit` when given (see `purgeBatch`). */
export function purgeIdempotency(db: Db, before: number, limit = Infinity): Promise<number> {
  return purgeBatch(db, 'idempotency', 'account_id, idem_key', sql`created_at < ${before}`, limit);
}
