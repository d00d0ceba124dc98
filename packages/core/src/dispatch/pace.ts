/**
 * Pacing of the actual hand-offs. Planned slots (plan.ts) spread a phone's
 * messages out, but a dispatcher that runs late, a node back from an outage or a
 * transport retry finds slots already in the past. So every hand-off of a paced
 * phone passes a gate in the store: the phone's `lastHandoffAt` moves to now only
 * when it is at least the spacing ago (one atomic step, so two nodes never both
 * take a slot). A message the gate holds back waits for the next free slot,
 * moved into the phone's send window. A capped phone's hand-off also passes its
 * cap gate (domain/caps.ts): one its hour or day budget cannot take waits for the
 * window that is full to end, so the phone resumes then; and its unique-recipients
 * gate (domain/recipients.ts): a new contact beyond the month's cap waits for the
 * next month.
 */

import { budgetFreesAt, hasCaps } from '../domain/caps.js';
import { hasRecipientCap, nextMonthStart } from '../domain/recipients.js';
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { nextWindowStart } from '../domain/windows.js';
import type { Store } from '../store.js';
import { isExact, isExpedited, pacingMs } from './plan.js';

/** One dispatch round's gate keeper: the slots it gave the rows it held back, per phone. */
export class RoundPacer {
  /** Per phone: the earliest slot for the next row held back in this round. */
  private readonly held = new Map<string, number>();

  /**
   * Takes the phone's hand-off at `now` when its send window is open, its pacing
   * allows (its `lastHandoffAt` moves to now) and the message's segments fit its
   * caps (counted in, `reservePhoneBudget`), all in `store`, the caller's
   * transaction; returns null. Else returns the slot the message waits for: the
   * last hand-off plus the spacing, after the rows held back before it in this
   * round, not before the caps' window frees, in the send window. An exact
   * `send_at` first attempt is never held back by the window or the pacing (it
   * still counts as the phone's last hand-off), but it is by the caps.
   */
  async take(
    store: Store,
    message: MessageRecord,
    phone: PhoneRecord,
    schedule: SendScheduleRecord | null,
    now: number,
  ): Promise<number | null> {
    // An expedited message is not paced, like an exact one (it still counts as the last hand-off).
    const exact = isExact(message);
    const unpaced = exact || isExpedited(message);
    const spacing = pacingMs(phone.messagesPerMinute);
    const inWindow = (t: number) =>
      schedule && !exact ? nextWindowStart(t, schedule.timezone, schedule.windows) : t;
    const open = inWindow(now);
    let recipientsFull = false;
    if (open <= now) {
      let paced = false;
      if (unpaced && spacing > 0) await store.reservePhoneHandoff(phone.id, now, 0);
      else if (spacing > 0) paced = !(await store.reservePhoneHandoff(phone.id, now, spacing));
      if (!paced && hasRecipientCap(phone)) {
        recipientsFull = !(await store.reservePhoneRecipient(phone.id, message.contact, now));
      }
      const held = paced || recipientsFull;
      if (!held && !hasCaps(phone)) return null;
      if (!held && (await store.reservePhoneBudget(phone.id, now, message.segments))) return null;
    }
    // A new contact of a phone whose month is full waits for the next month.
    let slot = recipientsFull ? inWindow(nextMonthStart(now)) : open;
    if (spacing > 0 || hasCaps(phone) || recipientsFull) {
      const fresh = (await store.getPhone(phone.id)) ?? phone;
      slot = Math.max(slot, budgetFreesAt(fresh, now, message.segments));
      if (spacing > 0) {
        const last = unpaced ? null : fresh.lastHandoffAt;
        if (last !== null) slot = Math.max(slot, last + spacing);
        slot = inWindow(Math.max(slot, this.held.get(phone.id) ?? slot));
        this.held.set(phone.id, slot + spacing);
      } else slot = inWindow(slot);
    }
    return slot;
  }
}
