/**
 * SQLite's claim picks: which due rows a claim takes, in due order, without
 * stepping over the due rows of phones the claimer does not reach, and without
 * reading a long phone list on every claim.
 *
 * A short phone list is read per phone: each listed phone's first free rows
 * from `phone_due_free` (its own due order, index only), merged. A long list is
 * kept on the connection (a temporary table, brought up to date only when the
 * list changes), and the claim first reads a bounded stretch of `due_free` in
 * due order, keeping the listed phones' rows; when that stretch is not enough to
 * know the answer (other phones' rows fill it), it reads the listed phones' due
 * rows from `phone_due_free` instead. A claim costs about the rows it takes, not
 * the due rows of other phones nor the length of the list, except in that last
 * case, where it costs the listed phones' due rows and the list.
 * Expired leases are read through `due_leased` and kept when their phone is listed.
 */
import type { PickDueQuery } from '@textport/core/store';
import type { Db } from '../sql/db.js';
import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';
import type { SqlKit } from '../sql/kit.js';

/** Lists up to this long are read phone by phone from the statement's parameters. */
export const SHORT_LIST = 32;
/** The stretch of free due rows a long-list claim reads in due order, as a multiple of its limit. */
const WALK_FACTOR = 4;

interface Reach {
  ids: readonly string[];
  generation: number;
}

/** The list each store last kept on its connection, and the generation written with it. */
const kept = new WeakMap<SqlKit, Reach>();
let generations = 0;

/** The temporary table that holds the long list kept on the connection. */
export function reachTable(kit: SqlKit): Fragment {
  return raw(`temp.${kit.quote(`${kit.prefix}claim_reach`)}`);
}

/** The connection's one-row table holding the generation of the list in `reachTable`. */
function markTable(kit: SqlKit): Fragment {
  return raw(`temp.${kit.quote(`${kit.prefix}claim_reach_generation`)}`);
}

/** Whether two phone lists hold the same ids in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Makes the temporary reach table hold `ids`. The generation row tells whether the
 * table still holds what this process last wrote: a new connection has no table, and
 * a rolled-back transaction takes the last change back.
 */
async function keepReach(db: Db, ids: readonly string[]): Promise<void> {
  const { kit } = db;
  const table = reachTable(kit);
  const mark = markTable(kit);
  const last = kept.get(kit);
  let current: number | null = null;
  try {
    const [row] = (await db.all(sql`SELECT generation FROM ${mark}`)).values;
    current = row ? Number(row[0]) : null;
  } catch {
    await db.run(sql`CREATE TEMP TABLE IF NOT EXISTS ${mark} (generation INTEGER NOT NULL)`);
    await db.run(
      sql`CREATE TEMP TABLE IF NOT EXISTS ${table} (phone_id TEXT PRIMARY KEY) WITHOUT ROWID`,
    );
  }
  const valid = last !== undefined && current === last.generation;
  if (valid && sameList(last.ids, ids)) return;
  const before = new Set(valid ? last.ids : []);
  const after = new Set(ids);
  const removed = valid ? last.ids.filter((id) => !after.has(id)) : [];
  const added = ids.filter((id) => !before.has(id));
  // A few links opened or closed: change those rows; else write the list anew.
  if (valid && removed.length + added.length <= ids.length / 2) {
    if (removed.length > 0) {
      await db.run(
        sql`DELETE FROM ${table} WHERE phone_id IN (SELECT value FROM json_each(${JSON.stringify(removed)}))`,
      );
    }
    if (added.length > 0) {
      await db.run(
        sql`INSERT OR IGNORE INTO ${table} SELECT value FROM json_each(${JSON.stringify(added)})`,
      );
    }
  } else {
    await db.run(sql`DELETE FROM ${table}`);
    await db.run(
      sql`INSERT OR IGNORE INTO ${table} SELECT value FROM json_each(${JSON.stringify(ids)})`,
    );
  }
  const generation = ++generations;
  await db.run(sql`DELETE FROM ${mark}`);
  await db.run(sql`INSERT INTO ${mark} (generation) VALUES (${generation})`);
  kept.set(kit, { ids: [...ids], generation });
}

type Pick = readonly (readonly unknown[])[];

/** Free due rows, as the claim reads them (`phone_id` and `pool_id` are in the table only). */
function freeWhere(now: number, pooled: boolean, phones: Fragment | null): Fragment {
  return and([
    sql`due_at <= ${now}`,
    raw('lease_until IS NULL'),
    phones,
    pooled ? raw('pool_id IS NOT NULL') : null,
  ]);
}

