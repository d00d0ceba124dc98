/** The DirectoryStore part on SQL: accounts, API keys, phones and heartbeats. */
import type {
  AccountRecord,
  ApiKeyListQuery,
  ApiKeyRecord,
  FcmPhoneQuery,
  HeartbeatListQuery,
  HeartbeatRecord,
  PageQuery,
  PhoneListQuery,
  PhoneRecord,
} from '@textport/core/store';
import { insertMany } from '../rows/codec.js';
import { ACCOUNT, API_KEY, HEARTBEAT, PHONE } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { and, raw, sql } from '../sql/fragment.js';
import {
  deleteOwned,
  insertRow,
  NEWEST_FIRST,
  OLDEST_FIRST,
  owned,
  selectMany,
  selectOne,
  updateById,
} from './common.js';

// accounts

export const insertAccount = (db: Db, account: AccountRecord) => insertRow(db, ACCOUNT, account);

export const getAccount = (db: Db, id: string) => selectOne(db, ACCOUNT, sql`id = ${id}`);

/** Oldest first. */
export const listAccounts = (db: Db, query: PageQuery) =>
  selectMany(db, ACCOUNT, raw('1 = 1'), OLDEST_FIRST, query);

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

export const getPhones = (db: Db, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : selectMany(db, PHONE, db.kit.inList('id', [...new Set(ids)]), raw(''));

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
