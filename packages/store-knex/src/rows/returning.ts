/**
 * `UPDATE … RETURNING *` and `DELETE … RETURNING *`: one statement on Postgres
 * and SQLite. MySQL and MariaDB have no `UPDATE … RETURNING`, so there the
 * matching rows are locked (`SELECT … FOR UPDATE`), changed by id and read
 * back, as one atomic step of the operation's transaction.
 */
import type { Db, Rows } from '../sql/db.js';
import { type Fragment, sql } from '../sql/fragment.js';
import type { TableName } from '../sql/kit.js';

const NONE: Rows = { columns: [], values: [] };

function firstColumn(rows: Rows): unknown[] {
  return rows.values.map((values) => values[0]);
}

/** The rows matching `where`, after `set`. */
export function updateReturning(
  db: Db,
  table: TableName,
  set: Fragment,
  where: Fragment,
): Promise<Rows> {
  const t = db.kit.t[table];
  if (!db.kit.mysql) return db.all(sql`UPDATE ${t} SET ${set} WHERE ${where} RETURNING *`);
  return db.atomic(async () => {
    const ids = firstColumn(await db.all(sql`SELECT id FROM ${t} WHERE ${where} FOR UPDATE`));
    return updateKeys(db, table, 'id', ids, set);
  });
}

/**
 * MySQL: updates the rows whose `key` is one of `keys` (already locked by the
 * caller) and reads them back.
 */
export async function updateKeys(
  db: Db,
  table: TableName,
  key: string,
  keys: readonly unknown[],
  set: Fragment,
): Promise<Rows> {
  if (keys.length === 0) return NONE;
  const t = db.kit.t[table];
  const match = db.kit.inList(key, keys);
  await db.run(sql`UPDATE ${t} SET ${set} WHERE ${match}`);
  return db.all(sql`SELECT * FROM ${t} WHERE ${match}`);
}

/** Deletes the rows matching `where` and returns them. */
export function deleteReturning(db: Db, table: TableName, where: Fragment): Promise<Rows> {
  const t = db.kit.t[table];
  if (!db.kit.mysql) return db.all(sql`DELETE FROM ${t} WHERE ${where} RETURNING *`);
  return db.atomic(async () => {
    const rows = await db.all(sql`SELECT * FROM ${t} WHERE ${where} FOR UPDATE`);
    const at = rows.columns.indexOf('id');
    const ids = rows.values.map((values) => values[at]);
    if (ids.length > 0) await db.run(sql`DELETE FROM ${t} WHERE ${db.kit.inList('id', ids)}`);
    return rows;
  });
}
