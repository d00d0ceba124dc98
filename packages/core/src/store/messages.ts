/**
 * MessageStore: message rows, their reads and the compare-and-set `transition`.
 * Implemented by `memory/messages.ts` and store-knex's `ops/messages.ts`;
 * checked by the conformance group `messages`.
 */
import type { IdempotencyRecord, MessageRecord, OutboxRecord } from '../domain/records.js';
import type { MessageStatus, MessageType } from '../lifecycle/status.js';
import type { PageQuery } from './page.js';

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
  /**
   * Substring of the content, the contact, the owner, the failure reason or the request
   * id; a UUID also matches the message with that id (`searchedMessageId`).
   */
  query?: string | null;
  /** Only messages whose `orderTimestamp` (latest activity) is at or after this time. */
  after?: number | null;
  /** Only messages whose `orderTimestamp` is before this time. */
  before?: number | null;
}

export type MessagePatch = Partial<Omit<MessageRecord, 'id' | 'accountId' | 'createdAt'>>;

export type TransitionResult =
  | { ok: true; message: MessageRecord }
  | { ok: false; current: MessageRecord | null };

export interface TransitionOptions {
  /** Only when the row is still leased by this claimer. */
  leaseOwner?: string;
}

/** One compare-and-set of a batch (`transitionMany`): what `transition` takes, for one row. */
export interface TransitionStep {
  id: string;
  expected: readonly MessageStatus[];
  patch: MessagePatch;
  /** Only when the row is still leased by this claimer. */
  leaseOwner?: string;
  /**
   * The row as the caller read it in the same transaction, which holds it locked
   * (`pickDue`): nobody can have changed it since, so a store may return it with the
   * patch applied instead of reading the new row back.
   */
  current?: MessageRecord;
}

export interface InsertMessagesOptions {
  idempotency?: IdempotencyRecord;
  outbox?: readonly OutboxRecord[];
}

export interface MessageStore {
  /** Writes the batch, its idempotency record and its outbox rows in one transaction. */
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
  /**
   * How many outgoing (`mobile-terminated`) messages of the account were accepted at or
   * after `since` (their `requestReceivedAt`), whatever their status: a quota's count.
   */
  getOutgoingCount(accountId: string, since: number): Promise<number>;
  deleteMessage(accountId: string, id: string): Promise<MessageRecord | null>;
  deleteMessagesBetween(accountId: string, owner: string, contact: string): Promise<number>;
  /**
   * Compare-and-set on the status (and, when asked, on the lease owner). A lost
   * race returns `{ ok: false }` with the current row; it never overwrites.
   */
  transition(
    id: string,
    expected: readonly MessageStatus[],
    patch: MessagePatch,
    options?: TransitionOptions,
  ): Promise<TransitionResult>;
  /**
   * Many compare-and-sets in one atomic step and few statements (the dispatcher's
   * round): each step is applied when its guard holds, as `transition` would. Returns,
   * per step in order, the new row, or null when its guard did not hold (the current
   * row is not read). The steps name distinct rows.
   */
  transitionMany(steps: readonly TransitionStep[]): Promise<(MessageRecord | null)[]>;
}
