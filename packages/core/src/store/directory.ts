/**
 * DirectoryStore: who may use the gateway and through which phones. Accounts,
 * API keys, phones and their heartbeats. Implemented by `memory/directory.ts`
 * and store-knex's `ops/directory.ts`; checked by the conformance group
 * `directory` (keys, phones).
 */
import type {
  AccountRecord,
  ApiKeyKind,
  ApiKeyRecord,
  HeartbeatRecord,
  PhoneRecord,
} from '../domain/records.js';
import type { PageQuery, RecordPatch } from './page.js';

export interface PhoneListQuery extends PageQuery {
  accountId: string;
  query?: string | null;
}

/** Keyset paging over every account's phones that have an FCM token, by id. */
export interface FcmPhoneQuery {
  /** Only ids after this one (null: from the first). */
  afterId: string | null;
  limit: number;
}

export interface HeartbeatListQuery extends PageQuery {
  accountId: string;
  owner: string;
  /** Substring of the version. */
  query?: string | null;
}

export interface ApiKeyListQuery extends PageQuery {
  accountId: string;
  kind: ApiKeyKind;
  query?: string | null;
}

export interface DirectoryStore {
  // accounts and keys
  insertAccount(account: AccountRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | null>;
  /** Every account, oldest first (operators' listing). */
  listAccounts(query: PageQuery): Promise<AccountRecord[]>;
  updateAccount(id: string, patch: RecordPatch<AccountRecord>): Promise<AccountRecord | null>;
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  getApiKey(accountId: string, id: string): Promise<ApiKeyRecord | null>;
  /** Newest first. */
  listApiKeys(query: ApiKeyListQuery): Promise<ApiKeyRecord[]>;
  updateApiKey(id: string, patch: RecordPatch<ApiKeyRecord>): Promise<ApiKeyRecord | null>;
  deleteApiKey(accountId: string, id: string): Promise<boolean>;

  // phones
  insertPhone(phone: PhoneRecord): Promise<void>;
  getPhone(id: string): Promise<PhoneRecord | null>;
  /** The phones among `ids` (any account) that exist, in any order, in one read. */
  getPhones(ids: readonly string[]): Promise<PhoneRecord[]>;
  findPhoneByNumber(accountId: string, phoneNumber: string): Promise<PhoneRecord | null>;
  /** Newest first. */
  listPhones(query: PhoneListQuery): Promise<PhoneRecord[]>;
  /** Phones of any account with an FCM token, ascending by id. */
  listFcmPhones(query: FcmPhoneQuery): Promise<PhoneRecord[]>;
  updatePhone(id: string, patch: RecordPatch<PhoneRecord>): Promise<PhoneRecord | null>;
  deletePhone(accountId: string, id: string): Promise<PhoneRecord | null>;

  // heartbeats
  insertHeartbeats(heartbeats: readonly HeartbeatRecord[]): Promise<void>;
  /** Newest first. */
  listHeartbeats(query: HeartbeatListQuery): Promise<HeartbeatRecord[]>;
}
