/**
 * The ClaimStore part on SQL: due-message claims (`claimDue`, `pickDue`), the next
 * due time, the phone's take-outstanding; the phones' gates and heartbeat checks are
 * in phone-gates.ts.
 *
 * A due row is claimable when it has no lease or its lease ran out. The two
 * cases are read through two partial indexes (free rows ordered by due time;
 * leased rows by lease end), so rows leased by a live claimer cost nothing to
 * skip. On Postgres the claim is one statement that locks its picks with
 * `FOR UPDATE SKIP LOCKED`; on MySQL/MariaDB the picks are locked the same way
 * and updated in the operation's transaction; on SQLite it runs inside the
 * single writer transaction. Claim order is due time, then insertion order (`seq`).
 * A long phone list is kept in the store on Postgres (claim-reach.ts) and on the
 * connection on SQLite (claim-sqlite.ts), rather than read from every claim.
 */

import type {
  ClaimDueQuery,
  DueBacklog,
  MessageRecord,
  PickDueQuery,
  TakeOutstandingQuery,
} from '@textport/core/store';
import { columnValues, decodeRows, firstRecord } from '../rows/codec.js';
import { MESSAGE } from '../rows/columns.js';
import { updateKeys, updateReturning } from '../rows/returning.js';
import type { Db, Rows } from '../sql/db.js';
import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';
import { type ReachWhere, withKeptReach } from './claim-reach.js';
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

/**
 * The claimable-row conditions of a claim: free rows, and rows whose lease ran out;
 * `reach`, when given, is the phone condition instead of the query's ids.
 */
function dueWhere(db: Db, query: PickDueQuery, reach?: ReachWhere) {
  const ids = reach ? null : phoneFilter(db, query.phoneIds);
  const pooled = query.pooledOnly ? raw('pool_id IS NOT NULL') : null;
  const { now } = query;
  return {
    free: and([
      sql`due_at <= ${now}`,
      raw('lease_until IS NULL'),
      ids,
      reach?.free ?? null,
      pooled,
    ]),
    expired: and([
      sql`due_at <= ${now}`,
      sql`lease_until <= ${now}`,
      ids,
      reach?.expired ?? null,
      pooled,
    ]),
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
 * the tuple id (`ctid`) finds them again. `reach`: the kept list's phone
 * condition (claim-reach.ts), else the query's ids.
 */
function pgPicked(db: Db, query: PickDueQuery, limit: number, reach?: ReachWhere): Fragment {
  const t = db.kit.t.messages;
  const { free, expired } = dueWhere(db, query, reach);
  return sql`
      WITH free AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} AS m WHERE ${free}
        ORDER BY due_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ), expired AS (
        SELECT ctid AS row_id, due_at, seq FROM ${t} AS m WHERE ${expired}
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
  if (kit.mysql) {
    const t = kit.t.messages;
    const { free, expired } = dueWhere(db, query);
    const top = raw(`LIMIT ${limit}`);
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
  // SQLite (claim-sqlite.ts: how the picks are read; a long list is not put in the text).
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
    const rows = await withKeptReach(db, query, limit, (reach, count) =>
      db.all(sql`${pgPicked(db, query, count, reach)}
      UPDATE ${t} AS m SET lease_owner = ${claimer}, lease_until = ${until}
      WHERE m.ctid = ANY(ARRAY(SELECT row_id FROM picked))
      RETURNING m.*`),
    );
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
      await withKeptReach(db, query, limit, (reach, count) =>
        db.all(sql`${pgPicked(db, query, count, reach)}
        SELECT m.* FROM ${t} AS m WHERE m.ctid = ANY(ARRAY(SELECT row_id FROM picked))`),
      ),
    );
  }
  const seqs = await pickSeqs(db, query, limit);
  if (seqs.length === 0) return [];
  return inClaimOrder(await db.all(sql`SELECT * FROM ${t} WHERE ${db.kit.inList('seq', seqs)}`));
}

export { nextDueAt } from './next-due.js';

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
