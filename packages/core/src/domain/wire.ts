/**
 * The JSON shapes of the httpSMS v1 API (snake_case, RFC 3339 times, `null` for
 * absent optional fields) as zod schemas, and the converters from stored records.
 * The same schemas feed validation and the OpenAPI document.
 */
import { z } from 'zod';
import { MESSAGE_STATUSES, MESSAGE_TYPES, SIMS } from '../lifecycle/status.js';
import type {
  AccountRecord,
  ApiKeyRecord,
  HeartbeatRecord,
  MessageRecord,
  OutboxRecord,
  SendScheduleRecord,
  ThreadRecord,
  WebhookRecord,
} from './records.js';
import { formatNullable, formatTimestamp } from './time.js';

import { nullableTime, time, uuid } from './wire-formats.js';

export const wireMessageSchema = z.object({
  id: uuid,
  request_id: z.string().nullable(),
  owner: z.string(),
  user_id: z.string(),
  contact: z.string(),
  content: z.string(),
  attachments: z.array(z.string()).nullable(),
  encrypted: z.boolean(),
  type: z.enum(MESSAGE_TYPES),
  status: z.enum(MESSAGE_STATUSES),
  sim: z.enum(SIMS),
  send_time: z
    .number()
    .int()
    .meta({ format: 'int64' })
    .nullable()
    .describe('nanoseconds from request_received_at to sent'),
  request_received_at: time,
  created_at: time,
  updated_at: time,
  order_timestamp: time,
  last_attempted_at: nullableTime,
  scheduled_at: nullableTime,
  scheduled_send_time: nullableTime,
  sent_at: nullableTime,
  delivered_at: nullableTime,
  expired_at: nullableTime,
  failed_at: nullableTime,
  received_at: nullableTime,
  canceled_at: nullableTime,
  can_be_polled: z.boolean(),
  send_attempt_count: z.number().int().nonnegative(),
  max_send_attempts: z.number().int().nonnegative(),
  failure_reason: z.string().nullable(),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.number().int().nonnegative(),
});
export type WireMessage = z.infer<typeof wireMessageSchema>;

export const wireHeartbeatSchema = z.object({
  id: uuid,
  owner: z.string(),
  version: z.string().nullable(),
  charging: z.boolean(),
  battery_level: z
    .number()
    .int()
    .nullable()
    .describe('Battery charge 0–100, when the phone reports it.'),
  signal_dbm: z
    .number()
    .int()
    .nullable()
    .describe('Signal strength in dBm, when the phone reports it.'),
  network_registration: z
    .string()
    .nullable()
    .describe('Network registration (home, roaming, searching, denied, unregistered, unknown).'),
  network_operator: z.string().nullable().describe("The network operator's name, when reported."),
  user_id: z.string(),
  timestamp: time,
});
export type WireHeartbeat = z.infer<typeof wireHeartbeatSchema>;

export const wireThreadSchema = z.object({
  id: uuid,
  owner: z.string(),
  contact: z.string(),
  is_archived: z.boolean(),
  is_read: z.boolean(),
  user_id: z.string(),
  color: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  last_message_content: z.string().nullable(),
  last_message_id: uuid.nullable(),
  created_at: time,
  updated_at: time,
  order_timestamp: time,
});
export type WireThread = z.infer<typeof wireThreadSchema>;

export const wireAccountSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  api_key: z.string().describe('the full key only right after creation or rotation; else masked'),
  timezone: z.string(),
  active_phone_id: uuid.nullable(),
  subscription_name: z.string(),
  notification_message_status_enabled: z
    .boolean()
    .describe('e-mail alert when a message finally fails or expires (default true)'),
  notification_webhook_enabled: z
    .boolean()
    .describe('e-mail alert when a webhook keeps failing, once per failing episode (default true)'),
  notification_heartbeat_enabled: z
    .boolean()
    .describe('e-mail alert when a phone goes offline, once per outage (default true)'),
  created_at: time,
  updated_at: time,
});
export type WireAccount = z.infer<typeof wireAccountSchema>;

