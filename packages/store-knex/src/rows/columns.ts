/**
 * How each record maps to its table: one column per field, snake_case, with
 * the kind that decides how the value is written and read back.
 * - `text`: strings (ids, numbers, JSON payloads kept byte for byte)
 * - `int`: integers, epoch milliseconds included (BIGINT on Postgres)
 * - `bool`: 0/1 on SQLite, BOOLEAN on Postgres
 * - `json`: arrays and objects (TEXT on SQLite, JSONB on Postgres)
 */
import type {
  AccountRecord,
  ApiKeyRecord,
  DiscordIntegrationRecord,
  HeartbeatRecord,
  IdempotencyRecord,
  Integration3cxRecord,
  MessageRecord,
  OutboxRecord,
  PhoneRecord,
  PoolContactRecord,
  PoolRecord,
  SendScheduleRecord,
  SuppressionRecord,
  ThreadRecord,
  WebhookRecord,
} from '@textport/core/store';
import type { TableName } from '../sql/kit.js';

export type Kind = 'text' | 'int' | 'bool' | 'json';

export interface Column {
  readonly field: string;
  readonly name: string;
  readonly kind: Kind;
}

export interface TableSpec<R> {
  readonly table: TableName;
  readonly columns: readonly Column[];
  readonly byField: ReadonlyMap<string, Column>;
  /** Phantom: the record type this spec maps. */
  readonly record?: R;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function spec<R>(
  table: TableName,
  kinds: { readonly [K in keyof R]-?: Kind },
  names: Partial<Record<keyof R, string>> = {},
): TableSpec<R> {
  const columns = Object.entries(kinds as Record<string, Kind>).map(([field, kind]) => ({
    field,
    name: (names as Record<string, string | undefined>)[field] ?? snake(field),
    kind,
  }));
  return { table, columns, byField: new Map(columns.map((c) => [c.field, c])) };
}

export const MESSAGE = spec<MessageRecord>('messages', {
  id: 'text',
  accountId: 'text',
  phoneId: 'text',
  owner: 'text',
  contact: 'text',
  content: 'text',
  attachments: 'json',
  encrypted: 'bool',
  type: 'text',
  status: 'text',
  sim: 'text',
  requestId: 'text',
  encoding: 'text',
  segments: 'int',
  requestReceivedAt: 'int',
  createdAt: 'int',
  updatedAt: 'int',
  orderTimestamp: 'int',
  scheduledSendTime: 'int',
  scheduledAt: 'int',
  lastAttemptedAt: 'int',
  sentAt: 'int',
  deliveredAt: 'int',
  failedAt: 'int',
  expiredAt: 'int',
  receivedAt: 'int',
  canceledAt: 'int',
  sendTimeMs: 'int',
  sendAttemptCount: 'int',
  maxSendAttempts: 'int',
  failureReason: 'text',
  dueAt: 'int',
  awaitingHandoff: 'bool',
  transportAttempts: 'int',
  bulkIndex: 'int',
  leaseOwner: 'text',
  leaseUntil: 'int',
  poolId: 'text',
  priority: 'int',
  validUntil: 'int',
});

export const PHONE = spec<PhoneRecord>('phones', {
  id: 'text',
  accountId: 'text',
  phoneNumber: 'text',
  fcmToken: 'text',
  messagesPerMinute: 'int',
  sim: 'text',
  sendScheduleId: 'text',
  maxSendAttempts: 'int',
  messageExpirationSeconds: 'int',
  missedCallAutoReply: 'text',
  unarchiveThread: 'bool',
  lastScheduledAt: 'int',
  lastHandoffAt: 'int',
  messagesPerHour: 'int',
  messagesPerDay: 'int',
  hourWindowStart: 'int',
  hourWindowSegments: 'int',
  dayWindowStart: 'int',
  dayWindowSegments: 'int',
  online: 'bool',
  poolId: 'text',
  linkSeenAt: 'int',
  recipientsPerMonth: 'int',
  recipientsMonth: 'int',
  recipientsCount: 'int',
  lastHeartbeatAt: 'int',
  heartbeatCheckAt: 'int',
  createdAt: 'int',
  updatedAt: 'int',
});

export const HEARTBEAT = spec<HeartbeatRecord>(
  'heartbeats',
  {
    id: 'text',
    accountId: 'text',
    owner: 'text',
    version: 'text',
    charging: 'bool',
    batteryLevel: 'int',
    signalDbm: 'int',
    networkRegistration: 'text',
    networkOperator: 'text',
    timestamp: 'int',
  },
  { timestamp: 'beat_at' },
);

export const THREAD = spec<ThreadRecord>('threads', {
  id: 'text',
  accountId: 'text',
  owner: 'text',
  contact: 'text',
  isArchived: 'bool',
  isRead: 'bool',
  color: 'text',
  status: 'text',
  lastMessageContent: 'text',
  lastMessageId: 'text',
  lastReadAt: 'int',
  orderTimestamp: 'int',
  createdAt: 'int',
  updatedAt: 'int',
});

export const ACCOUNT = spec<AccountRecord>('accounts', {
  id: 'text',
  email: 'text',
  timezone: 'text',
  activePhoneId: 'text',
  notificationMessageStatusEnabled: 'bool',
  notificationWebhookEnabled: 'bool',
  notificationHeartbeatEnabled: 'bool',
  createdAt: 'int',
  updatedAt: 'int',
});

export const API_KEY = spec<ApiKeyRecord>('api_keys', {
  id: 'text',
  accountId: 'text',
  kind: 'text',
  name: 'text',
  keyHash: 'text',
  keyPrefix: 'text',
  phoneIds: 'json',
  phoneNumbers: 'json',
  allowedNumbers: 'json',
  createdAt: 'int',
  updatedAt: 'int',
});

export const WEBHOOK = spec<WebhookRecord>('webhooks', {
  id: 'text',
  accountId: 'text',
  url: 'text',
  signingKey: 'text',
  events: 'json',
  phoneNumbers: 'json',
  enabled: 'bool',
  failingSince: 'int',
  createdAt: 'int',
  updatedAt: 'int',
});

export const SCHEDULE = spec<SendScheduleRecord>('send_schedules', {
  id: 'text',
  accountId: 'text',
  name: 'text',
  timezone: 'text',
  windows: 'json',
  createdAt: 'int',
  updatedAt: 'int',
});

export const POOL = spec<PoolRecord>('pools', {
  id: 'text',
  accountId: 'text',
  name: 'text',
  isDefault: 'bool',
  createdAt: 'int',
  updatedAt: 'int',
});

export const POOL_CONTACT = spec<PoolContactRecord>('pool_contacts', {
  accountId: 'text',
  poolId: 'text',
  contact: 'text',
  phoneId: 'text',
  updatedAt: 'int',
});

export const SUPPRESSION = spec<SuppressionRecord>('suppressions', {
  id: 'text',
  accountId: 'text',
  owner: 'text',
  contact: 'text',
  source: 'text',
  keyword: 'text',
  createdAt: 'int',
});

export const IDEMPOTENCY = spec<IdempotencyRecord>(
  'idempotency',
  { accountId: 'text', key: 'text', requestHash: 'text', messageIds: 'json', createdAt: 'int' },
  { key: 'idem_key' },
);

export const OUTBOX = spec<OutboxRecord>('outbox', {
  id: 'text',
  accountId: 'text',
  webhookId: 'text',
  eventId: 'text',
  eventType: 'text',
  subjectId: 'text',
  payload: 'text',
  status: 'text',
  attempts: 'int',
  nextAttemptAt: 'int',
  lastError: 'text',
  lastHttpStatus: 'int',
  leaseOwner: 'text',
  leaseUntil: 'int',
  createdAt: 'int',
  updatedAt: 'int',
});

export const DISCORD_INTEGRATION = spec<DiscordIntegrationRecord>('discord_integrations', {
  id: 'text',
  accountId: 'text',
  name: 'text',
  serverId: 'text',
  incomingChannelId: 'text',
  createdAt: 'int',
  updatedAt: 'int',
});

export const INTEGRATION_3CX = spec<Integration3cxRecord>('integration_3cx', {
  id: 'text',
  accountId: 'text',
  webhookUrl: 'text',
  createdAt: 'int',
  updatedAt: 'int',
});
