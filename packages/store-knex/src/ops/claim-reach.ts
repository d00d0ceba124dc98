/**
 * Postgres: a claimer's long phone list kept in the store, so a claim reads it
 * through an index instead of carrying every id (planned and matched on each claim).
 *
 * A list longer than `SHORT_LIST` of a named claimer (`claimDue`'s `claimer`,
 * `pickDue`'s optional one) is written to `claim_reach` (a row per phone) under the
 * claimer's name, and written again only when it changes: the ids removed and added
 * since this process last wrote it, or the whole list when this process does not know
 * what the table holds. Each write gives the list a new version
 * (`claim_reach_lists`), in the same statement as its rows, and a claim reads the
 * rows only while the version is the one written with its list. So a claim never
 * takes rows of phones outside the list it was given: not when the caller's
 * transaction that wrote the list rolled back, nor when another claim under the same
 * name (of this process or, misconfigured, of another) wrote a different list
 * meanwhile. Such a claim finds nothing, sees the version moved, writes its list
 * whole and claims again. The diff is applied only when the version is the one this
 * process wrote (the list row is locked first, so writers of one name take turns);
 * a whole write starts a new generation of rows, so rows another writer added
 * unseen are never read; the next whole write or sweep deletes them.
 *
 * Lists not written nor claimed with for `STALE_REACH_MS` (their claimer stopped), and
 * rows not of their list's generation, are deleted by any process that writes or
 * touches its own list, at most every `TOUCH_MS`; a process marks its lists as in use
 * at that pace. A restarted node
 * (the same name) writes its list whole, replacing the rows it left.
 */
import { randomUUID } from 'node:crypto';
import type { PickDueQuery } from '@textport/core/store';
import { columnValues } from '../rows/codec.js';
import type { Db, Rows } from '../sql/db.js';
import { type Fragment, raw, sql } from '../sql/fragment.js';
import type { SqlKit } from '../sql/kit.js';
import { SHORT_LIST, sameList } from './claim-sqlite.js';

/** A list neither written nor claimed with for this long is deleted. */
export const STALE_REACH_MS = 60 * 60_000;
/** How often a process marks its lists in use and deletes stale ones, at most. */
const TOUCH_MS = 5 * 60_000;
/** The lists a process remembers per store (one per claimer name). */
const MAX_KEPT = 64;

/**
 * What the table holds when its version is `version`, as far as this process knows:
 * the listed ids (each with the number of the comparison that last found it listed)
 * and their generation. Shared by the lists written from it, changed only in steps
 * without an `await`, so a change is computed against one state and applied only
 * when the table is at that state's version.
 */
interface Held {
  ids: Map<string, number>;
  version: string;
  gen: string;
}

interface Kept {
  ids: readonly string[];
  held: Held;
  version: string;
  gen: string;
  touchedAt: number;
}

/** Numbers the comparisons of lists, so concurrent ones do not read each other's marks. */
let comparisons = 0;

/** The lists each store last wrote, by claimer name; and when it last deleted stale ones. */
const kept = new WeakMap<SqlKit, Map<string, Kept>>();
const swept = new WeakMap<SqlKit, number>();

function keptOf(kit: SqlKit): Map<string, Kept> {
  let map = kept.get(kit);
  if (!map) {
    map = new Map();
    kept.set(kit, map);
  }
  return map;
}

function remember(kit: SqlKit, key: string, list: Kept): void {
  const map = keptOf(kit);
  map.delete(key);
  map.set(key, list);
  if (map.size > MAX_KEPT) map.delete(map.keys().next().value as string);
}

function elapsed(since: number, now: number): boolean {
  return now - since >= TOUCH_MS || now < since;
}

/**
 * Deletes the lists nobody wrote or claimed with for `STALE_REACH_MS` (skipping locked
 * ones), and the rows of every list that are not of its generation (never read: rows
 * another writer added that a whole write did not see). A list and the rows of its
 * generation are written in one statement, so no row of a list's next generation is
 * taken for one of an old generation.
 */