export const wirePhoneApiKeySchema = z.object({
  id: uuid,
  name: z.string(),
  user_id: z.string(),
  user_email: z.string().nullable(),
  phone_numbers: z.array(z.string()),
  phone_ids: z.array(uuid),
  allowed_phone_numbers: z
    .array(z.string())
    .nullable()
    .describe('textport: the numbers the key was created for; null for any number'),
  api_key: z.string().describe('the full key only right after creation; else masked'),
  created_at: time,
  updated_at: time,
});
export type WirePhoneApiKey = z.infer<typeof wirePhoneApiKeySchema>;

export const wireWebhookSchema = z.object({
  id: uuid,
  user_id: z.string(),
  url: z.string().meta({ format: 'uri' }),
  signing_key: z.string().nullable(),
  phone_numbers: z.array(z.string()),
  events: z.array(z.string()),
  enabled: z
    .boolean()
    .describe(
      'false once a receiver answered 410 Gone: no events are queued for it until the webhook is updated (PUT), which enables it again',
    ),
  created_at: time,
  updated_at: time,
});
export type WireWebhook = z.infer<typeof wireWebhookSchema>;

/** One delivery of one event to a webhook (its outbox row), without the payload. */
export const wireWebhookDeliverySchema = z.object({
  id: uuid,
  webhook_id: uuid,
  event_id: z.string(),
  event_type: z.string(),
  message_id: z
    .string()
    .nullable()
    .meta({ description: 'The message the event is about; null for other events' }),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  last_http_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: time,
  created_at: time,
  updated_at: time,
});
export type WireWebhookDelivery = z.infer<typeof wireWebhookDeliverySchema>;

export const wireSendWindowSchema = z.object({
  day_of_week: z.number().int().min(0).max(6),
  start_minute: z.number().int().min(0).max(1439),
  end_minute: z.number().int().min(1).max(1440),
});

export const wireSendScheduleSchema = z.object({
  id: uuid,
  user_id: z.string(),
  name: z.string(),
  timezone: z.string(),
  windows: z.array(wireSendWindowSchema),
  created_at: time,
  updated_at: time,
});
export type WireSendSchedule = z.infer<typeof wireSendScheduleSchema>;

export function toWireMessage(m: MessageRecord): WireMessage {
  return {
    id: m.id,
    request_id: m.requestId,
    owner: m.owner,
    user_id: m.accountId,
    contact: m.contact,
    content: m.content,
    attachments: m.attachments,
    encrypted: m.encrypted,
    type: m.type,
    status: m.status,
    sim: m.sim,
    send_time: m.sendTimeMs === null ? null : m.sendTimeMs * 1_000_000,
    request_received_at: formatTimestamp(m.requestReceivedAt),
    created_at: formatTimestamp(m.createdAt),
    updated_at: formatTimestamp(m.updatedAt),
    order_timestamp: formatTimestamp(m.orderTimestamp),
    last_attempted_at: formatNullable(m.lastAttemptedAt),
    scheduled_at: formatNullable(m.scheduledAt),
    scheduled_send_time: formatNullable(m.scheduledSendTime),
    sent_at: formatNullable(m.sentAt),
    delivered_at: formatNullable(m.deliveredAt),
    expired_at: formatNullable(m.expiredAt),
    failed_at: formatNullable(m.failedAt),
    received_at: formatNullable(m.receivedAt),
    canceled_at: formatNullable(m.canceledAt),
    can_be_polled: m.status === 'expired',
    send_attempt_count: m.sendAttemptCount,
    max_send_attempts: m.maxSendAttempts,
    failure_reason: m.failureReason,
    encoding: m.encoding,
    segments: m.segments,
  };
}

