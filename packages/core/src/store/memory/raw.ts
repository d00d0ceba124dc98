/** Ground-truth reads of a memory store's tables, bypassing its Store methods (for tests). */
import type { RawReader } from '../raw-reader.js';
import { type MemoryStore, tablesOf } from './store.js';
import { accountRows, idempotencyKey, ownedBy } from './tables.js';

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
  'lastHandoffAt',
  'recipientsMonth',
  'recipientsCount',
  'messagesPerHour',
  'messagesPerDay',
  'hourWindowStart',
  'hourWindowSegments',
  'dayWindowStart',
  'dayWindowSegments',
  'online',
  'lastHeartbeatAt',
  'heartbeatCheckAt',
  'updatedAt',
] as const;

/** How many of `rows` belong to the account. */
function count(rows: Iterable<{ accountId: string }>, accountId: string): number {
  let n = 0;
  for (const row of rows) if (row.accountId === accountId) n += 1;
  return n;
}

function byOwnerThenContact(
  a: { owner: string; contact: string },
  b: { owner: string; contact: string },
): number {
  if (a.owner !== b.owner) return a.owner < b.owner ? -1 : 1;
  return a.contact < b.contact ? -1 : a.contact > b.contact ? 1 : 0;
}

export function memoryRawReader(store: MemoryStore): RawReader {
  const t = tablesOf(store);
  return {
    async message(id) {
      const m = t.messages.get(id);
      return m ? pick(m, MESSAGE_FIELDS) : null;
    },
    async countMessages(accountId) {
      return count(t.messages.values(), accountId);
    },
    async outbox(id) {
      const row = t.outbox.get(id);
      return row ? pick(row, OUTBOX_FIELDS) : null;
    },
    async countOutbox(accountId) {
      return count(t.outbox.values(), accountId);
    },
    async idempotency(accountId, key) {
      const record = t.idempotency.get(idempotencyKey(accountId, key));
      if (!record) return null;
      return { requestHash: record.requestHash, messageIds: [...record.messageIds] };
    },
    async countIdempotency(accountId) {
      return count(t.idempotency.values(), accountId);
    },
    async countHeartbeats(accountId) {
      return count(t.heartbeats.values(), accountId);
    },
    async countAccountRows(table, accountId) {
      let n = 0;
      for (const [key, row] of accountRows(t, table))
        if (ownedBy(table, key, row, accountId)) n += 1;
      return n;
    },
    async suppressions(accountId) {
      return [...t.suppressions.values()]
        .filter((row) => row.accountId === accountId)
        .map(({ id, owner, contact }) => ({ id, owner, contact }))
        .sort(byOwnerThenContact);
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
