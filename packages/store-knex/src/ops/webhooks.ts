/** The WebhookStore part on SQL: webhooks and the outbox of their deliveries. */
import type {
  ClaimOutboxQuery,
  OutboxListQuery,
  OutboxRecord,
  TransitionOptions,
  WebhookListQuery,
  WebhookRecord,
} from '@textport/core/store';
import { decodeRows, insertMany, updateWhere } from '../rows/codec.js';
import { OUTBOX, WEBHOOK } from '../rows/columns.js';
import { updateKeys } from '../rows/returning.js';
import type { Db, Rows } from '../sql/db.js';
import { and, raw, sql } from '../sql/fragment.js';
import {
  deleteOwned,
  insertRow,
  NEWEST_FIRST,
  OLDEST_FIRST,
  owned,
  selectMany,
  selectOne,
  updateById,
} from './common.js';

// webhooks

export const insertWebhook = (db: Db, webhook: WebhookRecord) => insertRow(db, WEBHOOK, webhook);

export const getWebhook = (db: Db, accountId: string, id: string) =>
  selectOne(db, WEBHOOK, owned(accountId, id));

/** Newest first; `query` matches the URL. */
export function listWebhooks(db: Db, query: WebhookListQuery): Promise<WebhookRecord[]> {
  const where = and([sql`account_id = ${query.accountId}`, db.kit.contains(['url'], query.query)]);
  return selectMany(db, WEBHOOK, where, NEWEST_FIRST, query);
}

/** Enabled webhooks of the account subscribed to the event for the owner number, oldest first. */
export function listWebhooksFor(
  db: Db,
  accountId: string,
  eventType: string,
  owner: string,
): Promise<WebhookRecord[]> {
  const where = and([
    sql`account_id = ${accountId}`,
    sql`enabled = ${true}`,
    db.kit.jsonArrayHas('events', eventType),
    db.kit.jsonArrayHas('phone_numbers', owner),
  ]);
  return selectMany(db, WEBHOOK, where, OLDEST_FIRST);
}

export const updateWebhook = (db: Db, id: string, patch: Partial<WebhookRecord>) =>
  updateById(db, WEBHOOK, id, patch);

export async function deleteWebhook(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await deleteOwned(db, WEBHOOK, accountId, id)) !== null;
}

/** Sets `failing_since` when it is NULL: true when this call started the episode. */
export async function markWebhookFailing(db: Db, id: string, at: number): Promise<boolean> {
  const t = db.kit.t.webhooks;
  return (
    (await db.run(
      sql`UPDATE ${t} SET failing_since = ${at} WHERE id = ${id} AND failing_since IS NULL`,
    )) > 0
  );
}

// outbox

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
  if (db.kit.mysql) {
    // Through the due index only: rows a locking read examined may stay locked (see claims).
    const index = raw(db.kit.quote(`${db.kit.prefix}outbox_due`));
    const picked = await db.all(
      sql`SELECT id FROM ${t} FORCE INDEX (${index}) WHERE ${due} ${order} ${raw(`LIMIT ${limit}`)} FOR UPDATE SKIP LOCKED`,
    );
    const set = sql`lease_owner = ${query.claimer}, lease_until = ${until}`;
    const ids = picked.values.map((values) => values[0]);
    return inClaimOrder(await updateKeys(db, 'outbox', 'id', ids, set));
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

export const getOutbox = (db: Db, accountId: string, id: string) =>
  selectOne(db, OUTBOX, owned(accountId, id));

/** Newest first, optionally one webhook's rows only. */
export function listOutbox(db: Db, query: OutboxListQuery): Promise<OutboxRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    query.webhookId === null || query.webhookId === undefined
      ? null
      : sql`webhook_id = ${query.webhookId}`,
    query.subjectId === null || query.subjectId === undefined
      ? null
      : sql`subject_id = ${query.subjectId}`,
  ]);
  return selectMany(db, OUTBOX, where, NEWEST_FIRST, query);
}
