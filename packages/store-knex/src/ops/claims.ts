/**
 * The ClaimStore part on SQL: due-message claims, the next due time, the
 * phone's take-outstanding, the phones' pacing anchor and heartbeat checks.
 *
 * A due row is claimable when it has no lease or its lease ran out. The two
 * cases are read through two partial indexes (free rows ordered by due time;
 * leased rows by lease end), so rows leased by a live claimer cost nothing to
 * skip. On Postgres the claim is one statement that locks its picks with
 * `FOR UPDATE SKIP LOCKED`; on MySQL/MariaDB the picks are locked the same way
 * and updated in the operation's transaction; on SQLite it runs inside the
 * single writer transaction. Claim order is due time, then insertion order (`seq`).
 */

import { DAY_MS, HOUR_MS, monthOf } from '@textport/core';
import type {
  ClaimDueQuery,
  ClaimHeartbeatQuery,
  DueBacklog,
  MessageRecord,
  PhoneRecord,
  PickDueQuery,
  TakeOutstandingQuery,
} from '@textport/core/store';
import { columnValues, decodeRows, firstRecord } from '../rows/codec.js';
import { MESSAGE, PHONE } from '../rows/columns.js';
import { updateKeys, updateReturning } from '../rows/returning.js';
import type { Db, Rows } from '../sql/db.js';
import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';
import { sqlitePicks } from './claim-sqlite.js';

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

/** The first `limit` of the `(seq, due_at)` picks, by due time, then insertion order. */
function inDueOrder(picked: readonly (readonly unknown[])[], limit: number): number[] {
  return picked
    .map((values) => ({ seq: Number(values[0]), dueAt: Number(values[1]) }))
    .sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)
    .slice(0, limit)
    .map((c) => c.seq);
}

/** The claimable-row conditions of a claim: free rows, and rows whose lease ran out. */
function dueWhere(db: Db, query: PickDueQuery) {
  const phones = and([
    phoneFilter(db, query.phoneIds),
    query.pooledOnly ? raw('pool_id IS NOT NULL') : null,
  ]);
  const { now } = query;
  return {
    free: and([sql`due_at <= ${now}`, raw('lease_until IS NULL'), phones]),
    expired: and([sql`due_at <= ${now}`, sql`lease_until <= ${now}`, phones]),
  };
}

/** The count of a claim; 0 when it can take nothing. */
function claimLimit(query: PickDueQuery): number {
  const limit = Math.max(0, Math.trunc(query.limit));
  return query.phoneIds !== 'all' && query.phoneIds.length === 0 ? 0 : limit;
}

/**
 * Postgres: the picks as CTEs ending in `picked` (the tuple ids of the rows to
 * take), each locked with `FOR UPDATE SKIP LOCKED`. Locked rows cannot move, so
 * the tuple id (`ctid`) finds them again.
 */
function pgPicked(db: Db, query: PickDueQuery, limit: number): Fragment {
  const t = db.kit.t.messages;
  const { free, expired } = dueWhere(db, query);
  return sql`
      WITH free AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} WHERE ${free}
        ORDER BY due_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ), expired AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} WHERE ${expired}
        ORDER BY due_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT row_id FROM (SELECT * FROM free UNION ALL SELECT * FROM expired) c
        ORDER BY due_at, seq LIMIT ${limit}
      )`;
}

/**
 * MySQL and SQLite: the `seq` of the rows to take, by due time, then insertion
 * order. MySQL locks the picks until the operation's (or the caller's) transaction
 * ends and other claimers skip them. Each pick names its index: a locking read can
 * keep the rows it examined locked until the end of the transaction, so a pick must
 * examine only rows no other claimer needs (these phones' due rows; expired leases);
 * left to the optimizer, two claimers could hide the free rows from each other.
 * SQLite runs this in the single writer transaction, so nobody can take the picked
 * rows before the caller writes them. The limit is written into the text: SQLite
 * runs `LIMIT ?` markedly slower.
 */
