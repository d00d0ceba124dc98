/** Idempotency records and the webhook outbox of the memory store. */
import type { IdempotencyRecord, OutboxRecord } from '../../domain/records.js';
import type { ClaimOutboxQuery, OutboxListQuery, TransitionOptions } from '../../store.js';
import { ascending, descending, type PatchOf, page } from './query.js';
import { idempotencyKey, patched, type Tables } from './tables.js';

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

export function insertOutbox(t: Tables, rows: readonly OutboxRecord[]): void {
  for (const row of rows) t.insert(t.outbox, row.id, row, 'outbox row');
}

const claimOrder = ascending<OutboxRecord>(
  (row) => row.nextAttemptAt,
  (row) => row.createdAt,
);

export function claimOutbox(t: Tables, query: ClaimOutboxQuery): OutboxRecord[] {
  const { now } = query;
  const excluded = new Set(query.excludeWebhookIds ?? []);
  const due = [...t.outbox.values()]
    .filter(
      (row) =>
        row.status === 'pending' &&
        row.nextAttemptAt <= now &&
        (row.leaseUntil === null || row.leaseUntil <= now) &&
        !excluded.has(row.webhookId),
    )
    .sort(claimOrder)
    .slice(0, Math.max(0, Math.trunc(query.limit)));
  return due.map((row) => {
    const next = { ...row, leaseOwner: query.claimer, leaseUntil: now + query.leaseMs };
    t.put(t.outbox, row.id, next);
    return structuredClone(next);
  });
}

export function updateOutbox(
  t: Tables,
  id: string,
  patch: PatchOf<'updateOutbox'>,
  options: TransitionOptions = {},
): OutboxRecord | null {
  const row = t.outbox.get(id);
  if (!row) return null;
  if (options.leaseOwner !== undefined && row.leaseOwner !== options.leaseOwner) return null;
  const next = patched(row, patch);
  t.put(t.outbox, id, next);
  return structuredClone(next);
}

export function listOutbox(t: Tables, query: OutboxListQuery): OutboxRecord[] {
  const rows = [...t.outbox.values()].filter(
    (row) =>
      row.accountId === query.accountId &&
      (query.webhookId === null ||
        query.webhookId === undefined ||
        row.webhookId === query.webhookId),
  );
  return page(rows.sort(descending((row) => row.createdAt)), query);
}
