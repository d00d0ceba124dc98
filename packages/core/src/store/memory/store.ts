/**
 * The in-memory reference Store. One async mutex serialises every top-level
 * operation and every transaction, so concurrent callers see the behaviour of a
 * database running serializable transactions. Each operation is atomic on its
 * own (a failed batch leaves nothing behind); a transaction keeps an undo log
 * and restores every row it touched when its function throws.
 *
 * Calling the outer store (instead of `tx`) from inside `transaction(fn)` waits
 * for the transaction to end, which never happens: always use `tx`. Using `tx`
 * after its transaction has finished throws a `store` error.
 */
import type * as rec from '../../domain/records.js';
import { GatewayError } from '../../errors.js';
import type { MessageStatus } from '../../lifecycle/status.js';
import type {
  ApiKeyListQuery,
  ClaimDueQuery,
  ClaimHeartbeatQuery,
  ClaimOutboxQuery,
  HeartbeatListQuery,
  InsertMessagesOptions,
  MessageListQuery,
  MessagePatch,
  MessageSearchQuery,
  OutboxListQuery,
  PhoneListQuery,
  Store,
  StoreCapabilities,
  TakeOutstandingQuery,
  ThreadListQuery,
  TransitionOptions,
  TransitionResult,
  WebhookListQuery,
} from '../../store.js';
import * as delivery from './delivery.js';
import * as directory from './directory.js';
import { type Engine, topLevelEngine } from './engine.js';
import * as messages from './messages.js';
import type { PatchOf } from './query.js';
import * as settings from './settings.js';
import { Tables } from './tables.js';
import * as threads from './threads.js';

const registry = new WeakMap<MemoryStore, Tables>();

/** The tables behind a memory store (for the raw reader). */
export function tablesOf(store: MemoryStore): Tables {
  const tables = registry.get(store);
  if (!tables) throw new GatewayError('internal', 'not a memory store');
  return tables;
}

export class MemoryStore implements Store {
  readonly capabilities: StoreCapabilities = Object.freeze({
    skipLocked: false,
    listenNotify: false,
    multiProcess: false,
  });
  readonly #engine: Engine;

  private constructor(tables: Tables, engine: Engine) {
    this.#engine = engine;
    registry.set(this, tables);
  }

  /** A store over fresh, empty tables. */
  static create(): MemoryStore {
    const tables = new Tables();
    const bind = (engine: Engine) => new MemoryStore(tables, engine);
    return bind(topLevelEngine(tables, bind));
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#engine.transaction(fn);
  }

  // messages

  insertMessages(
    rows: readonly rec.MessageRecord[],
    options?: InsertMessagesOptions,
  ): Promise<void> {
    return this.#engine.run((t) => messages.insertMessages(t, rows, options));
  }
  getMessage(accountId: string, id: string): Promise<rec.MessageRecord | null> {
    return this.#engine.run((t) => messages.getMessage(t, accountId, id));
  }
  getMessages(accountId: string, ids: readonly string[]): Promise<rec.MessageRecord[]> {
    return this.#engine.run((t) => messages.getMessages(t, accountId, ids));
  }
  listMessages(query: MessageListQuery): Promise<rec.MessageRecord[]> {
    return this.#engine.run((t) => messages.listMessages(t, query));
  }
  searchMessages(query: MessageSearchQuery): Promise<rec.MessageRecord[]> {
    return this.#engine.run((t) => messages.searchMessages(t, query));
  }
  latestMessageBetween(
    accountId: string,
    owner: string,
    contact: string,
  ): Promise<rec.MessageRecord | null> {
    return this.#engine.run((t) => messages.latestMessageBetween(t, accountId, owner, contact));
  }
  deleteMessage(accountId: string, id: string): Promise<rec.MessageRecord | null> {
    return this.#engine.run((t) => messages.deleteMessage(t, accountId, id));
  }
  deleteMessagesBetween(accountId: string, owner: string, contact: string): Promise<number> {
    return this.#engine.run((t) => messages.deleteMessagesBetween(t, accountId, owner, contact));
  }
  transition(
    id: string,
    expected: readonly MessageStatus[],
    patch: MessagePatch,
    options?: TransitionOptions,
  ): Promise<TransitionResult> {
    return this.#engine.run((t) => messages.transition(t, id, expected, patch, options));
  }
  claimDue(query: ClaimDueQuery): Promise<rec.MessageRecord[]> {
    return this.#engine.run((t) => messages.claimDue(t, query));
  }
  nextDueAt(phoneIds: readonly string[] | 'all'): Promise<number | null> {
    return this.#engine.run((t) => messages.nextDueAt(t, phoneIds));
  }
  takeOutstanding(query: TakeOutstandingQuery): Promise<rec.MessageRecord | null> {
    return this.#engine.run((t) => messages.takeOutstanding(t, query));
  }

