/** The memory store's RetentionStore part: batched deletes of old rows. */
import { PURGEABLE_MESSAGE_STATUSES } from '../retention.js';
import { purgeWhere, type Tables } from './tables.js';

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
