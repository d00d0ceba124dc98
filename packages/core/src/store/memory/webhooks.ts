/** The memory store's WebhookStore part: webhooks and the outbox of their deliveries. */
import type { OutboxRecord, WebhookRecord } from '../../domain/records.js';
import type {
  ClaimOutboxQuery,
  OutboxListQuery,
  TransitionOptions,
  WebhookListQuery,
} from '../../store.js';
import { ascending, descending, type PatchOf, page, textMatcher } from './query.js';
import { ownedTable, patched, type Tables } from './tables.js';

const oldestFirst = ascending<{ id: string; createdAt: number }>((row) => row.createdAt);

// webhooks

const webhooks = ownedTable<WebhookRecord>((t) => t.webhooks, 'webhook');

export const insertWebhook = webhooks.insert;
export const getWebhook = webhooks.get;
export const updateWebhook = webhooks.update;
export const deleteWebhook = webhooks.remove;

export function markWebhookFailing(t: Tables, id: string, at: number): boolean {
  const row = t.webhooks.get(id);
  if (row?.failingSince !== null) return false;
  t.put(t.webhooks, id, { ...row, failingSince: at });
  return true;
}

/** Newest first; `query` matches the URL. */
export function listWebhooks(t: Tables, query: WebhookListQuery): WebhookRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.webhooks.values()].filter(
    (webhook) => webhook.accountId === query.accountId && matches(webhook.url),
  );
  return page(rows.sort(descending((webhook) => webhook.createdAt)), query);
}

/** Oldest first. */
export function listWebhooksFor(
  t: Tables,
  accountId: string,
  eventType: string,
  owner: string,
): WebhookRecord[] {
  return [...t.webhooks.values()]
    .filter(
      (webhook) =>
        webhook.accountId === accountId &&
        webhook.enabled &&
        webhook.events.includes(eventType) &&
        webhook.phoneNumbers.includes(owner),
    )
    .sort(oldestFirst)
    .map((webhook) => structuredClone(webhook));
}

// outbox

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

export function getOutbox(t: Tables, accountId: string, id: string): OutboxRecord | null {
  const row = t.outbox.get(id);
  return row && row.accountId === accountId ? structuredClone(row) : null;
}

export function listOutbox(t: Tables, query: OutboxListQuery): OutboxRecord[] {
  const rows = [...t.outbox.values()].filter(
    (row) =>
      row.accountId === query.accountId &&
      (query.webhookId === null ||
        query.webhookId === undefined ||
        row.webhookId === query.webhookId) &&
      (query.subjectId === null ||
        query.subjectId === undefined ||
        row.subjectId === query.subjectId),
  );
  return page(rows.sort(descending((row) => row.createdAt)), query);
}