  // phones and heartbeats

  insertPhone(phone: rec.PhoneRecord): Promise<void> {
    return this.#engine.run((t) => directory.insertPhone(t, phone));
  }
  getPhone(id: string): Promise<rec.PhoneRecord | null> {
    return this.#engine.run((t) => directory.getPhone(t, id));
  }
  findPhoneByNumber(accountId: string, phoneNumber: string): Promise<rec.PhoneRecord | null> {
    return this.#engine.run((t) => directory.findPhoneByNumber(t, accountId, phoneNumber));
  }
  listPhones(query: PhoneListQuery): Promise<rec.PhoneRecord[]> {
    return this.#engine.run((t) => directory.listPhones(t, query));
  }
  updatePhone(id: string, patch: PatchOf<'updatePhone'>): Promise<rec.PhoneRecord | null> {
    return this.#engine.run((t) => directory.updatePhone(t, id, patch));
  }
  deletePhone(accountId: string, id: string): Promise<rec.PhoneRecord | null> {
    return this.#engine.run((t) => directory.deletePhone(t, accountId, id));
  }
  reservePhoneSlot(phoneId: string, expected: number | null, next: number): Promise<boolean> {
    return this.#engine.run((t) => directory.reservePhoneSlot(t, phoneId, expected, next));
  }
  claimHeartbeatChecks(query: ClaimHeartbeatQuery): Promise<rec.PhoneRecord[]> {
    return this.#engine.run((t) => directory.claimHeartbeatChecks(t, query));
  }
  insertHeartbeats(heartbeats: readonly rec.HeartbeatRecord[]): Promise<void> {
    return this.#engine.run((t) => directory.insertHeartbeats(t, heartbeats));
  }
  listHeartbeats(query: HeartbeatListQuery): Promise<rec.HeartbeatRecord[]> {
    return this.#engine.run((t) => directory.listHeartbeats(t, query));
  }

  // threads

  insertThread(thread: rec.ThreadRecord): Promise<void> {
    return this.#engine.run((t) => threads.insertThread(t, thread));
  }
  getThread(accountId: string, id: string): Promise<rec.ThreadRecord | null> {
    return this.#engine.run((t) => threads.getThread(t, accountId, id));
  }
  findThread(accountId: string, owner: string, contact: string): Promise<rec.ThreadRecord | null> {
    return this.#engine.run((t) => threads.findThread(t, accountId, owner, contact));
  }
  listThreads(query: ThreadListQuery): Promise<rec.ThreadRecord[]> {
    return this.#engine.run((t) => threads.listThreads(t, query));
  }
  updateThread(id: string, patch: PatchOf<'updateThread'>): Promise<rec.ThreadRecord | null> {
    return this.#engine.run((t) => threads.updateThread(t, id, patch));
  }
  deleteThread(accountId: string, id: string): Promise<rec.ThreadRecord | null> {
    return this.#engine.run((t) => threads.deleteThread(t, accountId, id));
  }

  // accounts and keys

