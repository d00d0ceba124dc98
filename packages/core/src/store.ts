/**
 * The Store contract: everything textport persists goes through this interface.
 *
 * Writing an implementation
 * - Methods are domain-shaped. The atomic primitives carry the correctness of the
 *   whole gateway and must be atomic in the database, never read-modify-write:
 *   - `insertMessages` writes a batch (and its idempotency record and outbox rows)
 *     in one transaction.
 *   - `transition` is a compare-and-set on the status (and, when asked, on the lease
 *     owner). A lost race returns `{ ok: false }` with the current row; it never
 *     overwrites.
 *   - `claimDue` hands each due row to exactly one caller and leases it until
 *     `now + leaseMs`; a lease that runs out makes the row claimable again.
 *   - `takeOutstanding` moves one message to `sending` atomically.
 *   - `transaction(fn)` runs `fn` with a Store bound to one transaction: all of its
 *     writes commit together or none does. Nested calls on the bound store join it.
 * - A unique-key violation (same phone number twice for an account, same
 *   idempotency key, same key hash) throws `GatewayError` with code `conflict`.
 * - Rows are returned as fresh objects: callers may mutate them freely.
 * - Times are epoch milliseconds; text search (`query`) is a case-insensitive
 *   substring match. An empty id/number list in a filter matches nothing.
 * - Claims (`claimDue`, `claimOutbox`, `claimHeartbeatChecks`) return rows in claim
 *   order (SQL stores must sort what `UPDATE … RETURNING` gives back).
 * - Inside `transaction(fn)`, if an operation fails the caller rethrows: the
 *   gateway never continues a transaction after a failed statement. Use
 *   compare-and-set or row locks rather than relying on the isolation level.
 * - Idempotency records stay unique per (account, key) until purged; the gateway
 *   purges expired ones before reusing a key.
 * - Run `runStoreConformance` from `@textport/core/testing` against the store.
 */
import type {
  AccountRecord,
  ApiKeyKind,
  ApiKeyRecord,
  HeartbeatRecord,
  IdempotencyRecord,
  MessageRecord,
  OutboxRecord,
  PhoneRecord,
  SendScheduleRecord,
  ThreadRecord,
  WebhookRecord,
} from './domain/records.js';
import type { MessageStatus, MessageType } from './lifecycle/status.js';

export type * from './domain/records.js';
export * from './store/operations.js';

export interface StoreCapabilities {
  /** Claims use `FOR UPDATE SKIP LOCKED` (several claimers never wait on each other). */
  readonly skipLocked: boolean;
  /** The store ships a cross-process notifier (Postgres LISTEN/NOTIFY). */
  readonly listenNotify: boolean;
  /** Several processes may share the store. */
  readonly multiProcess: boolean;
}

export interface PageQuery {
  skip: number;
  limit: number;
}

export interface MessageListQuery extends PageQuery {
  accountId: string;
  owner: string;
  contact: string;
  /** Substring of the content. */
  query?: string | null;
}

export interface MessageSearchQuery extends PageQuery {
  accountId: string;
  owners?: readonly string[] | null;
  types?: readonly MessageType[] | null;
  statuses?: readonly MessageStatus[] | null;
  /** Substring of the content, the contact, the owner or the request id. */
  query?: string | null;
}

export type MessagePatch = Partial<Omit<MessageRecord, 'id' | 'accountId' | 'createdAt'>>;

export type TransitionResult =
  | { ok: true; message: MessageRecord }
  | { ok: false; current: MessageRecord | null };

export interface TransitionOptions {
  /** Only when the row is still leased by this claimer. */
  leaseOwner?: string;
}

export interface ClaimDueQuery {
  now: number;
  /** Phones this caller can reach; `'all'` for every phone. */
  phoneIds: readonly string[] | 'all';
  limit: number;
  leaseMs: number;
  /** Stable identity of the claimer, written as the lease owner. */
  claimer: string;
}

