/** The Store contract on SQL: each method is one operation run by the engine. */

import type { MessageStatus } from '@textport/core';
import type {
  AccountRecord,
  ApiKeyListQuery,
  ApiKeyRecord,
  ClaimDueQuery,
  ClaimHeartbeatQuery,
  ClaimOutboxQuery,
  HeartbeatListQuery,
  HeartbeatRecord,
  IdempotencyRecord,
  InsertMessagesOptions,
  MessageListQuery,
  MessagePatch,
  MessageRecord,
  MessageSearchQuery,
  OutboxListQuery,
  OutboxRecord,
  PhoneListQuery,
  PhoneRecord,
  SendScheduleRecord,
  Store,
  StoreCapabilities,
  TakeOutstandingQuery,
  ThreadListQuery,
  ThreadRecord,
  TransitionOptions,
  TransitionResult,
  WebhookListQuery,
  WebhookRecord,
} from '@textport/core/store';
import type { Engine } from './engine/engine.js';
import * as claims from './ops/claims.js';
import * as talk from './ops/conversations.js';
import * as delivery from './ops/delivery.js';
import * as dir from './ops/directory.js';
import * as messages from './ops/messages.js';

type Patch<T> = Partial<Omit<T, 'id' | 'accountId' | 'createdAt'>>;

export class SqlStore implements Store {
  readonly capabilities: StoreCapabilities;
  protected readonly engine: Engine;

  constructor(engine: Engine, capabilities: StoreCapabilities) {
    this.engine = engine;
    this.capabilities = capabilities;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.engine.transaction(fn);
  }

  // messages

  insertMessages(list: readonly MessageRecord[], options?: InsertMessagesOptions): Promise<void> {
    return this.engine.write((db) => messages.insertMessages(db, list, options));
  }
  getMessage(accountId: string, id: string): Promise<MessageRecord | null> {
    return this.engine.read((db) => messages.getMessage(db, accountId, id));
  }
  getMessages(accountId: string, ids: readonly string[]): Promise<MessageRecord[]> {
    return this.engine.read((db) => messages.getMessages(db, accountId, ids));
  }
  listMessages(query: MessageListQuery): Promise<MessageRecord[]> {
    return this.engine.read((db) => messages.listMessages(db, query));
  }
  searchMessages(query: MessageSearchQuery): Promise<MessageRecord[]> {
    return this.engine.read((db) => messages.searchMessages(db, query));
  }
  latestMessageBetween(
    accountId: string,
    owner: string,
    contact: string,
  ): Promise<MessageRecord | null> {
    return this.engine.read((db) => messages.latestMessageBetween(db, accountId, owner, contact));
  }
  deleteMessage(accountId: string, id: string): Promise<MessageRecord | null> {
    return this.engine.write((db) => messages.deleteMessage(db, accountId, id));
  }
  deleteMessagesBetween(accountId: string, owner: string, contact: string): Promise<number> {
    return this.engine.write((db) => messages.deleteMessagesBetween(db, accountId, owner, contact));
  }
  transition(
    id: string,
    expected: readonly MessageStatus[],
    patch: MessagePatch,
    options?: TransitionOptions,
  ): Promise<TransitionResult> {
    return this.engine.write((db) => messages.transition(db, id, expected, patch, options));
  }
  claimDue(query: ClaimDueQuery): Promise<MessageRecord[]> {
    return this.engine.write((db) => claims.claimDue(db, query));
  }
  nextDueAt(phoneIds: readonly string[] | 'all'): Promise<number | null> {
    return this.engine.read((db) => claims.nextDueAt(db, phoneIds));
  }
  takeOutstanding(query: TakeOutstandingQuery): Promise<MessageRecord | null> {
    return this.engine.write((db) => claims.takeOutstanding(db, query));
  }

  // phones and heartbeats

  insertPhone(phone: PhoneRecord): Promise<void> {
    return this.engine.write((db) => dir.insertPhone(db, phone));
  }
  getPhone(id: string): Promise<PhoneRecord | null> {
    return this.engine.read((db) => dir.getPhone(db, id));
  }
  findPhoneByNumber(accountId: string, phoneNumber: string): Promise<PhoneRecord | null> {
    return this.engine.read((db) => dir.findPhoneByNumber(db, accountId, phoneNumber));
  }
  listPhones(query: PhoneListQuery): Promise<PhoneRecord[]> {
    return this.engine.read((db) => dir.listPhones(db, query));
  }
  updatePhone(id: string, patch: Patch<PhoneRecord>): Promise<PhoneRecord | null> {
    return this.engine.write((db) => dir.updatePhone(db, id, patch));
  }
  deletePhone(accountId: string, id: string): Promise<PhoneRecord | null> {
    return this.engine.write((db) => dir.deletePhone(db, accountId, id));
  }
  reservePhoneSlot(phoneId: string, expected: number | null, next: number): Promise<boolean> {
    return this.engine.write((db) => dir.reservePhoneSlot(db, phoneId, expected, next));
  }
  claimHeartbeatChecks(query: ClaimHeartbeatQuery): Promise<PhoneRecord[]> {
    return this.engine.write((db) => dir.claimHeartbeatChecks(db, query));
  }
  insertHeartbeats(heartbeats: readonly HeartbeatRecord[]): Promise<void> {
    return this.engine.write((db) => dir.insertHeartbeats(db, heartbeats));
  }
  listHeartbeats(query: HeartbeatListQuery): Promise<HeartbeatRecord[]> {
    return this.engine.read((db) => dir.listHeartbeats(db, query));
  }