/** The free rows a claim takes, `(seq, due_at)` in due order. */
async function freePicks(db: Db, query: PickDueQuery, limit: number): Promise<Pick> {
  const { kit } = db;
  const t = kit.t.messages;
  const { now } = query;
  const pooled = query.pooledOnly === true;
  const top = raw(`LIMIT ${limit}`);
  const indexed = (name: string) => raw(`INDEXED BY ${kit.quote(`${kit.prefix}messages_${name}`)}`);
  if (query.phoneIds === 'all') {
    const where = freeWhere(now, pooled, null);
    return (
      await db.all(sql`SELECT seq, due_at FROM ${t} WHERE ${where} ORDER BY due_at, seq ${top}`)
    ).values;
  }
  const ids = query.phoneIds;
  if (ids.length <= SHORT_LIST) {
    // Each phone's first rows in its own due order (index only), merged.
    const arms = ids.map(
      (id) => sql`SELECT * FROM (SELECT seq, due_at FROM ${t} ${indexed('phone_due_free')}
        WHERE ${freeWhere(now, pooled, sql`phone_id = ${id}`)} ORDER BY due_at, seq ${top})`,
    );
    return (
      await db.all(
        sql`SELECT seq, due_at FROM (${join(arms, ' UNION ALL ')}) ORDER BY due_at, seq ${top}`,
      )
    ).values;
  }
  const reach = sql`phone_id IN (SELECT phone_id FROM ${reachTable(kit)})`;
  // A bounded stretch in due order, read until `limit` listed rows are found.
  const stretch = raw(`LIMIT ${limit * WALK_FACTOR}`);
  const free = freeWhere(now, false, null);
  const walked = await db.all(sql`
    SELECT seq, due_at FROM (
      SELECT seq, due_at, phone_id, pool_id FROM ${t} ${indexed('due_free')}
      WHERE ${free} ORDER BY due_at, seq ${stretch})
    WHERE ${and([reach, pooled ? raw('pool_id IS NOT NULL') : null])} ORDER BY due_at, seq ${top}`);
  if (walked.values.length >= limit) return walked.values;
  // Fewer: the stretch holds every free due row, or other phones' rows fill it.
  const [count] = (
    await db.all(
      sql`SELECT count(*) FROM (SELECT 1 FROM ${t} ${indexed('due_free')} WHERE ${free} ${stretch})`,
    )
  ).values;
  if (Number(count?.[0] ?? 0) < limit * WALK_FACTOR) return walked.values;
  // Other phones' rows fill it: read the listed phones' due rows instead.
  const where = freeWhere(now, pooled, reach);
  return (
    await db.all(
      sql`SELECT seq, due_at FROM ${t} ${indexed('phone_due_free')} WHERE ${where} ORDER BY due_at, seq ${top}`,
    )
  ).values;
}

/**
 * The rows a claim takes on SQLite, `(seq, due_at)`: free rows and rows whose lease
 * ran out, each at most `limit`, unsorted (the caller merges them).
 */
export async function sqlitePicks(db: Db, query: PickDueQuery, limit: number): Promise<Pick> {
  const { kit } = db;
  const { now } = query;
  const long = query.phoneIds !== 'all' && query.phoneIds.length > SHORT_LIST;
  if (long) await keepReach(db, query.phoneIds as readonly string[]);
  const phones =
    query.phoneIds === 'all'
      ? null
      : long
        ? sql`phone_id IN (SELECT phone_id FROM ${reachTable(kit)})`
        : kit.inList('phone_id', query.phoneIds);
  const expiredWhere = and([
    sql`due_at <= ${now}`,
    sql`lease_until <= ${now}`,
    phones,
    query.pooledOnly ? raw('pool_id IS NOT NULL') : null,
  ]);
  const expired = await db.all(
    sql`SELECT seq, due_at FROM ${kit.t.messages} WHERE ${expiredWhere} ORDER BY due_at, seq ${raw(`LIMIT ${limit}`)}`,
  );
  return [...(await freePicks(db, query, limit)), ...expired.values];
}

/** Whether the connection holds the list this process last kept there, and it is `ids`. */
export async function keptOnConnection(db: Db, ids: readonly string[]): Promise<boolean> {
  const { kit } = db;
  const last = kept.get(kit);
  if (kit.pg || kit.mysql || !last || !sameList(last.ids, ids)) return false;
  const mark = markTable(kit);
  try {
    const [row] = (await db.all(sql`SELECT generation FROM ${mark}`)).values;
    return row !== undefined && Number(row[0]) === last.generation;
  } catch {
    return false; // a new connection: no list kept on it
  }
}
