/** Idempotency records and the webhook outbox. */
import type {
  ClaimOutboxQuery,
  IdempotencyRecord,
  OutboxListQuery,
  OutboxRecord,
  TransitionOptions,
} from '@textport/core/store';
import { decodeRows, insertMany, updateWhere } from '../rows/codec.js';
import { IDEMPOTENCY, OUTBOX } from '../rows/columns.js';
import type { Db, Rows } from '../sql/db.js';
import { and, raw, sql } from '../sql/fragment.js';
import { NEWEST_FIRST, selectMany, selectOne } from './common.js';

// idempotency

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

export function purgeIdempotency(db: Db, before: number): Promise<number> {
  return db.run(sql`DELETE FROM ${db.kit.t.idempotency} WHERE created_at < ${before}`);
}

// webhook outbox

export const insertOutbox = (db: Db, rows: readonly OutboxRecord[]) => insertMany(db, OUTBOX, rows);

function inClaimOrder(rows: Rows): OutboxRecord[] {
  return decodeRows(OUTBOX, rows).sort(
    (a, b) =>
      a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
  );
}

/** Pending rows due by `now` with no live lease, oldest first, leased to the claimer. */
export async function claimOutbox(db: Db, query: ClaimOutboxQuery): Promise<OutboxRecord[]> {
  const limit = Math.max(0, Math.trunc(query.limit));
  if (limit === 0) return [];
  const t = db.kit.t.outbox;
  const { now } = query;
  const until = now + query.leaseMs;
  const excluded = query.excludeWebhookIds ?? [];
  const due = and([
    raw(`status = 'pending'`),
    sql`next_attempt_at <= ${now}`,
    sql`(lease_until IS NULL OR lease_until <= ${now})`,
    excluded.length === 0 ? null : sql`NOT ${db.kit.inList('webhook_id', excluded)}`,
  ]);
  const order = raw('ORDER BY next_attempt_at, created_at, id');
  if (db.kit.pg) {
    const rows = await db.all(sql`
      WITH picked AS (
        SELECT id FROM ${t} WHERE ${due} ${order} LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE ${t} AS o SET lease_owner = ${query.claimer}, lease_until = ${until}
      FROM picked WHERE o.id = picked.id RETURNING o.*`);
    return inClaimOrder(rows);
  }
  const rows = await db.all(sql`
    UPDATE ${t} SET lease_owner = ${query.claimer}, lease_until = ${until}
    WHERE id IN (SELECT id FROM ${t} WHERE ${due} ${order} ${raw(`LIMIT ${limit}`)})
    RETURNING *`);
  return inClaimOrder(rows);
}

/** Updates a row (only while `leaseOwner` holds it, when given); null when nothing matched. */
export function updateOutbox(
  db: Db,
  id: string,
  patch: Partial<OutboxRecord>,
  options: TransitionOptions = {},
): Promise<OutboxRecord | null> {
  const where = and([
    sql`id = ${id}`,
    options.leaseOwner === undefined ? null : sql`lease_owner = ${options.leaseOwner}`,
  ]);
  return updateWhere(db, OUTBOX, patch, where);
}

/** Newest first, optionally one webhook's rows only. */
export function listOutbox(db: Db, query: OutboxListQuery): Promise<OutboxRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    query.webhookId === null || query.webhookId === undefined
      ? null
      : sql`webhook_id = ${query.webhookId}`,
  ]);
  return selectMany(db, OUTBOX, where, NEWEST_FIRST, query);
}
