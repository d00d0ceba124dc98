/**
 * The ClaimStore's next due time (`nextDueAt`): the earliest `due_at` of the given
 * phones' rows, leased or not, which the dispatcher reads each time it finds nothing
 * to claim. A short list is read one index probe per phone. A long list its claimer
 * just claimed with is read through the list the claim kept (claim-reach.ts on
 * Postgres, claim-sqlite.ts on SQLite), so the ids are not sent: the first listed row
 * among the first `NEXT_DUE_STRETCH` free rows in due order; when there is none and
 * other phones' rows fill that stretch, each listed phone's first free row (a cost
 * that grows with the list); and the leased rows, each looked up in the list.
 */
import { columnValues } from '../rows/codec.js';
import type { Db } from '../sql/db.js';
import { type Fragment, raw, sql } from '../sql/fragment.js';
import { keptListOf, listedProbe } from './claim-reach.js';
import { keptOnConnection, reachTable, SHORT_LIST } from './claim-sqlite.js';

/** The free due rows read in due order before the listed phones are read one by one. */
export const NEXT_DUE_STRETCH = 1000;

const present = (v: unknown) => v !== null && v !== undefined;

/** The earliest of the times given (null when none is). */
function earliest(values: readonly unknown[]): number | null {
  const times = values.filter(present).map(Number);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Postgres, through the list kept for `key`; undefined when it is not `ids` (or moved). */
async function fromKeptList(db: Db, key: string, ids: readonly string[]) {
  const { kit } = db;
  const list = keptListOf(kit, key, ids);
  if (!list) return undefined;
  const { t } = kit;
  const listed = (row: string) => listedProbe(kit, key, list.gen, row);
  const stretch = sql`SELECT due_at, seq, phone_id FROM ${t.messages}
      WHERE due_at IS NOT NULL AND lease_until IS NULL ORDER BY due_at, seq
      LIMIT ${NEXT_DUE_STRETCH}`;
  const [row] = (
    await db.all(sql`SELECT
      EXISTS (SELECT 1 FROM ${t.claim_reach_lists}
        WHERE reach_key = ${key} AND version = ${list.version}) AS current,
      (SELECT s.due_at FROM (${stretch}) s WHERE ${listed('s')}
        ORDER BY s.due_at, s.seq LIMIT 1) AS free,
      (SELECT count(*) FROM (${stretch}) s) AS walked,
      (SELECT min(due_at) FROM ${t.messages} m
        WHERE due_at IS NOT NULL AND lease_until IS NOT NULL AND ${listed('m')}) AS leased`)
  ).values;
  if (row?.[0] !== true) return undefined;
  let free = row[1];
  if (!present(free) && Number(row[2]) >= NEXT_DUE_STRETCH) {
    const [joined] = (
      await db.all(sql`SELECT min(f.due_at) FROM ${t.claim_reach} r CROSS JOIN LATERAL (
          SELECT due_at FROM ${t.messages} WHERE phone_id = r.phone_id AND due_at IS NOT NULL
            AND lease_until IS NULL ORDER BY due_at LIMIT 1) f
        WHERE r.reach_key = ${key} AND r.gen = ${list.gen}`)
    ).values;
    free = joined?.[0];
  }
  return earliest([free, row[3]]);
}

/** SQLite, through the list kept on the connection; undefined when it is not `ids`. */
async function fromConnectionList(db: Db, ids: readonly string[]) {
  if (!(await keptOnConnection(db, ids))) return undefined;
  const { kit } = db;
  const t = kit.t.messages;
  const table = reachTable(kit);
  const indexed = (name: string) => raw(`INDEXED BY ${kit.quote(`${kit.prefix}messages_${name}`)}`);
  const listed = sql`phone_id IN (SELECT phone_id FROM ${table})`;
  const stretch = raw(`LIMIT ${NEXT_DUE_STRETCH}`);
  const free = sql`due_at IS NOT NULL AND lease_until IS NULL`;
  const [row] = (
    await db.all(sql`SELECT
      (SELECT due_at FROM (SELECT due_at, seq, phone_id FROM ${t} ${indexed('due_free')}
        WHERE ${free} ORDER BY due_at, seq ${stretch}) WHERE ${listed}
        ORDER BY due_at, seq LIMIT 1),
      (SELECT count(*) FROM (SELECT 1 FROM ${t} ${indexed('due_free')} WHERE ${free} ${stretch})),
      (SELECT min(due_at) FROM ${t} ${indexed('due_leased')}
        WHERE due_at IS NOT NULL AND lease_until IS NOT NULL AND ${listed})`)
  ).values;
  let first = row?.[0];
  if (!present(first) && Number(row?.[1] ?? 0) >= NEXT_DUE_STRETCH) {
    const [joined] = (
      await db.all(sql`SELECT min((SELECT due_at FROM ${t} ${indexed('phone_due_free')}
          WHERE phone_id = r.phone_id AND ${free} ORDER BY due_at LIMIT 1)) FROM ${table} r`)
    ).values;
    first = joined?.[0];
  }
  return earliest([first, row?.[2]]);
}

/**
 * The earliest `due_at` of the phones' rows, leased or not; one index probe per phone,
 * or, for a long list its `claimer` just claimed with, through the list kept for it.
 */
export async function nextDueAt(
  db: Db,
  phoneIds: readonly string[] | 'all',
  claimer?: string,
): Promise<number | null> {
  const { kit } = db;
  if (phoneIds !== 'all' && claimer !== undefined && phoneIds.length > SHORT_LIST) {
    // The list its last claim kept (Postgres: in the store; SQLite: on the connection).
    const kept = kit.pg
      ? await fromKeptList(db, claimer, phoneIds)
      : await fromConnectionList(db, phoneIds);
    if (kept !== undefined) return kept;
  }
  const t = kit.t.messages;
  let query: Fragment;
  if (phoneIds === 'all') {
    query = sql`SELECT min(x) AS next FROM (
      SELECT (SELECT due_at FROM ${t} WHERE due_at IS NOT NULL AND lease_until IS NULL
              ORDER BY due_at LIMIT 1) AS x
      UNION ALL
      SELECT min(due_at) FROM ${t} WHERE due_at IS NOT NULL AND lease_until IS NOT NULL) s`;
  } else if (kit.mysql) {
    if (phoneIds.length === 0) return null;
    query = sql`SELECT min(due_at) AS next FROM ${t}
      WHERE due_at IS NOT NULL AND ${kit.inList('phone_id', phoneIds)}`;
  } else {
    if (phoneIds.length === 0) return null;
    const phones = kit.pg
      ? sql`unnest(${[...phoneIds]}::text[]) AS p(value)`
      : sql`json_each(${JSON.stringify(phoneIds)}) AS p`;
    query = sql`SELECT min(x) AS next FROM (
      SELECT (SELECT due_at FROM ${t} WHERE phone_id = p.value AND due_at IS NOT NULL
              AND lease_until IS NULL ORDER BY due_at LIMIT 1) AS x FROM ${phones}
      UNION ALL
      SELECT min(due_at) FROM ${t} WHERE due_at IS NOT NULL AND lease_until IS NOT NULL
        AND ${kit.inList('phone_id', phoneIds)}) s`;
  }
  const [next] = columnValues(await db.all(query), 'next');
  return next === null || next === undefined ? null : Number(next);
}
