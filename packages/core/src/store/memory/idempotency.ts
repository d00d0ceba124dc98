/**
 * The memory store's IdempotencyStore part (records are written by
 * `insertMessages`, with their batch).
 */
import type { IdempotencyRecord } from '../../domain/records.js';
import { idempotencyKey, purgeWhere, type Tables } from './tables.js';

export function getIdempotency(
  t: Tables,
  accountId: string,
  key: string,
  notBefore: number,
): IdempotencyRecord | null {
  const record = t.idempotency.get(idempotencyKey(accountId, key));
  return record && record.createdAt >= notBefore ? structuredClone(record) : null;
}

export function purgeIdempotency(t: Tables, before: number, limit = Infinity): number {
  return purgeWhere(t, t.idempotency, limit, (record) => record.createdAt < before);
}
