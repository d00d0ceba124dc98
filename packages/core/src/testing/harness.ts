/** What a Store implementation hands to the conformance suite. */

import type { MessageRecord, OutboxRecord, ThreadRecord } from '../domain/records.js';
import type { Store } from '../store.js';

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
  apiKey(id: string): Promise<{ id: string; keyHash: string } | null>;
  thread(
    id: string,
  ): Promise<Pick<
    ThreadRecord,
    'id' | 'status' | 'lastMessageId' | 'isRead' | 'isArchived'
  > | null>;
}

export interface StoreHarness {
  store: Store;
  raw: RawReader;
  close?(): Promise<void>;
}

export interface StoreConformanceOptions {
  /** Names the suite, e.g. 'memory', 'sqlite', 'postgres'. */
  name: string;
  /** Called once per group (before its tests); `close()` runs after them. */
  createHarness(): Promise<StoreHarness>;
  /** When a string, every group is registered but skipped and the reason shows in the title. */
  skip?: string | false;
}
