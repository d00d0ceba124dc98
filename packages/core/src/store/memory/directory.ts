/** The memory store's DirectoryStore part: accounts, API keys, phones and heartbeats. */
import type {
  AccountRecord,
  ApiKeyRecord,
  HeartbeatRecord,
  PhoneRecord,
} from '../../domain/records.js';
import type {
  ApiKeyListQuery,
  FcmPhoneQuery,
  HeartbeatListQuery,
  PageQuery,
  PhoneListQuery,
} from '../../store.js';
import { ascending, copyOrNull, descending, type PatchOf, page, textMatcher } from './query.js';
import { conflict, deleteOwned, ownedRow, type Tables, updateRow } from './tables.js';

const newestFirst = descending<{ id: string; createdAt: number }>((row) => row.createdAt);

// accounts

export function insertAccount(t: Tables, account: AccountRecord): void {
  t.insert(t.accounts, account.id, account, 'account');
}

export function getAccount(t: Tables, id: string): AccountRecord | null {
  return copyOrNull(t.accounts.get(id));
}

const oldestFirst = ascending<AccountRecord>((row) => row.createdAt);

export function listAccounts(t: Tables, query: PageQuery): AccountRecord[] {
  return page([...t.accounts.values()].sort(oldestFirst), query);
}

export function updateAccount(
  t: Tables,
  id: string,
  patch: PatchOf<'updateAccount'>,
): AccountRecord | null {
  return updateRow(t, t.accounts, id, patch);
}

// API keys

function assertUniqueKeyHash(t: Tables, key: ApiKeyRecord): void {
  for (const other of t.apiKeys.values()) {
    if (other.id !== key.id && other.keyHash === key.keyHash) {
      throw conflict('an API key with this hash already exists');
    }
  }
}

export function insertApiKey(t: Tables, key: ApiKeyRecord): void {
  assertUniqueKeyHash(t, key);
  t.insert(t.apiKeys, key.id, key, 'API key');
}

export function findApiKeyByHash(t: Tables, keyHash: string): ApiKeyRecord | null {
  for (const key of t.apiKeys.values()) {
    if (key.keyHash === keyHash) return structuredClone(key);
  }
  return null;
}

export function getApiKey(t: Tables, accountId: string, id: string): ApiKeyRecord | null {
  return copyOrNull(ownedRow(t.apiKeys, accountId, id));
}

/** Newest first; `query` matches the name or the key prefix. */
export function listApiKeys(t: Tables, query: ApiKeyListQuery): ApiKeyRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.apiKeys.values()].filter(
    (key) =>
      key.accountId === query.accountId &&
      key.kind === query.kind &&
      matches(key.name, key.keyPrefix),
  );
  return page(rows.sort(newestFirst), query);
}

export function updateApiKey(
  t: Tables,
  id: string,
  patch: PatchOf<'updateApiKey'>,
): ApiKeyRecord | null {
  return updateRow(t, t.apiKeys, id, patch, (next) => assertUniqueKeyHash(t, next));
}

export function deleteApiKey(t: Tables, accountId: string, id: string): boolean {
  return deleteOwned(t, t.apiKeys, accountId, id) !== undefined;
}

// phones

function assertUniqueNumber(t: Tables, phone: PhoneRecord): void {
  for (const other of t.phones.values()) {
    if (
      other.id !== phone.id &&
      other.accountId === phone.accountId &&
      other.phoneNumber === phone.phoneNumber
    ) {
      throw conflict(`phone number ${phone.phoneNumber} is already registered`);
    }
  }
}

export function insertPhone(t: Tables, phone: PhoneRecord): void {
  assertUniqueNumber(t, phone);
  t.insert(t.phones, phone.id, phone, 'phone');
}

export function getPhone(t: Tables, id: string): PhoneRecord | null {
  return copyOrNull(t.phones.get(id));
}

export function getPhones(t: Tables, ids: readonly string[]): PhoneRecord[] {
  const found: PhoneRecord[] = [];
  for (const id of new Set(ids)) {
    const phone = t.phones.get(id);
    if (phone) found.push(structuredClone(phone));
  }
  return found;
}

export function findPhoneByNumber(
  t: Tables,
  accountId: string,
  phoneNumber: string,
): PhoneRecord | null {
  for (const phone of t.phones.values()) {
    if (phone.accountId === accountId && phone.phoneNumber === phoneNumber) {
      return structuredClone(phone);
    }
  }
  return null;
}

/** Newest first; `query` matches the phone number. */
export function listPhones(t: Tables, query: PhoneListQuery): PhoneRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.phones.values()].filter(
    (phone) => phone.accountId === query.accountId && matches(phone.phoneNumber),
  );
  return page(rows.sort(newestFirst), query);
}

export function listFcmPhones(t: Tables, query: FcmPhoneQuery): PhoneRecord[] {
  const after = query.afterId;
  return [...t.phones.values()]
    .filter((phone) => phone.fcmToken !== null && (after === null || phone.id > after))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .slice(0, query.limit)
    .map((phone) => structuredClone(phone));
}

export function updatePhone(
  t: Tables,
  id: string,
  patch: PatchOf<'updatePhone'>,
): PhoneRecord | null {
  return updateRow(t, t.phones, id, patch, (next) => assertUniqueNumber(t, next));
}

export function deletePhone(t: Tables, accountId: string, id: string): PhoneRecord | null {
  return copyOrNull(deleteOwned(t, t.phones, accountId, id));
}

// heartbeats

export function insertHeartbeats(t: Tables, heartbeats: readonly HeartbeatRecord[]): void {
  for (const heartbeat of heartbeats) t.insert(t.heartbeats, heartbeat.id, heartbeat, 'heartbeat');
}

/** Newest `timestamp` first; `query` matches the version. */
export function listHeartbeats(t: Tables, query: HeartbeatListQuery): HeartbeatRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.heartbeats.values()].filter(
    (heartbeat) =>
      heartbeat.accountId === query.accountId &&
      heartbeat.owner === query.owner &&
      matches(heartbeat.version),
  );
  return page(rows.sort(descending((heartbeat) => heartbeat.timestamp)), query);
}