async function pickSeqs(db: Db, query: PickDueQuery, limit: number): Promise<number[]> {
  const { kit } = db;
  const t = kit.t.messages;
  const { free, expired } = dueWhere(db, query);
  const top = raw(`LIMIT ${limit}`);
  if (kit.mysql) {
    const pick = (where: Fragment, index: string) =>
      db.all(sql`SELECT seq, due_at FROM ${t} FORCE INDEX (${raw(kit.quote(`${kit.prefix}messages_${index}`))})
        WHERE ${where} ORDER BY due_at, seq ${top} FOR UPDATE SKIP LOCKED`);
    const freeIndex = query.phoneIds === 'all' ? 'due_free' : 'phone_due_free';
    const picked = [
      ...(await pick(free, freeIndex)).values,
      ...(await pick(expired, 'due_leased')).values,
    ];
    return inDueOrder(picked, limit);
  }
  // SQLite (claim-sqlite.ts: how the picks are read).
  return inDueOrder(await sqlitePicks(db, query, limit), limit);
}

export async function claimDue(db: Db, query: ClaimDueQuery): Promise<MessageRecord[]> {
  const limit = claimLimit(query);
  if (limit === 0) return [];
  const { kit } = db;
  const t = kit.t.messages;
  const { claimer } = query;
  const until = query.now + query.leaseMs;
  if (kit.pg) {
    const rows = await db.all(sql`${pgPicked(db, query, limit)}
      UPDATE ${t} AS m SET lease_owner = ${claimer}, lease_until = ${until}
      WHERE m.ctid = ANY(ARRAY(SELECT row_id FROM picked))
      RETURNING m.*`);
    return inClaimOrder(rows);
  }
  const set = sql`lease_owner = ${claimer}, lease_until = ${until}`;
  if (kit.mysql) {
    // In the operation's transaction: the picks stay locked until the update is done.
    return inClaimOrder(
      await updateKeys(db, 'messages', 'seq', await pickSeqs(db, query, limit), set),
    );
  }
  const seqs = await pickSeqs(db, query, limit);
  if (seqs.length === 0) return [];
  return inClaimOrder(
    await db.all(sql`UPDATE ${t} SET ${set} WHERE ${kit.inList('seq', seqs)} RETURNING *`),
  );
}

