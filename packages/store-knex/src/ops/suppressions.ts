/** The SuppressionStore part on SQL: an account's opt-outs, one per (account, owner, contact). */

import { GatewayError } from '@textport/core';
import type {
  SuppressionListQuery,
  SuppressionMatch,
  SuppressionRecord,
} from '@textport/core/store';
import { decodeRows, firstRecord, insertOne } from '../rows/codec.js';
import { SUPPRESSION } from '../rows/columns.js';
import { deleteReturning } from '../rows/returning.js';
import type { Db } from '../sql/db.js';
import { and, type Fragment, sql } from '../sql/fragment.js';
import { deleteOwned, NEWEST_FIRST, owned, selectMany, selectOne } from './common.js';

function matching(db: Db, match: SuppressionMatch): Fragment {
  return and([
    sql`account_id = ${match.accountId}`,
    db.kit.inList('contact', [...new Set(match.contacts)]),
    db.kit.inList('owner', [...new Set(match.owners)]),
  ]);
}

const newestFirst = (a: SuppressionRecord, b: SuppressionRecord) =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** One `INSERT` that leaves an existing (account, owner, contact) row alone, then that row. */
export async function addSuppression(
  db: Db,
  record: SuppressionRecord,
): Promise<SuppressionRecord> {
  const insert = insertOne(db.kit, SUPPRESSION, record);
  await db.run(
    db.kit.mysql
      ? sql`${insert} ON DUPLICATE KEY UPDATE id = id`
      : sql`${insert} ON CONFLICT (account_id, contact, owner) DO NOTHING`,
  );
  const key = sql`account_id = ${record.accountId} AND contact = ${record.contact} AND owner = ${record.owner}`;
  // MySQL reads a transaction's snapshot unless the read locks: lock to see a row another
  // transaction committed meanwhile (Postgres reads committed rows at each statement).
  const stored = db.kit.mysql
    ? firstRecord(
        SUPPRESSION,
        await db.all(sql`SELECT * FROM ${db.kit.t.suppressions} WHERE ${key} LOCK IN SHARE MODE`),
      )
    : await selectOne(db, SUPPRESSION, key);
  if (!stored) throw new GatewayError('conflict', `suppression ${record.id} already exists`);
  return stored;
}

export const getSuppression = (db: Db, accountId: string, id: string) =>
  selectOne(db, SUPPRESSION, owned(accountId, id));

export const findSuppressions = (db: Db, match: SuppressionMatch) =>
  selectMany(db, SUPPRESSION, matching(db, match), NEWEST_FIRST);

/** Newest first; `query` matches the contact or the owner. */
export function listSuppressions(db: Db, query: SuppressionListQuery) {
  const where = and([
    sql`account_id = ${query.accountId}`,
    db.kit.contains(['contact', 'owner'], query.query),
  ]);
  return selectMany(db, SUPPRESSION, where, NEWEST_FIRST, query);
}

export const deleteSuppression = (db: Db, accountId: string, id: string) =>
  deleteOwned(db, SUPPRESSION, accountId, id);

export async function deleteSuppressions(
  db: Db,
  match: SuppressionMatch,
): Promise<SuppressionRecord[]> {
  const rows = await deleteReturning(db, 'suppressions', matching(db, match));
  return decodeRows(SUPPRESSION, rows).sort(newestFirst);
}