export function toWireHeartbeat(h: HeartbeatRecord): WireHeartbeat {
  return {
    id: h.id,
    owner: h.owner,
    version: h.version,
    charging: h.charging,
    battery_level: h.batteryLevel,
    signal_dbm: h.signalDbm,
    network_registration: h.networkRegistration,
    network_operator: h.networkOperator,
    user_id: h.accountId,
    timestamp: formatTimestamp(h.timestamp),
  };
}

export function toWireThread(t: ThreadRecord): WireThread {
  return {
    id: t.id,
    owner: t.owner,
    contact: t.contact,
    is_archived: t.isArchived,
    is_read: t.isRead,
    user_id: t.accountId,
    color: t.color,
    status: t.status,
    last_message_content: t.lastMessageContent,
    last_message_id: t.lastMessageId,
    created_at: formatTimestamp(t.createdAt),
    updated_at: formatTimestamp(t.updatedAt),
    order_timestamp: formatTimestamp(t.orderTimestamp),
  };
}

/** `apiKey` is the full key when it was just created or rotated, else the masked prefix. */
export function toWireAccount(a: AccountRecord, apiKey: string): WireAccount {
  return {
    id: a.id,
    email: a.email,
    api_key: apiKey,
    timezone: a.timezone,
    active_phone_id: a.activePhoneId,
    subscription_name: 'self-hosted',
    notification_message_status_enabled: a.notificationMessageStatusEnabled,
    notification_webhook_enabled: a.notificationWebhookEnabled,
    notification_heartbeat_enabled: a.notificationHeartbeatEnabled,
    created_at: formatTimestamp(a.createdAt),
    updated_at: formatTimestamp(a.updatedAt),
  };
}

export function maskedKey(k: ApiKeyRecord): string {
  return `${k.keyPrefix}…`;
}

export function toWirePhoneApiKey(
  k: ApiKeyRecord,
  email: string | null,
  fullKey?: string,
): WirePhoneApiKey {
  return {
    id: k.id,
    name: k.name,
    user_id: k.accountId,
    user_email: email,
    phone_numbers: [...k.phoneNumbers],
    phone_ids: [...k.phoneIds],
    allowed_phone_numbers: k.allowedNumbers === null ? null : [...k.allowedNumbers],
    api_key: fullKey ?? maskedKey(k),
    created_at: formatTimestamp(k.createdAt),
    updated_at: formatTimestamp(k.updatedAt),
  };
}

export function toWireWebhook(w: WebhookRecord): WireWebhook {
  return {
    id: w.id,
    user_id: w.accountId,
    url: w.url,
    signing_key: w.signingKey,
    phone_numbers: [...w.phoneNumbers],
    events: [...w.events],
    enabled: w.enabled,
    created_at: formatTimestamp(w.createdAt),
    updated_at: formatTimestamp(w.updatedAt),
  };
}

export function toWireWebhookDelivery(o: OutboxRecord): WireWebhookDelivery {
  return {
    id: o.id,
    webhook_id: o.webhookId,
    event_id: o.eventId,
    event_type: o.eventType,
    message_id: o.subjectId,
    status: o.status,
    attempts: o.attempts,
    last_http_status: o.lastHttpStatus,
    last_error: o.lastError,
    next_attempt_at: formatTimestamp(o.nextAttemptAt),
    created_at: formatTimestamp(o.createdAt),
    updated_at: formatTimestamp(o.updatedAt),
  };
}

export function toWireSendSchedule(s: SendScheduleRecord): WireSendSchedule {
  return {
    id: s.id,
    user_id: s.accountId,
    name: s.name,
    timezone: s.timezone,
    windows: s.windows.map((w) => ({
      day_of_week: w.dayOfWeek,
      start_minute: w.startMinute,
      end_minute: w.endMinute,
    })),
    created_at: formatTimestamp(s.createdAt),
    updated_at: formatTimestamp(s.updatedAt),
  };
}
