/** Per-account settings of the memory store: webhooks and send schedules. */
import type { SendScheduleRecord, WebhookRecord } from '../../domain/records.js';
import type { WebhookListQuery } from '../../store.js';
import { ascending, copyOrNull, descending, type PatchOf, page, textMatcher } from './query.js';
import { deleteOwned, ownedRow, type Tables, updateRow } from './tables.js';

const oldestFirst = ascending<{ id: string; createdAt: number }>((row) => row.createdAt);

// webhooks

export function insertWebhook(t: Tables, webhook: WebhookRecord): void {
  t.insert(t.webhooks, webhook.id, webhook, 'webhook');
}

export function getWebhook(t: Tables, accountId: string, id: string): WebhookRecord | null {
  return copyOrNull(ownedRow(t.webhooks, accountId, id));
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

export function updateWebhook(
  t: Tables,
  id: string,
  patch: PatchOf<'updateWebhook'>,
): WebhookRecord | null {
  return updateRow(t, t.webhooks, id, patch);
}

export function deleteWebhook(t: Tables, accountId: string, id: string): boolean {
  return deleteOwned(t, t.webhooks, accountId, id) !== undefined;
}

// send schedules

export function insertSendSchedule(t: Tables, schedule: SendScheduleRecord): void {
  t.insert(t.schedules, schedule.id, schedule, 'send schedule');
}

export function getSendSchedule(
  t: Tables,
  accountId: string,
  id: string,
): SendScheduleRecord | null {
  return copyOrNull(ownedRow(t.schedules, accountId, id));
}

export function listSendSchedules(t: Tables, accountId: string): SendScheduleRecord[] {
  return [...t.schedules.values()]
    .filter((schedule) => schedule.accountId === accountId)
    .sort(oldestFirst)
    .map((schedule) => structuredClone(schedule));
}

export function updateSendSchedule(
  t: Tables,
  id: string,
  patch: PatchOf<'updateSendSchedule'>,
): SendScheduleRecord | null {
  return updateRow(t, t.schedules, id, patch);
}

export function deleteSendSchedule(t: Tables, accountId: string, id: string): boolean {
  return deleteOwned(t, t.schedules, accountId, id) !== undefined;
}
