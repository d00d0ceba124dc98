/**
 * Pacing of the actual hand-offs. Planned slots (plan.ts) spread a phone's
 * messages out, but a dispatcher that runs late, a node back from an outage or a
 * transport retry finds slots already in the past. So every hand-off of a paced
 * phone passes a gate in the store: the phone's `lastHandoffAt` moves to now only
 * when it is at least the spacing ago (one atomic step, so two nodes never both
 * take a slot). A message the gate holds back waits for the next free slot,
 * moved into the phone's send window.
 */
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { nextWindowStart } from '../domain/windows.js';
import type { Store } from '../store.js';
import { isExact, pacingMs } from './plan.js';

/** One dispatch round's gate keeper: the slots it gave the rows it held back, per phone. */
export class RoundPacer {
  /** Per phone: the earliest slot for the next row held back in this round. */
  private readonly held = new Map<string, number>();

  /**
   * Takes the phone's hand-off at `now` when its send window is open and its
   * pacing allows (its `lastHandoffAt` moves to now, in `store`, the caller's
   * transaction); returns null. Else returns the slot the message waits for: the
   * last hand-off plus the spacing, after the rows held back before it in this
   * round, in the send window. An exact `send_at` first attempt is never held
   * back, but still counts as the phone's last hand-off.
   */
  async take(
    store: Store,
    message: MessageRecord,
    phone: PhoneRecord,
    schedule: SendScheduleRecord | null,
    now: number,
  ): Promise<number | null> {
    const spacing = pacingMs(phone.messagesPerMinute);
    if (isExact(message)) {
      if (spacing > 0) await store.reservePhoneHandoff(phone.id, now, 0);
      return null;
    }
    const inWindow = (t: number) =>
      schedule ? nextWindowStart(t, schedule.timezone, schedule.windows) : t;
    const open = inWindow(now);
    if (open <= now && (spacing === 0 || (await store.reservePhoneHandoff(phone.id, now, spacing))))
      return null;
    let slot = open;
    if (spacing > 0) {
      const last = (await store.getPhone(phone.id))?.lastHandoffAt ?? null;
      if (last !== null) slot = Math.max(slot, last + spacing);
      slot = inWindow(Math.max(slot, this.held.get(phone.id) ?? slot));
      this.held.set(phone.id, slot + spacing);
    }
    return slot;
  }
}
