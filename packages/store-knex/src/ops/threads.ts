/** The ThreadStore part on SQL: one thread per account, owner and contact. */
import type { ThreadListQuery, ThreadRecord } from '@textport/core/store';
import { THREAD } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { and, raw, sql } from '../sql/fragment.js';
import { deleteOwned, insertRow, owned, selectMany, selectOne, updateById } from './common.js';

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
