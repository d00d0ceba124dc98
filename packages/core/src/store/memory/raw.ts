/** Ground-truth reads of a memory store's tables, bypassing its Store methods (for tests). */
import type { RawReader } from '../../testing/harness.js';
import { type MemoryStore, tablesOf } from './store.js';
import { idempotencyKey } from './tables.js';

export function memoryRawReader(store: MemoryStore): RawReader {
  const t = tablesOf(store);
  return {
    async message(id) {
      const m = t.messages.get(id);
      if (!m) return null;
      return {
        id: m.id,
        accountId: m.accountId,
        status: m.status,
        dueAt: m.dueAt,
        leaseOwner: m.leaseOwner,
        leaseUntil: m.leaseUntil,
        sendAttemptCount: m.sendAttemptCount,
        content: m.content,
        orderTimestamp: m.orderTimestamp,
        lastAttemptedAt: m.lastAttemptedAt,
        updatedAt: m.updatedAt,
      };
    },
    async countMessages(accountId) {
      let count = 0;
      for (const m of t.messages.values()) if (m.accountId === accountId) count += 1;
      return count;
    },
    async outbox(id) {
      const row = t.outbox.get(id);
      if (!row) return null;
      return {
        id: row.id,
        status: row.status,
        attempts: row.attempts,
        leaseOwner: row.leaseOwner,
        leaseUntil: row.leaseUntil,
        nextAttemptAt: row.nextAttemptAt,
        payload: row.payload,
      };
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
      if (!thread) return null;
      return {
        id: thread.id,
        status: thread.status,
        lastMessageId: thread.lastMessageId,
        isRead: thread.isRead,
        isArchived: thread.isArchived,
      };
    },
  };
}
