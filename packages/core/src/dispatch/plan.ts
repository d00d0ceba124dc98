/** When may a message be handed to its phone: exact `send_at`, pacing, send windows (README, What it does: Dispatch). */
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { nextWindowStart } from '../domain/windows.js';

/** Spacing between two hand-offs to one phone; 0 = no pacing. */
export function pacingMs(messagesPerMinute: number): number {
  return messagesPerMinute > 0 ? Math.floor(60_000 / messagesPerMinute) : 0;
}

/** True when the message goes out exactly at its `send_at` (first attempt only). */
export function isExact(message: MessageRecord): boolean {
  return message.scheduledSendTime !== null && message.sendAttemptCount === 0;
}

/** Priority from which a message is expedited: handed off without waiting for pacing (SMSGate's rule). */
export const EXPEDITED_PRIORITY = 100;

/** True when the message skips the phone's pacing (priority ≥ 100). */
export function isExpedited(message: MessageRecord): boolean {
  return message.priority >= EXPEDITED_PRIORITY;
}

/** True when the message may no longer be handed off: its `validUntil` has come. */
export function isPastValidity(message: MessageRecord, now: number): boolean {
  return message.validUntil !== null && now >= message.validUntil;
}

/** The failure reason of a message whose `validUntil` passed first (SMSGate's words). */
export const TTL_EXPIRED = 'TTL expired';

/**
 * The hand-off time of `message`: `send_at` exactly on the first attempt; otherwise
 * the later of now and the phone's last hand-off plus the spacing, moved into the
 * next send window of the phone's schedule.
 */
export function handoffSlot(
  now: number,
  message: MessageRecord,
  phone: PhoneRecord,
  schedule: SendScheduleRecord | null,
): number {
  if (isExact(message)) return Math.max(now, message.scheduledSendTime ?? now);
  const inWindow = (t: number) =>
    schedule ? nextWindowStart(t, schedule.timezone, schedule.windows) : t;
  let slot = inWindow(now);
  const spacing = isExpedited(message) ? 0 : pacingMs(phone.messagesPerMinute);
  if (spacing > 0 && phone.lastScheduledAt !== null && phone.lastScheduledAt + spacing > slot) {
    slot = inWindow(phone.lastScheduledAt + spacing);
  }
  return slot;
}

/** When an un-finished, handed-off message expires. */
export function expiryDeadline(message: MessageRecord, phone: PhoneRecord | null): number {
  const seconds = phone?.messageExpirationSeconds || 600;
  const start =
    message.status === 'sending' && message.sendAttemptCount === 0
      ? (message.lastAttemptedAt ?? message.updatedAt)
      : (message.scheduledAt ?? message.updatedAt);
  return start + seconds * 1000;
}

/** A scheduled message whose `dueAt` is its planned hand-off (not an expiry check). */
export function awaitsHandoff(message: MessageRecord): boolean {
  return message.status === 'scheduled' && message.awaitingHandoff && message.dueAt !== null;
}

/** No phone holds it yet: pending, expired with a retry due, or planned and not handed off. */
export function isQueued(message: MessageRecord): boolean {
  return message.status === 'pending' || message.status === 'expired' || awaitsHandoff(message);
}

/** Handed to its phone's transport and not yet taken: waiting on its expiry check. */
export function isHandedOff(message: MessageRecord): boolean {
  return message.status === 'scheduled' && message.sendAttemptCount > 0 && !awaitsHandoff(message);
}
