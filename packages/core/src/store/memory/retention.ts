/** The memory store's RetentionStore part: batched deletes of old rows. */
import type { ThreadRecord } from '../../domain/records.js';
import { ACCOUNT_TABLES, PURGEABLE_MESSAGE_STATUSES } from '../retention.js';
import { accountRows, ownedBy, pairKey, purgeWhere, type Tables } from './tables.js';

const purgeable: ReadonlySet<string> = new Set(PURGEABLE_MESSAGE_STATUSES);

export function purgeMessages(t: Tables, before: number, limit: number): number {
  return purgeWhere(
    t,
    t.messages,
    limit,
    (m) => m.dueAt === null && purgeable.has(m.status) && m.updatedAt < before,
  );
}

export function purgeHeartbeats(t: Tables, before: number, limit: number): number {
  return purgeWhere(t, t.heartbeats, limit, (h) => h.timestamp < before);
}

export function purgeOutbox(t: Tables, before: number, limit: number): number {
  return purgeWhere(
    t,
    t.outbox,
    limit,
    (row) => row.status !== 'pending' && row.updatedAt < before,
  );
}

export function purgeAccount(t: Tables, accountId: string, limit: number): number {
  const max = Math.max(0, Math.trunc(limit));
  for (const table of ACCOUNT_TABLES) {
    const rows = accountRows(t, table);
    const keys: string[] = [];
    for (const [key, row] of rows) {
      if (keys.length >= max) break;
      if (ownedBy(table, key, row, accountId)) keys.push(key);
    }
    if (keys.length === 0) continue;
    for (const key of keys) {
      const removed = t.remove(rows, key);
      if (table === 'threads' && removed) t.remove(t.threadPairs, pairKey(removed as ThreadRecord));
    }
    return keys.length;
  }
  return 0;
}
