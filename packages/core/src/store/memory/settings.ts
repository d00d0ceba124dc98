/** Per-account settings of the memory store: webhooks and send schedules. */
import type { SendScheduleRecord, WebhookRecord } from '../../domain/records.js';
import type { WebhookListQuery } from '../../store.js';
import { ascending, descending, page, textMatcher } from './query.js';
import { ownedTable, type Tables } from './tables.js';

const oldestFirst = ascending<{ id: string; createdAt: number }>((row) => row.createdAt);

// webhooks

const webhooks = ownedTable<WebhookRecord>((t) => t.webhooks, 'webhook');

export const insertWebhook = webhooks.insert;
export const getWebhook = webhooks.get;
export const updateWebhook = webhooks.update;
export const deleteWebhook = webhooks.remove;

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

// send schedules

const schedules = ownedTable<SendScheduleRecord>((t) => t.schedules, 'send schedule');

export const insertSendSchedule = schedules.insert;
export const getSendSchedule = schedules.get;
export const updateSendSchedule = schedules.update;
export const deleteSendSchedule = schedules.remove;

export function listSendSchedules(t: Tables, accountId: string): SendScheduleRecord[] {
  return [...t.schedules.values()]
    .filter((schedule) => schedule.accountId === accountId)
    .sort(oldestFirst)
    .map((schedule) => structuredClone(schedule));
}
