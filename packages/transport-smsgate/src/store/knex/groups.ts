/**
 * SMSGate messages (groups) on SQL. `acceptGroup` writes the group and its
 * textport messages in one Knex transaction: the group row first (its primary
 * key decides which of two concurrent accepts of one id goes on; the other waits
 * for it and then fails with `GroupExistsError` before sending anything), then
 * the messages through textport's store bound to the same transaction, then the
 * group's message ids. Any failure rolls all of it back.
 *
 * `send` must work through the store it is handed only: on SQLite the
 * transaction holds Knex's one connection, so a call on the unbound store (or on
 * this store) from inside `send` would wait for it until Knex's acquire timeout.
 */
import type { MessageRecord, Store } from '@textport/core';
import type { Knex } from 'knex';
import type { GroupListQuery, GroupRecord } from '../types.js';
import { GroupExistsError } from '../types.js';
import { groupOf, groupRow, num, type Row } from './rows.js';

/** Where the group operations run: the application's Knex and the table names. */
export interface GroupTables {
  readonly knex: Knex;
  readonly groups: string;
  readonly groupMessages: string;
  /** textport's store on the same Knex, bound to a transaction of it. */
  bind(trx: Knex.Transaction): Store;
}

const UNIQUE_VIOLATIONS: ReadonlySet<unknown> = new Set([
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  'SQLITE_CONSTRAINT_UNIQUE',
  '23505',
  'ER_DUP_ENTRY',
]);

/** A primary-key or unique-index violation, on SQLite (better-sqlite3), Postgres or MySQL. */
export function isUniqueViolation(error: unknown): boolean {
  return UNIQUE_VIOLATIONS.has((error as { code?: unknown } | null)?.code);
}

/** Rows per INSERT of group messages: well under SQLite's and Postgres's parameter limits. */
const CHUNK = 500;

export async function acceptGroup(
  t: GroupTables,
  group: GroupRecord,
  send: (store: Store | undefined) => Promise<MessageRecord[]>,
): Promise<{ group: GroupRecord; messages: MessageRecord[] }> {
  return t.knex.transaction(async (trx) => {
    try {
      await trx(t.groups).insert(groupRow({ ...group, messageIds: [] }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new GroupExistsError(group.id);
      throw error;
    }
    const messages = await send(t.bind(trx));
    const messageIds = messages.map((m) => m.id);
    await trx(t.groups)
      .where({ account_id: group.accountId, id: group.id })
      .update({ message_ids: JSON.stringify(messageIds) });
    for (let i = 0; i < messageIds.length; i += CHUNK) {
      await trx(t.groupMessages).insert(
        messageIds.slice(i, i + CHUNK).map((messageId) => ({
          account_id: group.accountId,
          message_id: messageId,
          group_id: group.id,
        })),
      );
    }
    return { group: { ...structuredClone(group), messageIds }, messages };
  });
}

export async function getGroup(
  t: GroupTables,
  accountId: string,
  id: string,
): Promise<GroupRecord | null> {
  const row: Row | undefined = await t.knex(t.groups).where({ account_id: accountId, id }).first();
  return row ? groupOf(row) : null;
}

export async function findGroupByMessageId(
  t: GroupTables,
  accountId: string,
  messageId: string,
): Promise<GroupRecord | null> {
  const row: Row | undefined = await t
    .knex(`${t.groups} as g`)
    .join(`${t.groupMessages} as m`, function () {
      this.on('m.account_id', '=', 'g.account_id').andOn('m.group_id', '=', 'g.id');
    })
    .where({ 'm.account_id': accountId, 'm.message_id': messageId })
    .first('g.*');
  return row ? groupOf(row) : null;
}

export async function listGroups(
  t: GroupTables,
  query: GroupListQuery,
): Promise<{ groups: GroupRecord[]; total: number }> {
  const filtered = t.knex(t.groups).where('account_id', query.accountId);
  if (query.deviceId != null) filtered.andWhere('device_id', query.deviceId);
  if (query.from != null) filtered.andWhere('created_at', '>=', query.from);
  if (query.to != null) filtered.andWhere('created_at', '<', query.to);
  const order = query.order === 'asc' ? 'asc' : 'desc';
  const [counted] = await filtered.clone().count({ n: '*' });
  const rows: Row[] = await filtered
    .clone()
    .select('*')
    .orderBy([
      { column: 'created_at', order },
      { column: 'id', order },
    ])
    .offset(Math.max(0, Math.trunc(query.skip)))
    .limit(Math.max(0, Math.trunc(query.limit)));
  return { groups: rows.map(groupOf), total: num(counted?.n ?? 0) };
}
