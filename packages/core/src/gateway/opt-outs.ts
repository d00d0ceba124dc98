/**
 * Opt-outs in the send path (docs/routing.md): every send withholds the messages
 * to suppressed contacts. They are stored `failed` with reason `OPTED_OUT` and
 * never handed to a phone. Inbound keywords are in inbound-keywords.ts.
 */
import type { MessageRecord, SuppressionRecord } from '../domain/records.js';
import { formatTimestamp } from '../domain/time.js';
import type { ContactEventData } from '../events/events.js';
import type { Store } from '../store.js';

/** The failure reason of a message withheld because its contact opted out. */
export const OPTED_OUT = 'OPTED_OUT';

/** The owners whose suppressions stop a message from `owner`: its own and the account-wide ones. */
export function stoppingOwners(owner: string): string[] {
  return ['', owner];
}

/**
 * The messages as they are to be stored: those to a contact suppressed for their
 * sending number (or account-wide) become `failed` with reason `OPTED_OUT`, not due.
 */
export async function withholdOptedOut(
  tx: Store,
  messages: readonly MessageRecord[],
  now: number,
): Promise<MessageRecord[]> {
  const first = messages[0];
  if (!first) return [];
  const single = messages.length === 1;
  const owners = single
    ? stoppingOwners(first.owner)
    : [...new Set(messages.flatMap((m) => stoppingOwners(m.owner)))];
  const contacts = single ? [first.contact] : [...new Set(messages.map((m) => m.contact))];
  const found = await tx.findSuppressions({ accountId: first.accountId, contacts, owners });
  if (found.length === 0) return messages.slice();
  const stopped = new Set(found.map((s) => JSON.stringify([s.owner, s.contact])));
  const suppressed = (m: MessageRecord) =>
    stoppingOwners(m.owner).some((owner) => stopped.has(JSON.stringify([owner, m.contact])));
  return messages.map((m) =>
    suppressed(m)
      ? { ...m, status: 'failed', failedAt: now, failureReason: OPTED_OUT, dueAt: null }
      : m,
  );
}

export function contactEventData(
  s: SuppressionRecord,
  owner: string,
  source: SuppressionRecord['source'],
  keyword: string | null,
  at: number,
): ContactEventData {
  return {
    suppression_id: s.id,
    user_id: s.accountId,
    owner,
    contact: s.contact,
    scope: s.owner === '' ? 'account' : 'phone',
    keyword,
    source,
    timestamp: formatTimestamp(at),
  };
}
