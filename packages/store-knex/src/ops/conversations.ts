/** Threads (one per account, owner and contact), webhooks and send schedules. */
import type {
  SendScheduleRecord,
  ThreadListQuery,
  ThreadRecord,
  WebhookListQuery,
  WebhookRecord,
} from '@textport/core/store';
import { SCHEDULE, THREAD, WEBHOOK } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
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

// threads

export const insertThread = (db: Db, thread: ThreadRecord) => insertRow(db, THREAD, thread);

export const getThread = (db: Db, accountId: string, id: string) =>
  selectOne(db, THREAD, owned(accountId, id));

export const findThread = (db: Db, accountId: string, owner: string, contact: string) =>
  selectOne(
    db,
    THREAD,
    sql`account_id = ${accountId} AND owner = ${owner} AND contact = ${contact}`,
  );

/** Newest `orderTimestamp` first; `query` matches the last content, the owner or the contact. */
export function listThreads(db: Db, query: ThreadListQuery): Promise<ThreadRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    sql`owner = ${query.owner}`,
    sql`is_archived = ${query.isArchived}`,
    db.kit.contains(['last_message_content', 'owner', 'contact'], query.query),
  ]);
  return selectMany(db, THREAD, where, raw('ORDER BY order_timestamp DESC, id DESC'), query);
}

export const updateThread = (db: Db, id: string, patch: Partial<ThreadRecord>) =>
  updateById(db, THREAD, id, patch);

export const deleteThread = (db: Db, accountId: string, id: string) =>
  deleteOwned(db, THREAD, accountId, id);

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

// send schedules

export const insertSendSchedule = (db: Db, schedule: SendScheduleRecord) =>
  insertRow(db, SCHEDULE, schedule);

export const getSendSchedule = (db: Db, accountId: string, id: string) =>
  selectOne(db, SCHEDULE, owned(accountId, id));

export const listSendSchedules = (db: Db, accountId: string) =>
  selectMany(db, SCHEDULE, sql`account_id = ${accountId}`, OLDEST_FIRST);

export const updateSendSchedule = (db: Db, id: string, patch: Partial<SendScheduleRecord>) =>
  updateById(db, SCHEDULE, id, patch);

export async function deleteSendSchedule(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await deleteOwned(db, SCHEDULE, accountId, id)) !== null;
}
