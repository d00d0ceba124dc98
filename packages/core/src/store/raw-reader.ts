/** Ground-truth reads of a store's backing tables, for the conformance suite and tests. */
import type { PhoneCaps } from '../domain/caps.js';
import type { MessageRecord, OutboxRecord, PhoneRecord, ThreadRecord } from '../domain/records.js';
import type { AccountTable } from './retention.js';

/** Ground truth, read straight from the backing tables (never through the Store methods). */
export interface RawReader {
  message(
    id: string,
  ): Promise<Pick<
    MessageRecord,
    | 'id'
    | 'accountId'
    | 'status'
    | 'dueAt'
    | 'leaseOwner'
    | 'leaseUntil'
    | 'sendAttemptCount'
    | 'content'
    | 'orderTimestamp'
    | 'lastAttemptedAt'
    | 'updatedAt'
  > | null>;
  countMessages(accountId: string): Promise<number>;
  outbox(
    id: string,
  ): Promise<Pick<
    OutboxRecord,
    'id' | 'status' | 'attempts' | 'leaseOwner' | 'leaseUntil' | 'nextAttemptAt' | 'payload'
  > | null>;
  countOutbox(accountId: string): Promise<number>;
  idempotency(
    accountId: string,
    key: string,
  ): Promise<{ requestHash: string; messageIds: (string | null)[] } | null>;
  countIdempotency(accountId: string): Promise<number>;
  countHeartbeats(accountId: string): Promise<number>;
  /** Rows of the account in `table` (`accounts`: the account row itself, 0 or 1). */
  countAccountRows(table: AccountTable, accountId: string): Promise<number>;
  /** The account's suppression rows, sorted by owner then contact. */
  suppressions(accountId: string): Promise<{ id: string; owner: string; contact: string }[]>;
  apiKey(id: string): Promise<{ id: string; keyHash: string } | null>;
  thread(
    id: string,
  ): Promise<Pick<
    ThreadRecord,
    'id' | 'status' | 'lastMessageId' | 'isRead' | 'isArchived'
  > | null>;
  /** The phone row: its pacing anchor and the heartbeat monitor's state and claim. */
  phone(
    id: string,
  ): Promise<Pick<
    PhoneRecord,
    | 'id'
    | 'accountId'
    | 'messagesPerMinute'
    | 'lastScheduledAt'
    | 'lastHandoffAt'
    | keyof PhoneCaps
    | 'recipientsMonth'
    | 'recipientsCount'
    | 'online'
    | 'lastHeartbeatAt'
    | 'heartbeatCheckAt'
    | 'updatedAt'
  > | null>;
}
