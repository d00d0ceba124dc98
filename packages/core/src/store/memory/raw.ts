/** Ground-truth reads of a memory store's tables, bypassing its Store methods (for tests). */
import type { RawReader } from '../raw-reader.js';
import { type MemoryStore, tablesOf } from './store.js';
import { idempotencyKey } from './tables.js';

/** A copy of the named fields of `row`. */
function pick<T, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = structuredClone(row[key]);
  return out;
}

const MESSAGE_FIELDS = [
  'id',
  'accountId',
  'status',
  'dueAt',
  'leaseOwner',
  'leaseUntil',
  'sendAttemptCount',
  'content',
  'orderTimestamp',
  'lastAttemptedAt',
  'updatedAt',
] as const;
const OUTBOX_FIELDS = [
  'id',
  'status',
  'attempts',
  'leaseOwner',
  'leaseUntil',
  'nextAttemptAt',
  'payload',
] as const;
const THREAD_FIELDS = ['id', 'status', 'lastMessageId', 'isRead', 'isArchived'] as const;
const PHONE_FIELDS = [
  'id',
  'accountId',
  'messagesPerMinute',
  'lastScheduledAt',
  'online',
  'lastHeartbeatAt',
  'heartbeatCheckAt',
  'updatedAt',
] as const;

export function memoryRawReader(store: MemoryStore): RawReader {
  const t = tablesOf(store);
  return {
    async message(id) {
      const m = t.messages.get(id);
      return m ? pick(m, MESSAGE_FIELDS) : null;
    },
    async countMessages(accountId) {
      let count = 0;
      for (const m of t.messages.values()) if (m.accountId === accountId) count += 1;
      return count;
    },
    async outbox(id) {
      const row = t.outbox.get(id);
      return row ? pick(row, OUTBOX_FIELDS) : null;
    },
    async countOutbox(accountId) {
      let count = 0;
      for (const row of t.outbox.values()) if (row.accountId === accountId) count += 1;
      return count;
    },
    async idempotency(accountId, key) {
      const record = t.idempotency.get(idempotencyKey(accountId, key));
      if (!record) return null;
      return { requestHash: record.requestHash, messageIds: [...record.messageIds] };
    },
    async apiKey(id) {
      const key = t.apiKeys.get(id);
      return key ? { id: key.id, keyHash: key.keyHash } : null;
    },
    async thread(id) {
      const thread = t.threads.get(id);
      return thread ? pick(thread, THREAD_FIELDS) : null;
    },
    async phone(id) {
      const phone = t.phones.get(id);
      return phone ? pick(phone, PHONE_FIELDS) : null;
    },
  };
}
