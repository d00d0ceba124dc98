/**
 * The memory store's IdempotencyStore part (records are written by
 * `insertMessages`, with their batch).
 */
import type { IdempotencyRecord } from '../../domain/records.js';
import { idempotencyKey, type Tables } from './tables.js';

export function getIdempotency(
  t: Tables,
  accountId: string,
  key: string,
  notBefore: number,
): IdempotencyRecord | null {
  const record = t.idempotency.get(idempotencyKey(accountId, key));
  return record && record.createdAt >= notBefore ? structuredClone(record) : null;
}

export function purgeIdempotency(t: Tables, before: number): number {
  let count = 0;
  for (const [key, record] of t.idempotency) {
    if (record.createdAt < before) {
      t.remove(t.idempotency, key);
      count += 1;
    }
  }
  return count;
}