  // threads

  insertThread(thread: ThreadRecord): Promise<void> {
    return this.engine.write((db) => talk.insertThread(db, thread));
  }
  getThread(accountId: string, id: string): Promise<ThreadRecord | null> {
    return this.engine.read((db) => talk.getThread(db, accountId, id));
  }
  findThread(accountId: string, owner: string, contact: string): Promise<ThreadRecord | null> {
    return this.engine.read((db) => talk.findThread(db, accountId, owner, contact));
  }
  listThreads(query: ThreadListQuery): Promise<ThreadRecord[]> {
    return this.engine.read((db) => talk.listThreads(db, query));
  }
  updateThread(id: string, patch: Patch<ThreadRecord>): Promise<ThreadRecord | null> {
    return this.engine.write((db) => talk.updateThread(db, id, patch));
  }
  deleteThread(accountId: string, id: string): Promise<ThreadRecord | null> {
    return this.engine.write((db) => talk.deleteThread(db, accountId, id));
  }

  // accounts and keys

  insertAccount(account: AccountRecord): Promise<void> {
    return this.engine.write((db) => dir.insertAccount(db, account));
  }
  getAccount(id: string): Promise<AccountRecord | null> {
    return this.engine.read((db) => dir.getAccount(db, id));
  }
  updateAccount(id: string, patch: Patch<AccountRecord>): Promise<AccountRecord | null> {
    return this.engine.write((db) => dir.updateAccount(db, id, patch));
  }
  insertApiKey(key: ApiKeyRecord): Promise<void> {
    return this.engine.write((db) => dir.insertApiKey(db, key));
  }
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.engine.read((db) => dir.findApiKeyByHash(db, keyHash));
  }
  getApiKey(accountId: string, id: string): Promise<ApiKeyRecord | null> {
    return this.engine.read((db) => dir.getApiKey(db, accountId, id));
  }
  listApiKeys(query: ApiKeyListQuery): Promise<ApiKeyRecord[]> {
    return this.engine.read((db) => dir.listApiKeys(db, query));
  }
  updateApiKey(id: string, patch: Patch<ApiKeyRecord>): Promise<ApiKeyRecord | null> {
    return this.engine.write((db) => dir.updateApiKey(db, id, patch));
  }
  deleteApiKey(accountId: string, id: string): Promise<boolean> {
    return this.engine.write((db) => dir.deleteApiKey(db, accountId, id));
  }

  // webhooks

  insertWebhook(webhook: WebhookRecord): Promise<void> {
    return this.engine.write((db) => talk.insertWebhook(db, webhook));
  }
  getWebhook(accountId: string, id: string): Promise<WebhookRecord | null> {
    return this.engine.read((db) => talk.getWebhook(db, accountId, id));
  }
  listWebhooks(query: WebhookListQuery): Promise<WebhookRecord[]> {
    return this.engine.read((db) => talk.listWebhooks(db, query));
  }
  listWebhooksFor(accountId: string, eventType: string, owner: string): Promise<WebhookRecord[]> {
    return this.engine.read((db) => talk.listWebhooksFor(db, accountId, eventType, owner));
  }
  updateWebhook(id: string, patch: Patch<WebhookRecord>): Promise<WebhookRecord | null> {
    return this.engine.write((db) => talk.updateWebhook(db, id, patch));
  }
  deleteWebhook(accountId: string, id: string): Promise<boolean> {
    return this.engine.write((db) => talk.deleteWebhook(db, accountId, id));
  }

  // send schedules

  insertSendSchedule(schedule: SendScheduleRecord): Promise<void> {
    return this.engine.write((db) => talk.insertSendSchedule(db, schedule));
  }
  getSendSchedule(accountId: string, id: string): Promise<SendScheduleRecord | null> {
    return this.engine.read((db) => talk.getSendSchedule(db, accountId, id));
  }
  listSendSchedules(accountId: string): Promise<SendScheduleRecord[]> {
    return this.engine.read((db) => talk.listSendSchedules(db, accountId));
  }
  updateSendSchedule(
    id: string,
    patch: Patch<SendScheduleRecord>,
  ): Promise<SendScheduleRecord | null> {
    return this.engine.write((db) => talk.updateSendSchedule(db, id, patch));
  }
  deleteSendSchedule(accountId: string, id: string): Promise<boolean> {
    return this.engine.write((db) => talk.deleteSendSchedule(db, accountId, id));
  }

  // idempotency

  getIdempotency(
    accountId: string,
    key: string,
    notBefore: number,
  ): Promise<IdempotencyRecord | null> {
    return this.engine.read((db) => delivery.getIdempotency(db, accountId, key, notBefore));
  }
  purgeIdempotency(before: number): Promise<number> {
    return this.engine.write((db) => delivery.purgeIdempotency(db, before));
  }

  // webhook outbox

  insertOutbox(rows: readonly OutboxRecord[]): Promise<void> {
    return this.engine.write((db) => delivery.insertOutbox(db, rows));
  }
  claimOutbox(query: ClaimOutboxQuery): Promise<OutboxRecord[]> {
    return this.engine.write((db) => delivery.claimOutbox(db, query));
  }
  updateOutbox(
    id: string,
    patch: Patch<OutboxRecord>,
    options?: TransitionOptions,
  ): Promise<OutboxRecord | null> {
    return this.engine.write((db) => delivery.updateOutbox(db, id, patch, options));
  }
  listOutbox(query: OutboxListQuery): Promise<OutboxRecord[]> {
    return this.engine.read((db) => delivery.listOutbox(db, query));
  }
}
