/** Message rows: batch insert (with idempotency and outbox rows), reads, lists, deletes, transitions. */

import type { MessageStatus } from '@textport/core';
import type {
  InsertMessagesOptions,
  MessageListQuery,
  MessagePatch,
  MessageRecord,
  MessageSearchQuery,
  TransitionOptions,
  TransitionResult,
} from '@textport/core/store';
import { searchedMessageId } from '@textport/core/store';
import {
  assignments,
  decodeRows,
  firstRecord,
  insertOne,
  insertValues,
  pgInsertSelect,
} from '../rows/codec.js';
import { IDEMPOTENCY, MESSAGE, OUTBOX } from '../rows/columns.js';
import { deleteReturning, updateReturning } from '../rows/returning.js';
import type { Db } from '../sql/db.js';
import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';

const NEWEST_FIRST = raw('ORDER BY order_timestamp DESC, id DESC');

/** Writes the batch, its idempotency record and its outbox rows: all or nothing. */
export async function insertMessages(
  db: Db,
  messages: readonly MessageRecord[],
  options: InsertMessagesOptions = {},
): Promise<void> {
  const { kit } = db;
  const idempotency = options.idempotency ? [options.idempotency] : [];
  const outbox = options.outbox ?? [];
  if (kit.pg) {
    // One statement: the inserts ride in data-modifying CTEs, atomic without a transaction.
    const inserts: Fragment[] = [];
    if (messages.length > 0) inserts.push(pgInsertSelect(kit, MESSAGE, messages));
    if (idempotency.length > 0) inserts.push(pgInsertSelect(kit, IDEMPOTENCY, idempotency));
    if (outbox.length > 0) inserts.push(pgInsertSelect(kit, OUTBOX, outbox));
    const last = inserts.pop();
    if (!last) return;
    const ctes = inserts.map((insert, i) => sql`w${raw(String(i))} AS (${insert})`);
    await db.run(ctes.length === 0 ? last : sql`WITH ${join(ctes, ', ')} ${last}`);
    return;
  }
  if (kit.mysql) {
    // One multi-row `INSERT` per table, in the operation's transaction.
    const inserts: Fragment[] = [];
    if (messages.length > 0) inserts.push(insertValues(kit, MESSAGE, messages));
    if (idempotency.length > 0) inserts.push(insertValues(kit, IDEMPOTENCY, idempotency));
    if (outbox.length > 0) inserts.push(insertValues(kit, OUTBOX, outbox));
    await db.atomic(async () => {
      for (const insert of inserts) await db.run(insert);
    });
    return;
  }
  const inserts = [
    ...messages.map((m) => insertOne(kit, MESSAGE, m)),
    ...idempotency.map((record) => insertOne(kit, IDEMPOTENCY, record)),
    ...outbox.map((row) => insertOne(kit, OUTBOX, row)),
  ];
  if (inserts.length === 1) {
    await db.run(inserts[0] as Fragment);
    return;
  }
  await db.atomic(async () => {
    for (const insert of inserts) await db.run(insert);
  });
}

export async function getMessage(
  db: Db,
  accountId: string,
  id: string,
): Promise<MessageRecord | null> {
  const rows = await db.all(
    sql`SELECT * FROM ${db.kit.t.messages} WHERE account_id = ${accountId} AND id = ${id}`,
  );
  return firstRecord(MESSAGE, rows);
}

export async function getMessages(
  db: Db,
  accountId: string,
  ids: readonly string[],
): Promise<MessageRecord[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)];
  const rows = await db.all(
    sql`SELECT * FROM ${db.kit.t.messages} WHERE account_id = ${accountId} AND ${db.kit.inList('id', unique)}`,
  );
  return decodeRows(MESSAGE, rows);
}

function between(accountId: string, owner: string, contact: string): Fragment {
  return sql`account_id = ${accountId} AND owner = ${owner} AND contact = ${contact}`;
}

