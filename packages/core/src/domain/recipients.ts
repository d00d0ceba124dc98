/**
 * The unique-recipients cap (docs/routing.md, Caps): carriers block a SIM that
 * writes to more than a few hundred different numbers a month. A phone with
 * `recipientsPerMonth` hands off to at most that many different contacts in a
 * calendar month (UTC); a contact already written to this month always goes. The
 * store counts each contact once a month (`reservePhoneRecipient`).
 */
import type { PhoneRecord } from './records.js';

export type PhoneRecipients = Pick<
  PhoneRecord,
  'recipientsPerMonth' | 'recipientsMonth' | 'recipientsCount'
>;

/** The fields of a new phone: no cap, nothing counted. */
export const NO_RECIPIENT_CAP = Object.freeze({
  recipientsPerMonth: 0,
  recipientsMonth: null,
  recipientsCount: 0,
} as const satisfies PhoneRecipients);

/** The month of `at` as a number, `yyyymm` (UTC): 202612 for December 2026. */
export function monthOf(at: number): number {
  const d = new Date(at);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/** The start of the month after the one of `at` (UTC). */
export function nextMonthStart(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function hasRecipientCap(phone: Partial<PhoneRecipients>): boolean {
  return (phone.recipientsPerMonth ?? 0) > 0;
}

/** New contacts the phone may still write to this month; null without a cap. */
export function recipientsLeft(phone: PhoneRecipients, at: number): number | null {
  if (phone.recipientsPerMonth <= 0) return null;
  const used = phone.recipientsMonth === monthOf(at) ? phone.recipientsCount : 0;
  return Math.max(0, phone.recipientsPerMonth - used);
}