async function sweep(db: Db, now: number): Promise<void> {
  const { t } = db.kit;
  swept.set(db.kit, now);
  await db.run(sql`WITH gone AS (
      DELETE FROM ${t.claim_reach_lists} WHERE reach_key IN (
        SELECT reach_key FROM ${t.claim_reach_lists} WHERE touched_at < ${now - STALE_REACH_MS}
        FOR UPDATE SKIP LOCKED)
      RETURNING reach_key)
    DELETE FROM ${t.claim_reach} WHERE reach_key IN (SELECT reach_key FROM gone)`);
  await db.run(sql`DELETE FROM ${t.claim_reach} r USING ${t.claim_reach_lists} l
    WHERE r.reach_key = l.reach_key AND r.gen <> l.gen`);
}

async function upkeep(db: Db, now: number): Promise<void> {
  const last = swept.get(db.kit);
  if (last === undefined || elapsed(last, now)) await sweep(db, now);
}

/** Applies the change from `last` to `ids`; false when the table no longer holds `last`. */
async function writeDiff(
  db: Db,
  key: string,
  last: Kept,
  ids: readonly string[],
  version: string,
  now: number,
): Promise<boolean> {
  const { t } = db.kit;
  // Marks the ids still listed; the unmarked ones were removed.
  const { held: table } = last;
  const { gen } = table;
  const basis = table.version;
  const mark = ++comparisons;
  const added: string[] = [];
  for (const id of ids) {
    if (table.ids.has(id)) table.ids.set(id, mark);
    else added.push(id);
  }
  const removed: string[] = [];
  table.ids.forEach((m, id) => {
    if (m !== mark) removed.push(id);
  });
  if (removed.length + added.length > ids.length / 2) return false;
  // Each part reads `l` first, so it runs only once the list row is locked and still this
  // version. The removed rows are found one index probe per id (a lateral lookup of the
  // whole key): a prepared statement's generic plan otherwise reads the whole list to
  // match them, whatever the statistics say. Rows of other generations (another writer's,
  // unseen by a whole write) are never read; `sweep` deletes them (`gen <> $n` here would
  // read the whole list as well).
  const rows = await db.all(sql`WITH l AS (
      UPDATE ${t.claim_reach_lists} SET version = ${version}, touched_at = ${now}
      WHERE reach_key = ${key} AND version = ${basis} RETURNING reach_key
    ), gone AS (
      DELETE FROM ${t.claim_reach} WHERE EXISTS (SELECT 1 FROM l) AND ctid = ANY(ARRAY(
        SELECT f.ctid FROM unnest(${removed}::text[]) AS x(p) CROSS JOIN LATERAL (
          SELECT ctid FROM ${t.claim_reach}
          WHERE reach_key = ${key} AND gen = ${gen} AND phone_id = x.p LIMIT 1) f))
    ), put AS (
      INSERT INTO ${t.claim_reach} (reach_key, gen, phone_id)
      SELECT l.reach_key, ${gen}, p FROM l, unnest(${added}::text[]) AS p
      ON CONFLICT DO NOTHING
    )
    SELECT count(*) FROM l`);
  if (Number(rows.values[0]?.[0] ?? 0) !== 1) return false;
  if (table.version !== basis) {
    // Another change of this process was applied to the state meanwhile (its
    // transaction then rolled back): the state is no longer known; the next change
    // writes the list whole.
    table.version = '';
    return true;
  }
  for (const id of removed) table.ids.delete(id);
  for (const id of added) table.ids.set(id, mark);
  table.version = version;
  return true;
}

/** Writes `ids` as the whole list of `key`, in a new generation. */
async function writeWhole(
  db: Db,
  key: string,
  ids: readonly string[],
  version: string,
  gen: string,
  now: number,
): Promise<void> {
  const { t } = db.kit;
  await db.all(sql`WITH l AS (
      INSERT INTO ${t.claim_reach_lists} (reach_key, version, gen, touched_at)
      VALUES (${key}, ${version}, ${gen}, ${now})
      ON CONFLICT (reach_key) DO UPDATE SET version = EXCLUDED.version, gen = EXCLUDED.gen,
        touched_at = EXCLUDED.touched_at
      RETURNING reach_key
    ), gone AS (
      DELETE FROM ${t.claim_reach} WHERE EXISTS (SELECT 1 FROM l) AND reach_key = ${key}
        AND gen <> ${gen}
    ), put AS (
      INSERT INTO ${t.claim_reach} (reach_key, gen, phone_id)
      SELECT l.reach_key, ${gen}, p FROM l, unnest(${[...ids]}::text[]) AS p
      ON CONFLICT DO NOTHING
    )
    SELECT 1`);
}