export async function listMessages(db: Db, query: MessageListQuery): Promise<MessageRecord[]> {
  const { kit } = db;
  const where = and([
    between(query.accountId, query.owner, query.contact),
    kit.contains(['content'], query.query),
  ]);
  const rows = await db.all(
    sql`SELECT * FROM ${kit.t.messages} WHERE ${where} ${NEWEST_FIRST} ${kit.page(query)}`,
  );
  return decodeRows(MESSAGE, rows);
}

/** A search query's match: a substring of the text fields, or the id the query names. */
function textOrId(db: Db, query: string | null | undefined): Fragment | null {
  const text = db.kit.contains(
    ['content', 'contact', 'owner', 'failure_reason', 'request_id'],
    query,
  );
  const id = searchedMessageId(query);
  return text && id ? sql`(${text} OR id = ${id})` : text;
}

export async function searchMessages(db: Db, query: MessageSearchQuery): Promise<MessageRecord[]> {
  const { kit } = db;
  const where = and([
    sql`account_id = ${query.accountId}`,
    kit.within('owner', query.owners),
    kit.within('type', query.types),
    kit.within('status', query.statuses),
    textOrId(db, query.query),
    query.after === null || query.after === undefined
      ? null
      : sql`order_timestamp >= ${query.after}`,
    query.before === null || query.before === undefined
      ? null
      : sql`order_timestamp < ${query.before}`,
  ]);
  const rows = await db.all(
    sql`SELECT * FROM ${kit.t.messages} WHERE ${where} ${NEWEST_FIRST} ${kit.page(query)}`,
  );
  return decodeRows(MESSAGE, rows);
}

export async function getOutgoingCount(db: Db, accountId: string, since: number): Promise<number> {
  const rows = await db.all(
    sql`SELECT count(*) FROM ${db.kit.t.messages} WHERE account_id = ${accountId} AND type = 'mobile-terminated' AND request_received_at >= ${since}`,
  );
  return Number(rows.values[0]?.[0] ?? 0);
}

export async function latestMessageBetween(
  db: Db,
  accountId: string,
  owner: string,
  contact: string,
): Promise<MessageRecord | null> {
  const rows = await db.all(
    sql`SELECT * FROM ${db.kit.t.messages} WHERE ${between(accountId, owner, contact)} ${NEWEST_FIRST} LIMIT 1`,
  );
  return firstRecord(MESSAGE, rows);
}

export async function deleteMessage(
  db: Db,
  accountId: string,
  id: string,
): Promise<MessageRecord | null> {
  const rows = await deleteReturning(db, 'messages', sql`account_id = ${accountId} AND id = ${id}`);
  return firstRecord(MESSAGE, rows);
}

export function deleteMessagesBetween(
  db: Db,
  accountId: string,
  owner: string,
  contact: string,
): Promise<number> {
  return db.run(sql`DELETE FROM ${db.kit.t.messages} WHERE ${between(accountId, owner, contact)}`);
}

/**
 * Compare-and-set: one `UPDATE` guarded by the expected statuses (and the lease
 * owner). When it changes nothing, the current row is read and returned.
 */
export async function transition(
  db: Db,
  id: string,
  expected: readonly MessageStatus[],
  patch: MessagePatch,
  options: TransitionOptions = {},
): Promise<TransitionResult> {
  const { kit } = db;
  const table = kit.t.messages;
  const guard = and([
    sql`id = ${id}`,
    kit.inList('status', expected),
    options.leaseOwner === undefined ? null : sql`lease_owner = ${options.leaseOwner}`,
  ]);
  const set = assignments(kit, MESSAGE, patch) ?? raw('updated_at = updated_at');
  const moved = firstRecord(MESSAGE, await updateReturning(db, 'messages', set, guard));
  if (moved) return { ok: true, message: moved };
  const current = await db.all(sql`SELECT * FROM ${table} WHERE id = ${id}`);
  return { ok: false, current: firstRecord(MESSAGE, current) };
}
