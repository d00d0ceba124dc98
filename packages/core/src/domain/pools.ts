/**
 * The pool policy (docs/routing.md, Pools): which member of a pool sends a message.
 * Pure: the caller reads the members and the sticky sender from the store.
 *
 * 1. Only members that can send: online (heartbeat monitor) and, when the phone
 *    keeps a live link, seen within the grace period. None: no choice.
 * 2. Sticky sender: the contact's last phone, while it can send and its caps take
 *    the message now.
 * 3. Members whose caps take the message now and whose month still takes new
 *    contacts, if any (else all: the message waits for the one whose window frees first).
 * 4. Least loaded: the smallest pacing debt (planned slots ahead of now), then the
 *    smallest share of a cap used; ties go to a hash of (contact, phone), which
 *    spreads contacts evenly and keeps each on one phone.
 */
import { budgetFreesAt, remainingBudget } from './caps.js';
import { recipientsLeft } from './recipients.js';
import type { PhoneRecord, PoolRecord } from './records.js';

/** A pool with its members' ids. */
export interface PoolView extends PoolRecord {
  phoneIds: string[];
}

export interface PoolChoice {
  contact: string;
  /** SMS segments of the message (what the caps count). */
  segments: number;
  now: number;
  /** `pools.linkGraceMs`. */
  linkGraceMs: number;
  /** The contact's sticky sender, if the pool has one. */
  stickyPhoneId: string | null;
  /** Members not to choose (the phone a message moves off). */
  exclude?: ReadonlySet<string>;
}

/** Whether a pool member can send now: online, and its live link (if it keeps one) seen lately. */
export function canSend(phone: PhoneRecord, now: number, linkGraceMs: number): boolean {
  return phone.online && (phone.linkSeenAt === null || phone.linkSeenAt >= now - linkGraceMs);
}

/** FNV-1a, 32 bits: a stable spread of (contact, phone) pairs. */
function spread(contact: string, phoneId: string): number {
  let hash = 0x811c9dc5;
  const text = `${contact}\u0000${phoneId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The share of its tightest cap the phone has used (0 without caps). */
function capUse(phone: PhoneRecord, now: number): number {
  const left = remainingBudget(phone, now);
  const shares = [
    left.hourly === null ? 0 : 1 - left.hourly / phone.messagesPerHour,
    left.daily === null ? 0 : 1 - left.daily / phone.messagesPerDay,
  ];
  return Math.max(...shares);
}

/** The member that sends the message, or null when no member can send. */
export function choosePoolPhone(
  members: readonly PhoneRecord[],
  choice: PoolChoice,
): PhoneRecord | null {
  const { now, segments } = choice;
  const able = members.filter(
    (p) => !choice.exclude?.has(p.id) && canSend(p, now, choice.linkGraceMs),
  );
  if (able.length === 0) return null;
  // A member whose month of new contacts is full is taken only as the sticky sender
  // (the contact is counted already).
  const fitsNow = (p: PhoneRecord) => budgetFreesAt(p, now, segments) <= now;
  const takesNewContacts = (p: PhoneRecord) => recipientsLeft(p, now) !== 0;
  const sticky = able.find((p) => p.id === choice.stickyPhoneId);
  if (sticky && fitsNow(sticky)) return sticky;
  const room = able.filter((p) => fitsNow(p) && takesNewContacts(p));
  const pool = room.length > 0 ? room : able;
  const rank = (p: PhoneRecord) => ({
    frees: room.length > 0 ? 0 : budgetFreesAt(p, now, segments),
    debt: Math.max(0, (p.lastScheduledAt ?? now) - now),
    use: capUse(p, now),
    spread: spread(choice.contact, p.id),
  });
  let best = pool[0] as PhoneRecord;
  let bestRank = rank(best);
  for (const phone of pool.slice(1)) {
    const r = rank(phone);
    const better =
      r.frees - bestRank.frees ||
      r.debt - bestRank.debt ||
      r.use - bestRank.use ||
      bestRank.spread - r.spread;
    if (better < 0) {
      best = phone;
      bestRank = r;
    }
  }
  return best;
}