export interface TakeOutstandingQuery {
  accountId: string;
  id: string;
  now: number;
  /** Restrict to these owner numbers (a phone API key's scope); null = any. */
  owners?: readonly string[] | null;
  /** When given, the new `dueAt` of the taken message (its expiry check). */
  dueAt?: number | null;
}

export interface InsertMessagesOptions {
  idempotency?: IdempotencyRecord;
  outbox?: readonly OutboxRecord[];
}

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

export interface ThreadListQuery extends PageQuery {
  accountId: string;
  owner: string;
  isArchived: boolean;
  /** Substring of the last message content, the owner or the contact. */
  query?: string | null;
}

export interface ApiKeyListQuery extends PageQuery {
  accountId: string;
  kind: ApiKeyKind;
  query?: string | null;
}

export interface WebhookListQuery extends PageQuery {
  accountId: string;
  query?: string | null;
}

export interface ClaimHeartbeatQuery {
  now: number;
  limit: number;
  /** Claimed phones get `heartbeatCheckAt = now + leaseMs`, so no other claimer takes them meanwhile. */
  leaseMs: number;
  claimer: string;
}

export interface ClaimOutboxQuery {
  now: number;
  limit: number;
  leaseMs: number;
  claimer: string;
  /** Rows of these webhooks are left alone (the claimer's busy receivers). */
  excludeWebhookIds?: readonly string[];
}

export interface OutboxListQuery extends PageQuery {
  accountId: string;
  webhookId?: string | null;
}

type Patch<T> = Partial<Omit<T, 'id' | 'accountId' | 'createdAt'>>;

export interface Store {
  readonly capabilities: StoreCapabilities;

  /** Runs `fn` in one transaction; a throw rolls back every write made through `tx`. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  // messages
  insertMessages(
    messages: readonly MessageRecord[],
    options?: InsertMessagesOptions,
  ): Promise<void>;
  getMessage(accountId: string, id: string): Promise<MessageRecord | null>;
  /** The account's messages among `ids`, in any order. */
  getMessages(accountId: string, ids: readonly string[]): Promise<MessageRecord[]>;
  /** Messages between an owner and a contact, newest `orderTimestamp` first. */
  listMessages(query: MessageListQuery): Promise<MessageRecord[]>;
  /** Newest `orderTimestamp` first. */
  searchMessages(query: MessageSearchQuery): Promise<MessageRecord[]>;
  /** The newest message between owner and contact (by `orderTimestamp`), if any. */
  latestMessageBetween(
    accountId: string,
    owner: string,
    contact: string,
  ): Promise<MessageRecord | null>;
  deleteMessage(accountId: string, id: string): Promise<MessageRecord | null>;
  deleteMessagesBetween(accountId: string, owner: string, contact: string): Promise<number>;
  transition(
    id: string,
    expected: readonly MessageStatus[],
    patch: MessagePatch,
    options?: TransitionOptions,
  ): Promise<TransitionResult>;
  /** Due rows, earliest `dueAt` first; equal `dueAt` in insertion order (FIFO). */
  claimDue(query: ClaimDueQuery): Promise<MessageRecord[]>;
  /** The earliest `dueAt` among the given phones' rows, or null. */
  nextDueAt(phoneIds: readonly string[] | 'all'): Promise<number | null>;
  takeOutstanding(query: TakeOutstandingQuery): Promise<MessageRecord | null>;

  // phones
  insertPhone(phone: PhoneRecord): Promise<void>;
  getPhone(id: string): Promise<PhoneRecord | null>;
  findPhoneByNumber(accountId: string, phoneNumber: string): Promise<PhoneRecord | null>;
  /** Newest first. */
  listPhones(query: PhoneListQuery): Promise<PhoneRecord[]>;
  /** Phones of any account with an FCM token, ascending by id. */
  listFcmPhones(query: FcmPhoneQuery): Promise<PhoneRecord[]>;
  updatePhone(id: string, patch: Patch<PhoneRecord>): Promise<PhoneRecord | null>;
  deletePhone(accountId: string, id: string): Promise<PhoneRecord | null>;
  /**
   * Compare-and-set of the phone's pacing anchor: when `lastScheduledAt` is
   * `expected`, set it to `next` and return true; else change nothing, return false.
   */
  reservePhoneSlot(phoneId: string, expected: number | null, next: number): Promise<boolean>;
  /**
   * Phones whose `heartbeatCheckAt <= now`, earliest first, at most `limit`; each
   * claimed phone's `heartbeatCheckAt` moves to `now + leaseMs` atomically.
   */
  claimHeartbeatChecks(query: ClaimHeartbeatQuery): Promise<PhoneRecord[]>;

