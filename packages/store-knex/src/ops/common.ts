/** Row helpers shared by the directory, conversation and settings operations. */
import type { PageQuery } from '@textport/core/store';
import { decodeRows, firstRecord, insertOne, updateWhere } from '../rows/codec.js';
import type { TableSpec } from '../rows/columns.js';
import { deleteReturning } from '../rows/returning.js';
import type { Db } from '../sql/db.js';
import { type Fragment, raw, sql } from '../sql/fragment.js';
import type { TableName } from '../sql/kit.js';

export const NEWEST_FIRST = raw('ORDER BY created_at DESC, id DESC');
export const OLDEST_FIRST = raw('ORDER BY created_at, id');

export async function insertRow<R>(db: Db, spec: TableSpec<R>, record: R): Promise<void> {
  await db.run(insertOne(db.kit, spec, record));
}

export async function selectOne<R>(db: Db, spec: TableSpec<R>, where: Fragment): Promise<R | null> {
  return firstRecord(
    spec,
    await db.all(sql`SELECT * FROM ${db.kit.t[spec.table]} WHERE ${where} LIMIT 1`),
  );
}

export async function selectMany<R>(
  db: Db,
  spec: TableSpec<R>,
  where: Fragment,
  order: Fragment,
  page?: PageQuery,
): Promise<R[]> {
  const limit = page ? db.kit.page(page) : raw('');
  const rows = await db.all(
    sql`SELECT * FROM ${db.kit.t[spec.table]} WHERE ${where} ${order} ${limit}`,
  );
  return decodeRows(spec, rows);
}

/** Updates the row with this id (any account); null when there is none. */
export function updateById<R>(db: Db, spec: TableSpec<R>, id: string, patch: object) {
  return updateWhere(db, spec, patch, sql`id = ${id}`);
}

/** Deletes the account's row with this id and returns it. */
export async function deleteOwned<R>(
  db: Db,
  spec: TableSpec<R>,
  accountId: string,
  id: string,
): Promise<R | null> {
  return firstRecord(spec, await deleteReturning(db, spec.table, owned(accountId, id)));
}

export function owned(accountId: string, id: string): Fragment {
  return sql`account_id = ${accountId} AND id = ${id}`;
}

/**
 * Deletes up to `limit` rows of `table` matching `where` (all of them when the
 * limit is not finite); returns how many. `key` lists the table's key columns
 * (`id`, or `account_id, idem_key`) for Postgres; SQLite uses the rowid, MySQL
 * `DELETE … LIMIT`. On Postgres, rows another transaction holds are skipped unless
 * `skipLocked` is false (then the batch waits for them).
 */
export function purgeBatch(
  db: Db,
  table: TableName,
  key: string,
  where: Fragment,
  limit: number,
  skipLocked = true,
): Promise<number> {
  const t = db.kit.t[table];
  if (!Number.isFinite(limit)) return db.run(sql`DELETE FROM ${t} WHERE ${where}`);
  const n = Math.max(0, Math.trunc(limit));
  if (n === 0) return Promise.resolve(0);
  if (db.kit.pg) {
    const k = raw(key);
    return db.run(
      sql`DELETE FROM ${t} WHERE (${k}) IN (SELECT ${k} FROM ${t} WHERE ${where} LIMIT ${n} ${raw(skipLocked ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE')})`,
    );
  }
  if (db.kit.mysql) return db.run(sql`DELETE FROM ${t} WHERE ${where} LIMIT ${n}`);
  return db.run(
    sql`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE ${where} LIMIT ${n})`,
  );
}