/** Makes the table hold `ids` as `key`'s list (unless this process knows it does). */
async function keepReach(db: Db, key: string, ids: readonly string[], now: number): Promise<Kept> {
  const { kit } = db;
  const last = keptOf(kit).get(key);
  if (last && sameList(last.ids, ids)) {
    if (elapsed(last.touchedAt, now)) {
      await db.run(sql`UPDATE ${kit.t.claim_reach_lists} SET touched_at = ${now}
        WHERE reach_key = ${key} AND version = ${last.version}`);
      last.touchedAt = now;
      await upkeep(db, now);
    }
    return last;
  }
  const version = randomUUID();
  let list: Kept;
  if (last && (await writeDiff(db, key, last, ids, version, now))) {
    list = { ids: [...ids], held: last.held, version, gen: last.held.gen, touchedAt: now };
  } else {
    const gen = randomUUID();
    await writeWhole(db, key, ids, version, gen, now);
    const held = { ids: new Map(ids.map((id) => [id, 0])), version, gen };
    list = { ids: [...ids], held, version, gen, touchedAt: now };
  }
  remember(kit, key, list);
  await upkeep(db, now);
  return list;
}

/** The phone conditions of a claim's free and expired picks; the messages table is `m`. */
export interface ReachWhere {
  free: Fragment;
  expired: Fragment;
}

/** The free due rows a claim walks in due order first, as a multiple of its limit. */
const WALK_FACTOR = 4;

/**
 * How a claim with the kept list finds the listed phones' free rows:
 * - `first`: the first `limit` listed rows among the first `stretch` free rows in due
 *   order (read once through `due_free`, one list probe per row until `limit` are
 *   found); the claim locks those not locked already.
 * - `walk`: the free rows up to the `stretch`-th in due order, each looked up in the
 *   list as it is read, skipping rows other claims hold (and the rows `skip`).
 * - `join`: the listed phones' free rows through `phone_due_free` (the list joined),
 *   leaving out the rows `skip`.
 * Expired leases are looked up in the list one by one in each (less `skip`).
 */
type Find =
  | { mode: 'first'; stretch: number; now: number; limit: number }
  | { mode: 'walk'; stretch: number; now: number; skip: readonly number[] }
  | { mode: 'join'; skip: readonly number[] };

/**
 * Whether the phone of `row` (a table alias) is in generation `gen` of the list kept for
 * `key`. A scalar subquery is never turned into a join: one index probe per row read.
 */
export function listedProbe(kit: SqlKit, key: string, gen: string, row: string): Fragment {
  return sql`(SELECT true FROM ${kit.t.claim_reach} r
      WHERE r.reach_key = ${key} AND r.gen = ${gen} AND r.phone_id = ${raw(row)}.phone_id)`;
}

/** The kept list's conditions of a claim (see `Find`). */
function keptWhere(kit: SqlKit, key: string, list: Kept, find: Find): ReachWhere {
  const { t } = kit;
  const current = sql`EXISTS (SELECT 1 FROM ${t.claim_reach_lists} l
      WHERE l.reach_key = ${key} AND l.version = ${list.version})`;
  const probe = (row: string) => sql`${current} AND ${listedProbe(kit, key, list.gen, row)}`;
  const stretched = (now: number, stretch: number) =>
    sql`SELECT ctid, phone_id, due_at, seq FROM ${t.messages} WHERE due_at <= ${now}
      AND lease_until IS NULL ORDER BY due_at, seq LIMIT ${stretch}`;
  if (find.mode === 'first') {
    const rows = sql`m.ctid = ANY(ARRAY(SELECT s.ctid FROM (${stretched(find.now, find.stretch)}) s
      WHERE ${probe('s')} LIMIT ${find.limit}))`;
    return { free: rows, expired: probe('m') };
  }
  const skip = sql`m.seq <> ALL(${[...find.skip]}::bigint[])`;
  if (find.mode === 'walk') {
    // The walk stops at the stretch's last row at the latest (any row when it is shorter).
    const end = sql`(m.due_at, m.seq) <= (SELECT due_at, seq FROM (
        (SELECT 0 AS k, due_at, seq FROM (${stretched(find.now, find.stretch)}) s
          ORDER BY due_at DESC, seq DESC LIMIT 1)
        UNION ALL SELECT 1, ${find.now}::bigint, ${raw('9223372036854775807')}::bigint
      ) b ORDER BY k LIMIT 1)`;
    return {
      free: sql`${probe('m')} AND ${end} AND ${skip}`,
      expired: sql`${probe('m')} AND ${skip}`,
    };
  }
  const joined = sql`${current} AND EXISTS (SELECT 1 FROM ${t.claim_reach} r
      WHERE r.reach_key = ${key} AND r.gen = ${list.gen} AND r.phone_id = m.phone_id)`;
  return { free: sql`${joined} AND ${skip}`, expired: sql`${probe('m')} AND ${skip}` };
}