  // heartbeats
  insertHeartbeats(heartbeats: readonly HeartbeatRecord[]): Promise<void>;
  /** Newest first. */
  listHeartbeats(query: HeartbeatListQuery): Promise<HeartbeatRecord[]>;

  // threads
  insertThread(thread: ThreadRecord): Promise<void>;
  getThread(accountId: string, id: string): Promise<ThreadRecord | null>;
  findThread(accountId: string, owner: string, contact: string): Promise<ThreadRecord | null>;
  /** Newest `orderTimestamp` first. */
  listThreads(query: ThreadListQuery): Promise<ThreadRecord[]>;
  updateThread(id: string, patch: Patch<ThreadRecord>): Promise<ThreadRecord | null>;
  deleteThread(accountId: string, id: string): Promise<ThreadRecord | null>;

  // accounts and keys
  insertAccount(account: AccountRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | null>;
  updateAccount(id: string, patch: Patch<AccountRecord>): Promise<AccountRecord | null>;
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  getApiKey(accountId: string, id: string): Promise<ApiKeyRecord | null>;
  /** Newest first. */
  listApiKeys(query: ApiKeyListQuery): Promise<ApiKeyRecord[]>;
  updateApiKey(id: string, patch: Patch<ApiKeyRecord>): Promise<ApiKeyRecord | null>;
  deleteApiKey(accountId: string, id: string): Promise<boolean>;

  // webhooks
  insertWebhook(webhook: WebhookRecord): Promise<void>;
  getWebhook(accountId: string, id: string): Promise<WebhookRecord | null>;
  /** Newest first. */
  listWebhooks(query: WebhookListQuery): Promise<WebhookRecord[]>;
  /** Enabled webhooks of the account subscribed to `eventType` for the `owner` number. */
  listWebhooksFor(accountId: string, eventType: string, owner: string): Promise<WebhookRecord[]>;
  updateWebhook(id: string, patch: Patch<WebhookRecord>): Promise<WebhookRecord | null>;
  deleteWebhook(accountId: string, id: string): Promise<boolean>;

  // send schedules
  insertSendSchedule(schedule: SendScheduleRecord): Promise<void>;
  getSendSchedule(accountId: string, id: string): Promise<SendScheduleRecord | null>;
  /** Oldest first. */
  listSendSchedules(accountId: string): Promise<SendScheduleRecord[]>;
  updateSendSchedule(
    id: string,
    patch: Patch<SendScheduleRecord>,
  ): Promise<SendScheduleRecord | null>;
  deleteSendSchedule(accountId: string, id: string): Promise<boolean>;

  // idempotency
  /** The record for (account, key) created at or after `notBefore`, if any. */
  getIdempotency(
    accountId: string,
    key: string,
    notBefore: number,
  ): Promise<IdempotencyRecord | null>;
  /** Removes records created before `before`; returns how many. */
  purgeIdempotency(before: number): Promise<number>;

  // webhook outbox
  insertOutbox(rows: readonly OutboxRecord[]): Promise<void>;
  /** Pending rows with `nextAttemptAt <= now` and no live lease, oldest first, leased to the claimer. */
  claimOutbox(query: ClaimOutboxQuery): Promise<OutboxRecord[]>;
  updateOutbox(
    id: string,
    patch: Patch<OutboxRecord>,
    options?: TransitionOptions,
  ): Promise<OutboxRecord | null>;
  /** Newest first. */
  listOutbox(query: OutboxListQuery): Promise<OutboxRecord[]>;

  /** Releases connections or timers the store owns. */
  close?(): Promise<void>;
}
