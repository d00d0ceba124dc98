/**
 * The memory store's ClaimStore part: due messages, the outstanding message a
 * phone takes, the phones' pacing anchor and their heartbeat checks. Every
 * function runs inside one atomic unit, so a row goes to one claimer only.
 */
import { reserveBudget } from '../../domain/caps.js';
import { monthOf } from '../../domain/recipients.js';
import type { MessageRecord, PhoneRecord } from '../../domain/records.js';
import type {
  ClaimDueQuery,
  ClaimHeartbeatQuery,
  DueBacklog,
  PickDueQuery,
  TakeOutstandingQuery,
} from '../../store.js';
import { within } from './query.js';
import { ownedRow, type Tables } from './tables.js';

/** Due first; ties keep insertion order (the table is a Map and the sort is stable). */
const claimOrder = (a: MessageRecord, b: MessageRecord): number => (a.dueAt ?? 0) - (b.dueAt ?? 0);

function reachable(phoneIds: readonly string[] | 'all') {
  if (phoneIds === 'all') return () => true;
  const set = new Set(phoneIds);
  return (m: MessageRecord) => m.phoneId !== null && set.has(m.phoneId);
}

/** The due rows a claim takes, in claim order. */
function dueRows(t: Tables, query: PickDueQuery): MessageRecord[] {
  const { now } = query;
  const onPhone = reachable(query.phoneIds);
  return [...t.messages.values()]
    .filter(
      (m) =>
        m.dueAt !== null &&
        m.dueAt <= now &&
        onPhone(m) &&
        (!query.pooledOnly || m.poolId !== null) &&
        (m.leaseUntil === null || m.leaseUntil <= now),
    )
    .sort(claimOrder)
    .slice(0, Math.max(0, Math.trunc(query.limit)));
}

export function claimDue(t: Tables, query: ClaimDueQuery): MessageRecord[] {
  return dueRows(t, query).map((row) => {
    const next = { ...row, leaseOwner: query.claimer, leaseUntil: query.now + query.leaseMs };
    t.put(t.messages, row.id, next);
    return structuredClone(next);
  });
}

/** The memory store's transactions hold its mutex: nobody else claims meanwhile. */
export function pickDue(t: Tables, query: PickDueQuery): MessageRecord[] {
  return dueRows(t, query).map((row) => structuredClone(row));
}

export function nextDueAt(t: Tables, phoneIds: readonly string[] | 'all'): number | null {
  const onPhone = reachable(phoneIds);
  let earliest: number | null = null;
  for (const m of t.messages.values()) {
    if (m.dueAt === null || !onPhone(m)) continue;
    if (earliest === null || m.dueAt < earliest) earliest = m.dueAt;
  }
  return earliest;
}

export function getDueBacklog(t: Tables, now: number): DueBacklog {
  let due = 0;
  let oldestDueAt: number | null = null;
  for (const m of t.messages.values()) {
    if (m.dueAt === null || m.dueAt > now) continue;
    due += 1;
    if (oldestDueAt === null || m.dueAt < oldestDueAt) oldestDueAt = m.dueAt;
  }
  return { due, oldestDueAt };
}

export function takeOutstanding(t: Tables, query: TakeOutstandingQuery): MessageRecord | null {
  const row = ownedRow(t.messages, query.accountId, query.id);
  if (!row || !query.from.includes(row.status) || !within(query.owners, row.owner)) return null;
  const { now } = query;
  const next: MessageRecord = {
    ...row,
    status: query.to,
    lastAttemptedAt: now,
    updatedAt: now,
    orderTimestamp: Math.max(row.orderTimestamp, now),
    dueAt: query.dueAt === undefined ? row.dueAt : query.dueAt,
  };
  t.put(t.messages, row.id, next);
  return structuredClone(next);
}

// pacing and heartbeat checks

export function reservePhoneSlot(
  t: Tables,
  phoneId: string,
  expected: number | null,
  next: number,
): boolean {
  const phone = t.phones.get(phoneId);
  if (!phone || phone.lastScheduledAt !== expected) return false;
  t.put(t.phones, phoneId, { ...phone, lastScheduledAt: next });
  return true;
}

export function reservePhoneHandoff(
  t: Tables,
  phoneId: string,
  at: number,
  spacingMs: number,
): boolean {
  const phone = t.phones.get(phoneId);
  if (!phone) return false;
  if (phone.lastHandoffAt !== null && phone.lastHandoffAt > at - spacingMs) return false;
  t.put(t.phones, phoneId, { ...phone, lastHandoffAt: at });
  return true;
}

export function reservePhoneBudget(
  t: Tables,
  phoneId: string,
  at: number,
  segments: number,
): boolean {
  const phone = t.phones.get(phoneId);
  const counted = phone ? reserveBudget(phone, at, segments) : null;
  if (!phone || !counted) return false;
  t.put(t.phones, phoneId, { ...phone, ...counted });
  return true;
}

export function reservePhoneRecipient(
  t: Tables,
  phoneId: string,
  contact: string,
  at: number,
): boolean {
  const phone = t.phones.get(phoneId);
  if (!phone) return false;
  if (phone.recipientsPerMonth <= 0) return true;
  const month = monthOf(at);
  const key = JSON.stringify([phoneId, month, contact]);
  if (t.phoneRecipients.has(key)) return true;
  const used = phone.recipientsMonth === month ? phone.recipientsCount : 0;
  if (used >= phone.recipientsPerMonth) return false;
  // Contacts of earlier months are not needed any more.
  for (const [k, row] of t.phoneRecipients) {
    if (row.phoneId === phoneId && row.month < month) t.remove(t.phoneRecipients, k);
  }
  t.put(t.phoneRecipients, key, { accountId: phone.accountId, phoneId, month, contact });
  t.put(t.phones, phoneId, { ...phone, recipientsMonth: month, recipientsCount: used + 1 });
  return true;
}

/** Due phones, earliest check first; each claimed check moves to `now + leaseMs`. */
export function claimHeartbeatChecks(t: Tables, query: ClaimHeartbeatQuery): PhoneRecord[] {
  const due = [...t.phones.values()]
    .filter((p) => p.heartbeatCheckAt !== null && p.heartbeatCheckAt <= query.now)
    .sort(
      (a, b) => (a.heartbeatCheckAt ?? 0) - (b.heartbeatCheckAt ?? 0) || a.id.localeCompare(b.id),
    )
    .slice(0, Math.max(0, query.limit));
  return due.map((phone) => {
    const next = { ...phone, heartbeatCheckAt: query.now + query.leaseMs };
    t.put(t.phones, phone.id, next);
    return structuredClone(next);
  });
}