type Pick = (reach: ReachWhere | undefined, limit: number) => Promise<Rows>;

function seqs(rows: Rows): number[] {
  return columnValues(rows, 'seq').map(Number);
}

function joinRows(a: Rows, b: Rows): Rows {
  return { columns: a.columns, values: [...a.values, ...b.values] };
}

/**
 * The rows of a claim with the kept list (see `Find`): `first`; when it falls short,
 * `walk` (rows other claims held hid listed rows from `first`); when that falls
 * short too and other phones' rows fill the stretch, `join`.
 */
async function keptPick(
  db: Db,
  query: PickDueQuery,
  limit: number,
  key: string,
  list: Kept,
  pick: Pick,
): Promise<Rows> {
  const { kit } = db;
  const { now } = query;
  const stretch = limit * WALK_FACTOR;
  let rows = await pick(keptWhere(kit, key, list, { mode: 'first', stretch, now, limit }), limit);
  if (rows.values.length >= limit) return rows;
  const more = await pick(
    keptWhere(kit, key, list, { mode: 'walk', stretch, now, skip: seqs(rows) }),
    limit - rows.values.length,
  );
  rows = joinRows(rows, more);
  if (rows.values.length >= limit) return rows;
  // Fewer: the stretch holds every free due row, or other phones' rows fill it.
  const [count] = (
    await db.all(sql`SELECT count(*) FROM (SELECT 1 FROM ${kit.t.messages}
      WHERE due_at <= ${now} AND lease_until IS NULL ORDER BY due_at, seq LIMIT ${stretch}) s`)
  ).values;
  if (Number(count?.[0] ?? 0) < stretch) return rows;
  const joined = await pick(
    keptWhere(kit, key, list, { mode: 'join', skip: seqs(rows) }),
    limit - rows.values.length,
  );
  return joinRows(rows, joined);
}

/**
 * Runs a Postgres claim `pick` (at most `limit` rows) with its phone conditions: the
 * kept list's for a long list of a named claimer, else none (`pick` reads the ids
 * from the query). A claim that found nothing because the list moved under it
 * writes its list and runs again.
 */
export async function withKeptReach(
  db: Db,
  query: PickDueQuery,
  limit: number,
  pick: Pick,
): Promise<Rows> {
  const key = query.claimer;
  const ids = query.phoneIds;
  if (!db.kit.pg || key === undefined || ids === 'all' || ids.length <= SHORT_LIST) {
    return pick(undefined, limit);
  }
  const list = await keepReach(db, key, ids, query.now);
  const rows = await keptPick(db, query, limit, key, list, pick);
  if (rows.values.length > 0) return rows;
  const [current] = (
    await db.all(sql`SELECT version FROM ${db.kit.t.claim_reach_lists} WHERE reach_key = ${key}`)
  ).values;
  if (current?.[0] === list.version) return rows;
  keptOf(db.kit).delete(key);
  const again = await keepReach(db, key, ids, query.now);
  return keptPick(db, query, limit, key, again, pick);
}

/**
 * The version and generation of the list this process last wrote for `key` on
 * Postgres, when it holds exactly `ids`; else undefined.
 */
export function keptListOf(
  kit: SqlKit,
  key: string,
  ids: readonly string[],
): { version: string; gen: string } | undefined {
  const list = kit.pg ? keptOf(kit).get(key) : undefined;
  return list && sameList(list.ids, ids) ? list : undefined;
}
