/** The memory store's MessageStore part. Every function runs inside one atomic unit. */
import type { IdempotencyRecord, MessageRecord } from '../../domain/records.js';
import type { MessageStatus } from '../../lifecycle/status.js';
import type {
  InsertMessagesOptions,
  MessageListQuery,
  MessagePatch,
  MessageSearchQuery,
  TransitionOptions,
  TransitionResult,
  TransitionStep,
} from '../../store.js';
import { searchedMessageId } from '../message-search.js';
import { copyOrNull, descending, page, textMatcher, within } from './query.js';
import { idempotencyKey, patched, type Tables } from './tables.js';
import { insertOutbox } from './webhooks.js';

const newestFirst = descending<MessageRecord>((m) => m.orderTimestamp);

export function insertMessages(
  t: Tables,
  messages: readonly MessageRecord[],
  options: InsertMessagesOptions = {},
): void {
  for (const message of messages) t.insert(t.messages, message.id, message, 'message');
  if (options.idempotency) insertIdempotency(t, options.idempotency);
  if (options.outbox) insertOutbox(t, options.outbox);
}

function insertIdempotency(t: Tables, record: IdempotencyRecord): void {
  const key = idempotencyKey(record.accountId, record.key);
  t.insert(t.idempotency, key, record, 'idempotency key');
}

function owned(t: Tables, accountId: string, id: string): MessageRecord | undefined {
  const row = t.messages.get(id);
  return row?.accountId === accountId ? row : undefined;
}

export function getMessage(t: Tables, accountId: string, id: string): MessageRecord | null {
  return copyOrNull(owned(t, accountId, id));
}

/** The account's rows among `ids`, in the order of `ids`, each once. */
export function getMessages(t: Tables, accountId: string, ids: readonly string[]): MessageRecord[] {
  const rows: MessageRecord[] = [];
  for (const id of new Set(ids)) {
    const row = owned(t, accountId, id);
    if (row) rows.push(structuredClone(row));
  }
  return rows;
}

function between(t: Tables, accountId: string, owner: string, contact: string): MessageRecord[] {
  return [...t.messages.values()].filter(
    (m) => m.accountId === accountId && m.owner === owner && m.contact === contact,
  );
}

export function listMessages(t: Tables, query: MessageListQuery): MessageRecord[] {
  const matches = textMatcher(query.query);
  const rows = between(t, query.accountId, query.owner, query.contact).filter((m) =>
    matches(m.content),
  );
  return page(rows.sort(newestFirst), query);
}

/** Newest `orderTimestamp` first. */
export function searchMessages(t: Tables, query: MessageSearchQuery): MessageRecord[] {
  const matches = textMatcher(query.query);
  const id = searchedMessageId(query.query);
  const rows = [...t.messages.values()].filter(
    (m) =>
      m.accountId === query.accountId &&
      within(query.owners, m.owner) &&
      within(query.types, m.type) &&
      within(query.statuses, m.status) &&
      (query.after === null || query.after === undefined || m.orderTimestamp >= query.after) &&
      (query.before === null || query.before === undefined || m.orderTimestamp < query.before) &&
      (m.id === id || matches(m.content, m.contact, m.owner, m.failureReason, m.requestId)),
  );
  return page(rows.sort(newestFirst), query);
}

export function getOutgoingCount(t: Tables, accountId: string, since: number): number {
  let n = 0;
  for (const m of t.messages.values()) {
    if (
      m.accountId === accountId &&
      m.type === 'mobile-terminated' &&
      m.requestReceivedAt >= since
    ) {
      n += 1;
    }
  }
  return n;
}

export function latestMessageBetween(
  t: Tables,
  accountId: string,
  owner: string,
  contact: string,
): MessageRecord | null {
  return copyOrNull(between(t, accountId, owner, contact).sort(newestFirst)[0]);
}

export function deleteMessage(t: Tables, accountId: string, id: string): MessageRecord | null {
  if (!owned(t, accountId, id)) return null;
  return copyOrNull(t.remove(t.messages, id));
}

export function deleteMessagesBetween(
  t: Tables,
  accountId: string,
  owner: string,
  contact: string,
): number {
  const rows = between(t, accountId, owner, contact);
  for (const row of rows) t.remove(t.messages, row.id);
  return rows.length;
}

export function transition(
  t: Tables,
  id: string,
  expected: readonly MessageStatus[],
  patch: MessagePatch,
  options: TransitionOptions = {},
): TransitionResult {
  const row = t.messages.get(id);
  if (!row) return { ok: false, current: null };
  const leaseHeld = options.leaseOwner === undefined || row.leaseOwner === options.leaseOwner;
  if (!expected.includes(row.status) || !leaseHeld) {
    return { ok: false, current: structuredClone(row) };
  }
  const next = patched(row, patch);
  t.put(t.messages, id, next);
  return { ok: true, message: structuredClone(next) };
}

/** Every step as `transition` makes it, in one atomic unit; null where the guard did not hold. */
export function transitionMany(
  t: Tables,
  steps: readonly TransitionStep[],
): (MessageRecord | null)[] {
  return steps.map((step) => {
    const options = step.leaseOwner === undefined ? {} : { leaseOwner: step.leaseOwner };
    const result = transition(t, step.id, step.expected, step.patch, options);
    return result.ok ? result.message : null;
  });
}
