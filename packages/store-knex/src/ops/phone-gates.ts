/**
 * The ClaimStore part on SQL, the phones' side: the pacing anchor and the hand-off
 * gates (pacing, caps, unique recipients), each one atomic step, and the heartbeat
 * checks' claims. The message claims are in claims.ts.
 */
import { DAY_MS, HOUR_MS, monthOf } from '@textport/core';
import type { ClaimHeartbeatQuery, PhoneRecord } from '@textport/core/store';
import { columnValues, decodeRows } from '../rows/codec.js';
import { PHONE } from '../rows/columns.js';
import { updateKeys } from '../rows/returning.js';
import type { Db } from '../sql/db.js';
import { type Fragment, raw, sql } from '../sql/fragment.js';

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
