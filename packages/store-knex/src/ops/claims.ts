/**
 * Due-message claims, the next due time and the phone's take-outstanding.
 *
 * A due row is claimable when it has no lease or its lease ran out. The two
 * cases are read through two partial indexes (free rows ordered by due time;
 * leased rows by lease end), so rows leased by a live claimer cost nothing to
 * skip. On Postgres the claim is one statement that locks its picks with
 * `FOR UPDATE SKIP LOCKED`; on SQLite it runs inside the single writer
 * transaction. Claim order is due time, then insertion order (`seq`).
 */
import type { ClaimDueQuery, MessageRecord, TakeOutstandingQuery } from '@textport/core/store';
import { columnValues, decodeRows, firstRecord } from '../rows/codec.js';
import { MESSAGE } from '../rows/columns.js';
import type { Db, Rows } from '../sql/db.js';
import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';

function phoneFilter(db: Db, phoneIds: readonly string[] | 'all'): Fragment | null {
  return phoneIds === 'all' ? null : db.kit.inList('phone_id', phoneIds);
}

/** The claimed rows as records, by due time, then insertion order. */
function inClaimOrder(rows: Rows): MessageRecord[] {
  const seqs = columnValues(rows, 'seq');
  return decodeRows(MESSAGE, rows)
    .map((message, i) => ({ message, seq: Number(seqs[i]) }))
    .sort((a, b) => (a.message.dueAt ?? 0) - (b.message.dueAt ?? 0) || a.seq - b.seq)
    .map(({ message }) => message);
}

export async function claimDue(db: Db, query: ClaimDueQuery): Promise<MessageRecord[]> {
  const limit = Math.max(0, Math.trunc(query.limit));
  if (limit === 0 || (query.phoneIds !== 'all' && query.phoneIds.length === 0)) return [];
  const { kit } = db;
  const t = kit.t.messages;
  const { now, claimer } = query;
  const phones = phoneFilter(db, query.phoneIds);
  const free = and([sql`due_at <= ${now}`, raw('lease_until IS NULL'), phones]);
  const expired = and([sql`due_at <= ${now}`, sql`lease_until <= ${now}`, phones]);
  const until = now + query.leaseMs;
  if (kit.pg) {
    // The locked rows are updated by their tuple id (`ctid`): they cannot move while locked.
    const rows = await db.all(sql`
      WITH free AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} WHERE ${free}
        ORDER BY due_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ), expired AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} WHERE ${expired}
        ORDER BY due_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT row_id FROM (SELECT * FROM free UNION ALL SELECT * FROM expired) c
        ORDER BY due_at, seq LIMIT ${limit}
      )
      UPDATE ${t} AS m SET lease_owner = ${claimer}, lease_until = ${until}
      WHERE m.ctid = ANY(ARRAY(SELECT row_id FROM picked))
      RETURNING m.*`);
    return inClaimOrder(rows);
  }
  // SQLite: this runs in the single writer transaction, so nobody can take the
  // picked rows between the read and the update. The limit is written into the
  // text: SQLite runs `LIMIT ?` markedly slower.
  const top = raw(`LIMIT ${limit}`);
  const pick = (where: Fragment) =>
    sql`SELECT seq, due_at FROM (SELECT seq, due_at FROM ${t} WHERE ${where} ORDER BY due_at, seq ${top})`;
  const picked = await db.all(sql`${pick(free)} UNION ALL ${pick(expired)}`);
  const candidates = picked.values
    .map((values) => ({ seq: Number(values[0]), dueAt: Number(values[1]) }))
    .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)
    .slice(0, limit);
  if (candidates.length === 0) return [];
  const seqs = candidates.map((c) => c.seq);
  const rows = await db.all(
    sql`UPDATE ${t} SET lease_owner = ${claimer}, lease_until = ${until} WHERE ${kit.inList('seq', seqs)} RETURNING *`,
  );
  return inClaimOrder(rows);
}

/** The earliest `due_at` of the phones' rows, leased or not; one index probe per phone. */
export async function nextDueAt(
  db: Db,
  phoneIds: readonly string[] | 'all',
): Promise<number | null> {
  const { kit } = db;
  const t = kit.t.messages;
  let query: Fragment;
  if (phoneIds === 'all') {
    query = sql`SELECT min(x) AS next FROM (
      SELECT (SELECT due_at FROM ${t} WHERE due_at IS NOT NULL AND lease_until IS NULL
              ORDER BY due_at LIMIT 1) AS x
      UNION ALL
      SELECT min(due_at) FROM ${t} WHERE due_at IS NOT NULL AND lease_until IS NOT NULL) s`;
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

/** Moves one outstanding message (scheduled, pending, expired) to `sending` in one `UPDATE`. */
export async function takeOutstanding(
  db: Db,
  query: TakeOutstandingQuery,
): Promise<MessageRecord | null> {
  if (query.owners && query.owners.length === 0) return null;
  const { kit } = db;
  const { now } = query;
  const set = [
    raw(`status = 'sending'`),
    sql`last_attempted_at = ${now}`,
    sql`updated_at = ${now}`,
    sql`order_timestamp = ${kit.greatest('order_timestamp', now)}`,
  ];
  if (query.dueAt !== undefined) set.push(sql`due_at = ${query.dueAt}`);
  const where = and([
    sql`account_id = ${query.accountId}`,
    sql`id = ${query.id}`,
    raw(`status IN ('scheduled', 'pending', 'expired')`),
    kit.within('owner', query.owners),
  ]);
  const rows = await db.all(
    sql`UPDATE ${kit.t.messages} SET ${join(set, ', ')} WHERE ${where} RETURNING *`,
  );
  return firstRecord(MESSAGE, rows);
}