/** The rows a claim would take, held by the caller's transaction (see the contract). */
export async function pickDue(db: Db, query: PickDueQuery): Promise<MessageRecord[]> {
  const limit = claimLimit(query);
  if (limit === 0) return [];
  const t = db.kit.t.messages;
  if (db.kit.pg) {
    return inClaimOrder(
      await db.all(sql`${pgPicked(db, query, limit)}
        SELECT m.* FROM ${t} AS m WHERE m.ctid = ANY(ARRAY(SELECT row_id FROM picked))`),
    );
  }
  const seqs = await pickSeqs(db, query, limit);
  if (seqs.length === 0) return [];
  return inClaimOrder(await db.all(sql`SELECT * FROM ${t} WHERE ${db.kit.inList('seq', seqs)}`));
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

/**
 * Rows due now, leased or not, and the earliest due time: the free rows through the
 * free-row index (a range on `due_at`), the leased ones through the leased-row index.
 */
export async function getDueBacklog(db: Db, now: number): Promise<DueBacklog> {
  const t = db.kit.t.messages;
  const rows = await db.all(sql`
    SELECT count(*) AS due, min(due_at) AS oldest FROM ${t}
      WHERE due_at <= ${now} AND lease_until IS NULL
    UNION ALL
    SELECT count(*), min(due_at) FROM ${t}
      WHERE due_at IS NOT NULL AND lease_until IS NOT NULL AND due_at <= ${now}`);
  let due = 0;
  let oldestDueAt: number | null = null;
  const oldest = columnValues(rows, 'oldest');
  for (const [i, count] of columnValues(rows, 'due').entries()) {
    due += Number(count);
    const at = oldest[i];
    if (at === null || at === undefined) continue;
    const value = Number(at);
    if (oldestDueAt === null || value < oldestDueAt) oldestDueAt = value;
  }
  return { due, oldestDueAt };
}

/** Moves one outstanding message (scheduled, pending, expired) to `sending` in one `UPDATE`. */
export async function takeOutstanding(
  db: Db,
  query: TakeOutstandingQuery,
): Promise<MessageRecord | null> {
  if ((query.owners && query.owners.length === 0) || query.from.length === 0) return null;
  const { kit } = db;
  const { now } = query;
  const set = [
    sql`status = ${query.to}`,
    sql`last_attempted_at = ${now}`,
    sql`updated_at = ${now}`,
    sql`order_timestamp = ${kit.greatest('order_timestamp', now)}`,
  ];
  if (query.dueAt !== undefined) set.push(sql`due_at = ${query.dueAt}`);
  const where = and([
    sql`account_id = ${query.accountId}`,
    sql`id = ${query.id}`,
    sql`status IN (${join(
      query.from.map((status) => sql`${status}`),
      ', ',
    )})`,
    kit.within('owner', query.owners),
  ]);
  return firstRecord(MESSAGE, await updateReturning(db, 'messages', join(set, ', '), where));
}

// pacing and heartbeat checks

/** Compare-and-set of the pacing anchor in one `UPDATE`. */
export async function reservePhoneSlot(
  db: Db,
  phoneId: string,
  expected: number | null,
  next: number,
): Promise<boolean> {
  const anchor =
    expected === null ? raw('last_scheduled_at IS NULL') : sql`last_scheduled_at = ${expected}`;
  const changed = await db.run(
    sql`UPDATE ${db.kit.t.phones} SET last_scheduled_at = ${next} WHERE id = ${phoneId} AND ${anchor}`,
  );
  return changed === 1;
}

/** The pacing gate of actual hand-offs in one conditional `UPDATE`. */
export async function reservePhoneHandoff(
  db: Db,
  phoneId: string,
  at: number,
  spacingMs: number,
): Promise<boolean> {
  const changed = await db.run(
    sql`UPDATE ${db.kit.t.phones} SET last_handoff_at = ${at} WHERE id = ${phoneId}
          AND (last_handoff_at IS NULL OR last_handoff_at <= ${at - spacingMs})`,
  );
  return changed === 1;
}

/**
 * The cap gate of actual hand-offs in one conditional `UPDATE` (the rule of
 * `reserveBudget` in core): a window that has ended starts anew at `at`. The
 * segment counts are set before the window starts, because MySQL evaluates
 * `SET` left to right with the values already assigned.
 */
export async function reservePhoneBudget(
  db: Db,
  phoneId: string,
  at: number,
  segments: number,
): Promise<boolean> {
  const over = (start: string, lengthMs: number) =>
    sql`(${raw(start)} IS NULL OR ${raw(start)} <= ${at - lengthMs})`;
  const hourOver = over('hour_window_start', HOUR_MS);
  const dayOver = over('day_window_start', DAY_MS);
  const fits = (cap: string, count: string, ended: Fragment) =>
    sql`(${raw(cap)} = 0 OR ${ended} OR ${raw(count)} = 0 OR ${raw(count)} + ${segments} <= ${raw(cap)})`;
  const changed = await db.run(
    sql`UPDATE ${db.kit.t.phones} SET
          hour_window_segments = CASE WHEN ${hourOver} THEN ${segments} ELSE hour_window_segments + ${segments} END,
          day_window_segments = CASE WHEN ${dayOver} THEN ${segments} ELSE day_window_segments + ${segments} END,
          hour_window_start = CASE WHEN ${hourOver} THEN ${at} ELSE hour_window_start END,
          day_window_start = CASE WHEN ${dayOver} THEN ${at} ELSE day_window_start END
        WHERE id = ${phoneId}
          AND ${fits('messages_per_hour', 'hour_window_segments', hourOver)}
          AND ${fits('messages_per_day', 'day_window_segments', dayOver)}`,
  );
  return changed === 1;
}

/**
 * The unique-recipients gate. Postgres: one statement (its operations run outside a
 * transaction): the phone's count moves only when the contact is not counted yet and
 * the month has room, re-checked on the locked row, and the contact is recorded only
 * when it moved. SQLite and MySQL: the same steps in one transaction, the phone row
 * locked first (MySQL's locking reads see what other transactions committed).
 */
export async function reservePhoneRecipient(
  db: Db,
  phoneId: string,
  contact: string,
  at: number,
): Promise<boolean> {
  const { kit } = db;
  const month = monthOf(at);
  const phones = kit.t.phones;
  const counted = kit.t.phone_recipients;
  const seenWhere = sql`phone_id = ${phoneId} AND month = ${month} AND contact = ${contact}`;
  if (kit.pg) {
    const rows = await db.all(sql`
      WITH p AS (SELECT recipients_per_month AS cap FROM ${phones} WHERE id = ${phoneId}),
      seen AS (SELECT 1 FROM ${counted} WHERE ${seenWhere}),
      bump AS (
        UPDATE ${phones} SET
          recipients_count = CASE WHEN recipients_month = ${month} THEN recipients_count + 1 ELSE 1 END,
          recipients_month = ${month}
        WHERE id = ${phoneId} AND recipients_per_month > 0 AND NOT EXISTS (SELECT 1 FROM seen)
          AND (recipients_month IS DISTINCT FROM ${month} OR recipients_count < recipients_per_month)
        RETURNING account_id),
      added AS (
        INSERT INTO ${counted} (account_id, phone_id, month, contact)
        SELECT account_id, ${phoneId}, ${month}, ${contact} FROM bump ON CONFLICT DO NOTHING),
      old AS (DELETE FROM ${counted} WHERE phone_id = ${phoneId} AND month < ${month}
        AND EXISTS (SELECT 1 FROM bump))
      SELECT (SELECT cap FROM p) AS cap, EXISTS (SELECT 1 FROM seen) AS seen,
        EXISTS (SELECT 1 FROM bump) AS counted`);
    const [cap, seen, bumped] = (rows.values[0] ?? []) as [unknown, unknown, unknown];
    if (cap === null || cap === undefined) return false;
    return Number(cap) === 0 || seen === true || bumped === true;
  }
  return db.atomic(async () => {
    const lock = kit.mysql ? raw('FOR UPDATE') : raw('');
    const phone = await db.all(
      sql`SELECT recipients_per_month, recipients_month, recipients_count, account_id FROM ${phones} WHERE id = ${phoneId} ${lock}`,
    );
    const row = phone.values[0];
    if (!row) return false;
    const [cap, inMonth, count, accountId] = row as [number, number | null, number, string];
    if (Number(cap) === 0) return true;
    const seen = await db.all(sql`SELECT 1 FROM ${counted} WHERE ${seenWhere} ${lock}`);
    if (seen.values.length > 0) return true;
    const used = Number(inMonth) === month ? Number(count) : 0;
    if (used >= Number(cap)) return false;
    await db.run(
      sql`UPDATE ${phones} SET recipients_month = ${month}, recipients_count = ${used + 1} WHERE id = ${phoneId}`,
    );
    await db.run(sql`DELETE FROM ${counted} WHERE phone_id = ${phoneId} AND month < ${month}`);
    await db.run(
      sql`INSERT INTO ${counted} (account_id, phone_id, month, contact) VALUES (${accountId}, ${phoneId}, ${month}, ${contact})`,
    );
    return true;
  });
}

/** Due heartbeat checks, earliest first; each claimed check moves to `now + leaseMs`. */
export async function claimHeartbeatChecks(
  db: Db,
  query: ClaimHeartbeatQuery,
): Promise<PhoneRecord[]> {
  const limit = Math.max(0, Math.trunc(query.limit));
  if (limit === 0) return [];
  const t = db.kit.t.phones;
  const next = query.now + query.leaseMs;
  const due = sql`heartbeat_check_at <= ${query.now}`;
  if (db.kit.pg) {
    const rows = await db.all(sql`
      WITH due AS (
        SELECT id, heartbeat_check_at AS previous FROM ${t} WHERE ${due}
        ORDER BY heartbeat_check_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE ${t} AS p SET heartbeat_check_at = ${next} FROM due WHERE p.id = due.id
      RETURNING p.*, due.previous AS claim_previous`);
    const previous = columnValues(rows, 'claim_previous').map(Number);
    return decodeRows(PHONE, rows)
      .map((phone, i) => ({ phone, previous: previous[i] ?? 0 }))
      .sort((a, b) => a.previous - b.previous || (a.phone.id < b.phone.id ? -1 : 1))
      .map(({ phone }) => phone);
  }
  // SQLite: this runs in the single writer transaction, so read-then-update is
  // safe; MySQL locks the picks until the operation's transaction ends.
  const { kit } = db;
  const lock = raw(kit.mysql ? 'FOR UPDATE SKIP LOCKED' : '');
  const index = raw(
    kit.mysql ? `FORCE INDEX (${kit.quote(`${kit.prefix}phones_heartbeat_check`)})` : '',
  );
  const picked = await db.all(
    sql`SELECT id FROM ${t} ${index} WHERE ${due} ORDER BY heartbeat_check_at, id LIMIT ${limit} ${lock}`,
  );
  const ids = columnValues(picked, 'id').map(String);
  if (ids.length === 0) return [];
  const set = sql`heartbeat_check_at = ${next}`;
  const rows = db.kit.mysql
    ? await updateKeys(db, 'phones', 'id', ids, set)
    : await db.all(sql`UPDATE ${t} SET ${set} WHERE ${db.kit.inList('id', ids)} RETURNING *`);
  const order = new Map(ids.map((id, i) => [id, i]));
  return decodeRows(PHONE, rows).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}
