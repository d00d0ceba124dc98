/**
 * SMSGate's wire vocabulary (`reference/smsgate.md`): states, the aggregation rule
 * of a multi-recipient message (§6.2), how textport statuses map onto SMSGate
 * states (§8), dates the app parses (§7.3) and the error body (§5.2).
 */
import type { MessageRecord } from '@textport/core';

export const SMSGATE_STATES = Object.freeze([
  'Pending',
  'Processed',
  'Sent',
  'Delivered',
  'Failed',
  'Cancelling',
  'Cancelled',
] as const);
export type SmsGateState = (typeof SMSGATE_STATES)[number];

/** The webhook events the app (v1.68.0) knows; anything else breaks its webhook sync (§2.7). */
export const SMSGATE_WEBHOOK_EVENTS = Object.freeze([
  'sms:received',
  'sms:data-received',
  'mms:received',
  'mms:downloaded',
  'sms:sent',
  'sms:delivered',
  'sms:failed',
  'sms:cancelled',
  'system:ping',
  'app:started',
] as const);
export type SmsGateWebhookEvent = (typeof SMSGATE_WEBHOOK_EVENTS)[number];

/**
 * The id of textport's inbound receiver in every device's webhook list; the app
 * keeps one webhook per id, so no registration of the user API may take it.
 */
export const RECEIVER_WEBHOOK_ID = 'textport-sms-received';

/** The SSE event names of §3.3. */
export type SmsGateEventName =
  | 'MessageEnqueued'
  | 'MessageCancelled'
  | 'WebhooksUpdated'
  | 'SettingsUpdated'
  | 'MessagesExportRequested';

/**
 * A textport message's state in SMSGate's words: waiting (or scheduled, or expired
 * with attempts left) is `Pending`, taken by the phone is `Processed`; an expired
 * message with no attempt left failed (the app's "TTL expired"); canceled is `Cancelled`.
 */
export function stateOf(message: MessageRecord): SmsGateState {
  switch (message.status) {
    case 'pending':
    case 'scheduled':
      return 'Pending';
    case 'sending':
      return 'Processed';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'failed':
      return 'Failed';
    case 'expired':
      return message.dueAt === null ? 'Failed' : 'Pending';
    case 'canceled':
      return 'Cancelled';
    default:
      return 'Pending';
  }
}

/** The error text of a failed recipient, when there is one. */
export function errorOf(message: MessageRecord): string | undefined {
  if (message.status === 'failed') return message.failureReason ?? 'Failed';
  if (message.status === 'expired' && message.dueAt === null) {
    return message.failureReason ?? 'TTL expired';
  }
  return undefined;
}

/**
 * The message state from its recipients' states, in the phone's order (§6.2): any
 * Pending, then any Cancelling, any Cancelled, any Processed; all Failed; all
 * Delivered; otherwise Sent (one Delivered and one Failed make `Sent`).
 */
export function aggregateState(states: readonly SmsGateState[]): SmsGateState {
  for (const s of ['Pending', 'Cancelling', 'Cancelled', 'Processed'] as const) {
    if (states.includes(s)) return s;
  }
  if (states.length > 0 && states.every((s) => s === 'Failed')) return 'Failed';
  if (states.length > 0 && states.every((s) => s === 'Delivered')) return 'Delivered';
  return 'Sent';
}

/** RFC 3339 with exactly three fractional digits, which the app's date parser reads (§7.3). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** The app sends its local offset and milliseconds; anything `Date` reads is accepted. */
export function parseDate(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** SMSGate's error body: `{"message": "..."}` with the status code. */
export interface SmsGateErrorBody {
  message: string;
}
