/**
 * The RetentionStore part on SQL: batched deletes of old rows. Each call is one
 * statement that picks at most `limit` rows with a bounded subquery and deletes
 * them: on SQLite by rowid, on Postgres by key with `FOR UPDATE SKIP LOCKED`, so
 * a purge never waits on (nor blocks for long) a row another node is working on.
 * Each cut-off has an index (migration 0005).
 */
import { ACCOUNT_TABLES, PURGEABLE_MESSAGE_STATUSES } from '@textport/core/store';
import type { Db } from '../sql/db.js';
import { raw, sql } from '../sql/fragment.js';
import { purgeBatch } from './common.js';

export function purgeMessages(db: Db, before: number, limit: number): Promise<number> {
  const finished = db.kit.inList('status', PURGEABLE_MESSAGE_STATUSES);
  return purgeBatch(
    db,
    'messages',
    'id',
    sql`due_at IS NULL AND updated_at < ${before} AND ${finished}`,
    limit,
  );
}

export function purgeHeartbeats(db: Db, before: number, limit: number): Promise<number> {
  return purgeBatch(db, 'heartbeats', 'id', sql`beat_at < ${before}`, limit);
}

export function purgeOutbox(db: Db, before: number, limit: number): Promise<number> {
  // `status <> 'pending'` is written as the index predicate is, so both engines use it.
  return purgeBatch(
    db,
    'outbox',
    'id',
    sql`${raw("status <> 'pending'")} AND updated_at < ${before}`,
    limit,
  );
}

/**
 * One batch of an account's deletion: the first table in `ACCOUNT_TABLES` order that
 * still holds rows of the account loses up to `limit` of them (by `account_id`, the
 * leading column of an index on each table; the account row by its id).
 */
export async function purgeAccount(db: Db, accountId: string, limit: number): Promise<number> {
  for (const table of ACCOUNT_TABLES) {
    const own = table === 'accounts' ? sql`id = ${accountId}` : sql`account_id = ${accountId}`;
    const key =
      table === 'idempotency'
        ? 'account_id, idem_key'
        : table === 'pool_contacts'
          ? 'pool_id, contact'
          : table === 'phone_recipients'
            ? 'phone_id, month, contact'
            : 'id';
    const removed = await purgeBatch(db, table, key, own, limit, false);
    if (removed > 0) return removed;
  }
  return 0;
}