  insertAccount(account: rec.AccountRecord): Promise<void> {
    return this.#engine.run((t) => directory.insertAccount(t, account));
  }
  getAccount(id: string): Promise<rec.AccountRecord | null> {
    return this.#engine.run((t) => directory.getAccount(t, id));
  }
  updateAccount(id: string, patch: PatchOf<'updateAccount'>): Promise<rec.AccountRecord | null> {
    return this.#engine.run((t) => directory.updateAccount(t, id, patch));
  }
  insertApiKey(key: rec.ApiKeyRecord): Promise<void> {
    return this.#engine.run((t) => directory.insertApiKey(t, key));
  }
  findApiKeyByHash(keyHash: string): Promise<rec.ApiKeyRecord | null> {
    return this.#engine.run((t) => directory.findApiKeyByHash(t, keyHash));
  }
  getApiKey(accountId: string, id: string): Promise<rec.ApiKeyRecord | null> {
    return this.#engine.run((t) => directory.getApiKey(t, accountId, id));
  }
  listApiKeys(query: ApiKeyListQuery): Promise<rec.ApiKeyRecord[]> {
    return this.#engine.run((t) => directory.listApiKeys(t, query));
  }
  updateApiKey(id: string, patch: PatchOf<'updateApiKey'>): Promise<rec.ApiKeyRecord | null> {
    return this.#engine.run((t) => directory.updateApiKey(t, id, patch));
  }
  deleteApiKey(accountId: string, id: string): Promise<boolean> {
    return this.#engine.run((t) => directory.deleteApiKey(t, accountId, id));
  }

  // webhooks

  insertWebhook(webhook: rec.WebhookRecord): Promise<void> {
    return this.#engine.run((t) => settings.insertWebhook(t, webhook));
  }
  getWebhook(accountId: string, id: string): Promise<rec.WebhookRecord | null> {
    return this.#engine.run((t) => settings.getWebhook(t, accountId, id));
  }
  listWebhooks(query: WebhookListQuery): Promise<rec.WebhookRecord[]> {
    return this.#engine.run((t) => settings.listWebhooks(t, query));
  }
  listWebhooksFor(
    accountId: string,
    eventType: string,
    owner: string,
  ): Promise<rec.WebhookRecord[]> {
    return this.#engine.run((t) => settings.listWebhooksFor(t, accountId, eventType, owner));
  }
  updateWebhook(id: string, patch: PatchOf<'updateWebhook'>): Promise<rec.WebhookRecord | null> {
    return this.#engine.run((t) => settings.updateWebhook(t, id, patch));
  }
  deleteWebhook(accountId: string, id: string): Promise<boolean> {
    return this.#engine.run((t) => settings.deleteWebhook(t, accountId, id));
  }

  // send schedules

  insertSendSchedule(schedule: rec.SendScheduleRecord): Promise<void> {
    return this.#engine.run((t) => settings.insertSendSchedule(t, schedule));
  }
  getSendSchedule(accountId: string, id: string): Promise<rec.SendScheduleRecord | null> {
    return this.#engine.run((t) => settings.getSendSchedule(t, accountId, id));
  }
  listSendSchedules(accountId: string): Promise<rec.SendScheduleRecord[]> {
    return this.#engine.run((t) => settings.listSendSchedules(t, accountId));
  }
  updateSendSchedule(
    id: string,
    patch: PatchOf<'updateSendSchedule'>,
  ): Promise<rec.SendScheduleRecord | null> {
    return this.#engine.run((t) => settings.updateSendSchedule(t, id, patch));
  }
  deleteSendSchedule(accountId: string, id: string): Promise<boolean> {
    return this.#engine.run((t) => settings.deleteSendSchedule(t, accountId, id));
  }

  // idempotency

  getIdempotency(
    accountId: string,
    key: string,
    notBefore: number,
  ): Promise<rec.IdempotencyRecord | null> {
    return this.#engine.run((t) => delivery.getIdempotency(t, accountId, key, notBefore));
  }
  purgeIdempotency(before: number): Promise<number> {
    return this.#engine.run((t) => delivery.purgeIdempotency(t, before));
  }

  // webhook outbox

  insertOutbox(rows: readonly rec.OutboxRecord[]): Promise<void> {
    return this.#engine.run((t) => delivery.insertOutbox(t, rows));
  }
  claimOutbox(query: ClaimOutboxQuery): Promise<rec.OutboxRecord[]> {
    return this.#engine.run((t) => delivery.claimOutbox(t, query));
  }
  updateOutbox(
    id: string,
    patch: PatchOf<'updateOutbox'>,
    options?: TransitionOptions,
  ): Promise<rec.OutboxRecord | null> {
    return this.#engine.run((t) => delivery.updateOutbox(t, id, patch, options));
  }
  listOutbox(query: OutboxListQuery): Promise<rec.OutboxRecord[]> {
    return this.#engine.run((t) => delivery.listOutbox(t, query));
  }
}
