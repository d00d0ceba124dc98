/** The wire form of a phone: its settings, its caps and what their windows have left. */
import { z } from 'zod';
import { SIMS } from '../lifecycle/status.js';
import { remainingBudget } from './caps.js';
import { recipientsLeft } from './recipients.js';
import type { PhoneRecord } from './records.js';
import { formatTimestamp } from './time.js';
import { time, uuid } from './wire-formats.js';

export const wirePhoneSchema = z.object({
  id: uuid,
  user_id: z.string(),
  phone_number: z.string(),
  fcm_token: z.string().nullable(),
  messages_per_minute: z.number().int().nonnegative(),
  messages_per_hour: z
    .number()
    .int()
    .nonnegative()
    .describe('Hand-off cap in SMS segments per hour; 0 = no cap.'),
  messages_per_day: z
    .number()
    .int()
    .nonnegative()
    .describe('Hand-off cap in SMS segments per day; 0 = no cap.'),
  hourly_remaining: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe(
      'SMS segments the phone may still hand off in its current hour window; null = no cap.',
    ),
  daily_remaining: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe(
      'SMS segments the phone may still hand off in its current day window; null = no cap.',
    ),
  recipients_per_month: z
    .number()
    .int()
    .nonnegative()
    .describe('Cap on the different contacts handed off to per calendar month (UTC); 0 = no cap.'),
  monthly_recipients_remaining: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('New contacts the phone may still hand off to this month; null = no cap.'),
  sim: z.enum(SIMS),
  message_send_schedule_id: uuid.nullable(),
  pool_id: uuid.nullable().describe('The pool the phone sends for (`/v1/pools`); null: none.'),
  max_send_attempts: z.number().int().nonnegative(),
  message_expiration_seconds: z.number().int().nonnegative(),
  missed_call_auto_reply: z.string().nullable(),
  unarchive_thread: z.boolean(),
  created_at: time,
  updated_at: time,
});
export type WirePhone = z.infer<typeof wirePhoneSchema>;

/** The phone's wire form; its remaining cap budgets as of `now`. */
export function toWirePhone(p: PhoneRecord, now: number): WirePhone {
  const remaining = remainingBudget(p, now);
  return {
    id: p.id,
    user_id: p.accountId,
    phone_number: p.phoneNumber,
    fcm_token: p.fcmToken,
    messages_per_minute: p.messagesPerMinute,
    messages_per_hour: p.messagesPerHour,
    messages_per_day: p.messagesPerDay,
    hourly_remaining: remaining.hourly,
    daily_remaining: remaining.daily,
    recipients_per_month: p.recipientsPerMonth,
    monthly_recipients_remaining: recipientsLeft(p, now),
    sim: p.sim,
    message_send_schedule_id: p.sendScheduleId,
    pool_id: p.poolId,
    max_send_attempts: p.maxSendAttempts,
    message_expiration_seconds: p.messageExpirationSeconds,
    missed_call_auto_reply: p.missedCallAutoReply,
    unarchive_thread: p.unarchiveThread,
    created_at: formatTimestamp(p.createdAt),
    updated_at: formatTimestamp(p.updatedAt),
  };
}
