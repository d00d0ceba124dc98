/** Accounts, API keys, phones (with pacing anchors and heartbeat checks) and heartbeats. */
import type {
  AccountRecord,
  ApiKeyListQuery,
  ApiKeyRecord,
  ClaimHeartbeatQuery,
  FcmPhoneQuery,
  HeartbeatListQuery,
  HeartbeatRecord,
  PhoneListQuery,
  PhoneRecord,
} from '@textport/core/store';
import { columnValues, decodeRows, insertMany } from '../rows/codec.js';
import { ACCOUNT, API_KEY, HEARTBEAT, PHONE } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { and, raw, sql } from '../sql/fragment.js';
import {
  deleteOwned,
  insertRow,
  NEWEST_FIRST,
  owned,
  selectMany,
  selectOne,
  updateById,
} from './common.js';

// accounts

export const insertAccount = (db: Db, account: AccountRecord) => insertRow(db, ACCOUNT, account);

export const getAccount = (db: Db, id: string) => selectOne(db, ACCOUNT, sql`id = ${id}`);

export const updateAccount = (db: Db, id: string, patch: Partial<AccountRecord>) =>
  updateById(db, ACCOUNT, id, patch);

// API keys

export const insertApiKey = (db: Db, key: ApiKeyRecord) => insertRow(db, API_KEY, key);

export const findApiKeyByHash = (db: Db, keyHash: string) =>
  selectOne(db, API_KEY, sql`key_hash = ${keyHash}`);

export const getApiKey = (db: Db, accountId: string, id: string) =>
  selectOne(db, API_KEY, owned(accountId, id));

/** Newest first; `query` matches the name or the key prefix. */
export function listApiKeys(db: Db, query: ApiKeyListQuery): Promise<ApiKeyRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    sql`kind = ${query.kind}`,
    db.kit.contains(['name', 'key_prefix'], query.query),
  ]);
  return selectMany(db, API_KEY, where, NEWEST_FIRST, query);
}

export const updateApiKey = (db: Db, id: string, patch: Partial<ApiKeyRecord>) =>
  updateById(db, API_KEY, id, patch);

export async function deleteApiKey(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await deleteOwned(db, API_KEY, accountId, id)) !== null;
}

// phones

export const insertPhone = (db: Db, phone: PhoneRecord) => insertRow(db, PHONE, phone);

export const getPhone = (db: Db, id: string) => selectOne(db, PHONE, sql`id = ${id}`);

export const findPhoneByNumber = (db: Db, accountId: string, phoneNumber: string) =>
  selectOne(db, PHONE, sql`account_id = ${accountId} AND phone_number = ${phoneNumber}`);

/** Newest first; `query` matches the phone number. */
export function listPhones(db: Db, query: PhoneListQuery): Promise<PhoneRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    db.kit.contains(['phone_number'], query.query),
  ]);
  return selectMany(db, PHONE, where, NEWEST_FIRST, query);
}

export function listFcmPhones(db: Db, query: FcmPhoneQuery): Promise<PhoneRecord[]> {
  const where = and([
    raw('fcm_token IS NOT NULL'),
    query.afterId === null ? null : sql`id > ${query.afterId}`,
  ]);
  return selectMany(
    db,
    PHONE,
    where,
    raw(`ORDER BY id LIMIT ${Math.max(0, Math.trunc(query.limit))}`),
  );
}

export const updatePhone = (db: Db, id: string, patch: Partial<PhoneRecord>) =>
  updateById(db, PHONE, id, patch);

export const deletePhone = (db: Db, accountId: string, id: string) =>
  deleteOwned(db, PHONE, accountId, id);

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
  // SQLite: this runs in the single writer transaction, so read-then-update is safe.
  const picked = await db.all(
    sql`SELECT id FROM ${t} WHERE ${due} ORDER BY heartbeat_check_at, id LIMIT ${limit}`,
  );
  const ids = columnValues(picked, 'id').map(String);
  if (ids.length === 0) return [];
  const rows = await db.all(
    sql`UPDATE ${t} SET heartbeat_check_at = ${next} WHERE ${db.kit.inList('id', ids)} RETURNING *`,
  );
  const order = new Map(ids.map((id, i) => [id, i]));
  return decodeRows(PHONE, rows).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

// heartbeats

export const insertHeartbeats = (db: Db, heartbeats: readonly HeartbeatRecord[]) =>
  insertMany(db, HEARTBEAT, heartbeats);

/** Newest `timestamp` first; `query` matches the version. */
export function listHeartbeats(db: Db, query: HeartbeatListQuery): Promise<HeartbeatRecord[]> {
  const where = and([
    sql`account_id = ${query.accountId}`,
    sql`owner = ${query.owner}`,
    db.kit.contains(['version'], query.query),
  ]);
  return selectMany(db, HEARTBEAT, where, raw('ORDER BY beat_at DESC, id DESC'), query);
}
